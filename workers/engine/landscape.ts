import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { createRng, deriveSeed } from '../../contract/random.ts';
import type { Checkpoint } from './checkpoint.ts';
import { activate, isDenseNetwork, type DenseLayer } from './network.ts';
import type { TrainSession } from './training-session.ts';

/** Options of a loss landscape, checked at the boundary. */
export const LandscapeOptions = z.object({
  /** Grid points per side (default 31, at most 51; odd keeps the current weights at the centre). */
  resolution: z.number().int().min(3).max(51, 'resolution must be at most 51').default(31),
  /** How far the grid reaches along each direction, in units of the filter-normalised directions (default 1). */
  range: z.number().gt(0).max(10).default(1),
  /** Validation points the loss is measured on (default 256). */
  points: z.number().int().min(8).max(4096).default(256),
  /**
   * Most grid points evaluated per batched pass (default 676); fewer for wide networks, so that no
   * intermediate tensor of a pass holds more than `LANDSCAPE_PASS_VALUES` values.
   */
  chunk: z.number().int().min(1).max(10_000).default(676),
});
export type LandscapeOptions = z.input<typeof LandscapeOptions>;

/**
 * Values (32-bit floats) in the largest intermediate tensor of one batched pass: grid points ×
 * validation points × layer width (or × the layer's weights, if it has more). The wasm backend's heap
 * grows to the largest pass it ever computed and never shrinks, so this bounds what one landscape
 * request leaves a training thread holding: 676 points of a 64-wide network at a time grew it from
 * 16 MB to about 300 MB for good (bench/soak); this keeps it near 16–23 MB, at much the same speed on
 * small networks.
 */
export const LANDSCAPE_PASS_VALUES = 2 ** 19;

/** The data for a 3D loss terrain with the optimizer's path on it. */
export interface Landscape {
  resolution: number;
  range: number;
  /** Coordinates along each axis, from -range to +range. */
  axis: number[];
  /** Loss at (alpha = axis[c], beta = axis[r]), row by row. */
  losses: number[];
  /** Loss at the current weights (the centre of the grid). */
  center: number;
  /** Checkpoints projected onto the plane, oldest first, with the loss there. */
  trajectory: Array<{ step: number; alpha: number; beta: number; loss: number }>;
}

interface Direction {
  kernels: Float32Array[];
}

/** A random direction with each filter (a unit's incoming weights) scaled to the norm of the same filter of the weights (Li et al., 2018). */
function filterNormalisedDirection(layers: DenseLayer[], seed: number): Direction {
  const rng = createRng(seed);
  return {
    kernels: layers.map((l) => {
      const [fanIn, fanOut] = l.kernel.shape as [number, number];
      const w = l.kernel.dataSync();
      const d = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < d.length; i++) d[i] = rng.normal();
      for (let j = 0; j < fanOut; j++) {
        let wn = 0;
        let dn = 0;
        for (let i = 0; i < fanIn; i++) {
          wn += w[i * fanOut + j]! ** 2;
          dn += d[i * fanOut + j]! ** 2;
        }
        const scale = dn > 0 ? Math.sqrt(wn / dn) : 0;
        for (let i = 0; i < fanIn; i++) d[i * fanOut + j]! *= scale;
      }
      return d;
    }),
  };
}

function dot(a: Float32Array[], b: Float32Array[]): number {
  let s = 0;
  a.forEach((x, k) => {
    const y = b[k]!;
    for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  });
  return s;
}

/** Least-squares coordinates of `delta` in the plane of d1 and d2. */
function project(delta: Float32Array[], d1: Direction, d2: Direction): [number, number] {
  const a11 = dot(d1.kernels, d1.kernels);
  const a12 = dot(d1.kernels, d2.kernels);
  const a22 = dot(d2.kernels, d2.kernels);
  const b1 = dot(d1.kernels, delta);
  const b2 = dot(d2.kernels, delta);
  const det = a11 * a22 - a12 * a12;
  if (Math.abs(det) < 1e-20) return [0, 0];
  return [(b1 * a22 - b2 * a12) / det, (a11 * b2 - a12 * b1) / det];
}

/**
 * Data loss (no regularisation) at the weights W + α·d1 + β·d2 for many (α, β)
 * at once: one batched pass per layer, the grid points as the batch dimension.
 */
function batchedLoss(s: TrainSession, x: tf.Tensor2D, y: tf.Tensor2D, d1: Direction, d2: Direction, alphas: number[], betas: number[]): number[] {
  return tf.tidy(() => {
    const g = alphas.length;
    const a = tf.tensor1d(alphas).reshape([g, 1, 1]);
    const b = tf.tensor1d(betas).reshape([g, 1, 1]);
    let h: tf.Tensor3D | undefined;
    s.net.layers.forEach((layer, li) => {
      // Each layer's intermediates are freed once its output is made: a pass holds one layer's worth at a time.
      const prev = h;
      h = tf.tidy(() => {
        const [fanIn, fanOut] = layer.kernel.shape as [number, number];
        const k1 = tf.tensor2d(d1.kernels[li]!, [fanIn, fanOut]);
        const k2 = tf.tensor2d(d2.kernels[li]!, [fanIn, fanOut]);
        let z: tf.Tensor3D;
        if (!prev) {
          // The first layer is linear in (α, β): X·W + α·X·D1 + β·X·D2.
          const base = tf.matMul(x, layer.kernel).expandDims(0);
          z = tf.add(tf.add(base, tf.mul(a, tf.matMul(x, k1).expandDims(0))), tf.mul(b, tf.matMul(x, k2).expandDims(0))) as tf.Tensor3D;
        } else {
          const w = tf.add(tf.add(layer.kernel.expandDims(0), tf.mul(a, k1.expandDims(0))), tf.mul(b, k2.expandDims(0))) as tf.Tensor3D;
          z = tf.matMul(prev, w);
        }
        z = tf.add(z, layer.bias) as tf.Tensor3D;
        const n = z.shape[1];
        return activate(z.reshape([g * n, fanOut]) as tf.Tensor2D, layer.activation).reshape([g, n, fanOut]) as tf.Tensor3D;
      });
      prev?.dispose();
    });
    const out = h!;
    const target = y.expandDims(0);
    const perPoint =
      s.kind === 'regression'
        ? tf.mean(tf.square(tf.sub(out, target)), 2)
        : tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(out)), 2));
    return Array.from(tf.mean(perPoint, 1).dataSync());
  });
}

/**
 * The loss landscape around the current weights: two filter-normalised random
 * directions, the loss over a grid on the plane they span, and the run's kept
 * checkpoints projected onto that plane (Li et al., 2018, "Visualizing the
 * Loss Landscape of Neural Nets").
 */
export function lossLandscape(s: TrainSession, options: LandscapeOptions = {}): Landscape {
  const o = LandscapeOptions.parse(options);
  if (!isDenseNetwork(s.net)) throw new Error('loss landscapes are drawn for dense networks only: this one has conv2d or maxPool2d layers');
  const val = s.validation;
  const n = Math.min(o.points, val.count);
  const d1 = filterNormalisedDirection(s.net.layers, deriveSeed(s.job.seed, `landscape:1:${s.stepCount}`));
  const d2 = filterNormalisedDirection(s.net.layers, deriveSeed(s.job.seed, `landscape:2:${s.stepCount}`));
  const axis = Array.from({ length: o.resolution }, (_, i) => -o.range + (2 * o.range * i) / (o.resolution - 1));
  const alphas: number[] = [];
  const betas: number[] = [];
  for (const beta of axis) for (const alpha of axis) alphas.push(alpha), betas.push(beta);

  const current = s.net.layers.map((l) => l.kernel.dataSync() as Float32Array);
  const shapes = s.net.layers.map((l) => l.kernel.shape.join('x')).join(',');
  const path = [...s.checkpoints.values()]
    .filter((cp: Checkpoint) => cp.layers.map((l) => `${l.fanIn}x${l.fanOut}`).join(',') === shapes)
    .sort((p, q) => p.step - q.step)
    .map((cp) => ({ step: cp.step, coords: project(cp.layers.map((l, i) => l.kernel.map((v, k) => v - current[i]![k]!)), d1, d2) }));
  for (const p of path) alphas.push(p.coords[0]), betas.push(p.coords[1]);

  const x = n < val.count ? val.x.slice([0, 0], [n, -1]) : val.x;
  const y = n < val.count ? val.y.slice([0, 0], [n, -1]) : val.y;
  // Per grid point, a layer holds n × fanOut activations and fanIn × fanOut shifted weights.
  const perPoint = Math.max(...s.net.layers.map((l) => Math.max(n, l.kernel.shape[0]!) * l.kernel.shape[1]!));
  const chunk = Math.max(1, Math.min(o.chunk, Math.floor(LANDSCAPE_PASS_VALUES / perPoint)));
  const losses: number[] = [];
  for (let i = 0; i < alphas.length; i += chunk) {
    losses.push(...batchedLoss(s, x, y, d1, d2, alphas.slice(i, i + chunk), betas.slice(i, i + chunk)));
  }
  if (x !== val.x) tf.dispose([x, y]);
  const grid = losses.slice(0, o.resolution * o.resolution);
  const centerIndex = Math.floor(o.resolution / 2) * o.resolution + Math.floor(o.resolution / 2);
  return {
    resolution: o.resolution,
    range: o.range,
    axis,
    losses: grid,
    center: o.resolution % 2 === 1 ? grid[centerIndex]! : NaN,
    trajectory: path.map((p, i) => ({ step: p.step, alpha: p.coords[0], beta: p.coords[1], loss: losses[grid.length + i]! })),
  };
}
