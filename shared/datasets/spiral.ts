import type { Rng } from '../random.ts';
import type { LabelledPoints } from './dataset.ts';

/**
 * Two interleaved spirals, one per class, each turning 1.75 times around the
 * origin in the square [-1, 1]²; `noise` is the standard deviation of the
 * jitter added to each point, relative to the spiral's radius of 1.
 */
export function spiral(count: number, noise: number, rng: Rng): LabelledPoints {
  const x = new Float32Array(count * 2);
  const y = new Int32Array(count);
  const perClass = Math.ceil(count / 2);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const k = Math.floor(i / 2);
    const r = (k / perClass) * 0.95 + 0.05;
    const t = 1.75 * (k / perClass) * 2 * Math.PI + label * Math.PI;
    x[2 * i] = r * Math.sin(t) + rng.normal() * noise * 0.1;
    x[2 * i + 1] = r * Math.cos(t) + rng.normal() * noise * 0.1;
    y[i] = label;
  }
  return { x, y, count, inputDim: 2, classes: 2 };
}
