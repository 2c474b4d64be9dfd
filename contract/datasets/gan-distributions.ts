import type { GanDistribution } from '../../shared/gan.schema.ts';
import type { Rng } from '../random.ts';
import { planarPoints } from './planar.ts';

/**
 * Points drawn from one of the 2D distributions a GAN's generator imitates,
 * flattened (x1, x2, x1, x2, …). Pure and seeded: the engine trains on it and
 * the server draws the same "real" points for spectators.
 */
export function sampleDistribution(name: GanDistribution, count: number, rng: Rng): Float32Array {
  if (name === 'moons' || name === 'spiral') return planarPoints(name, count, 0.3, rng).x;
  const out = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    if (name === 'ring') {
      const mode = rng.int(8);
      const t = (2 * Math.PI * mode) / 8;
      out[2 * i] = 0.8 * Math.cos(t) + rng.normal() * 0.04;
      out[2 * i + 1] = 0.8 * Math.sin(t) + rng.normal() * 0.04;
    } else {
      const u = rng.next() * 2 - 1;
      out[2 * i] = 0.8 * u + rng.normal() * 0.02;
      out[2 * i + 1] = 0.5 * u + rng.normal() * 0.02;
    }
  }
  return out;
}
