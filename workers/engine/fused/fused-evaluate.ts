import type { FusedDenseStep } from './fused-dense-step.ts';

/** Rows evaluated at a time (the fused step's batch buffers grow to it once). */
const CHUNK = 256;
/** A hidden unit whose output varies less than this over the rows watched is dead (as the tf.js frame counts it). */
const DEAD_RANGE = 1e-6;

/** A split in JavaScript (the fast path's FastSplit has the same fields). */
export interface EvalSplit {
  /** Network inputs, [count, inputDim]. */
  x: Float32Array;
  /** One-hot labels [count, classes], or targets [count, 1]. */
  y: Float32Array;
  /** Class indices (classification). */
  labels?: Int32Array;
  count: number;
  /** Population variance of the targets (regression's R²). */
  variance: number;
}

/**
 * Loss and accuracy (R² for regression) of the fused step's network on a
 * split, the products in its SIMD kernels: what a telemetry frame measures,
 * without copying the weights back into tf.js. With `deadFractions`, also
 * writes there each hidden layer's share of units whose output does not vary
 * over the split's first `deadRows` rows. Agrees with tf.js's evaluation to
 * float32 rounding.
 */
export function fusedEvaluate(step: FusedDenseStep, split: EvalSplit, kind: 'classification' | 'regression', deadFractions?: number[], deadRows = 0): { loss: number; accuracy: number } {
  if (split.count === 0) return { loss: NaN, accuracy: 0 };
  const widths = step.widths;
  const hidden = widths.length - 1;
  const width = widths[hidden]!;
  const watch = deadFractions ? Math.min(deadRows, split.count) : 0;
  const min = widths.slice(0, hidden).map((w) => new Float64Array(w).fill(Infinity));
  const max = widths.slice(0, hidden).map((w) => new Float64Array(w).fill(-Infinity));
  let lossSum = 0;
  let right = 0;
  step.forwardRows(split.x, split.count, CHUNK, (first, count, activations) => {
    for (let l = 0; l < hidden && first < watch; l++) {
      const a = activations[l]!;
      const w = widths[l]!;
      const [lo, hi] = [min[l]!, max[l]!];
      for (let r = 0; r < Math.min(count, watch - first); r++) {
        for (let j = 0; j < w; j++) {
          const v = a[r * w + j]!;
          if (v < lo[j]!) lo[j] = v;
          if (v > hi[j]!) hi[j] = v;
        }
      }
    }
    const out = activations[hidden]!;
    const y = split.y.subarray(first * width, (first + count) * width);
    if (kind === 'regression') {
      for (let i = 0; i < out.length; i++) lossSum += (out[i]! - y[i]!) ** 2;
      return;
    }
    for (let r = 0; r < count; r++) {
      const row = r * width;
      let best = 0;
      let top = -Infinity;
      for (let j = 0; j < width; j++) {
        if (out[row + j]! > top) {
          top = out[row + j]!;
          best = j;
        }
      }
      let sum = 0;
      for (let j = 0; j < width; j++) sum += Math.exp(out[row + j]! - top);
      const logSum = Math.log(sum) + top;
      for (let j = 0; j < width; j++) lossSum -= y[row + j]! * (out[row + j]! - logSum);
      if (split.labels && best === split.labels[first + r]) right++;
    }
  });
  if (deadFractions) {
    for (let l = 0; l < hidden; l++) {
      let dead = 0;
      for (let j = 0; j < widths[l]!; j++) if (max[l]![j]! - min[l]![j]! <= DEAD_RANGE) dead++;
      deadFractions[l] = watch > 0 ? dead / widths[l]! : 0;
    }
  }
  if (kind === 'regression') {
    const mse = lossSum / (split.count * width);
    return { loss: mse, accuracy: split.variance > 0 ? Math.max(0, 1 - mse / split.variance) : 0 };
  }
  return { loss: lossSum / split.count, accuracy: right / split.count };
}
