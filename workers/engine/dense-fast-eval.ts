import { activateRowsForEval, expNonPositiveApprox } from './dense-fast-activations.ts';
import type { FastLayer } from './dense-fast-path.ts';

/** Rows whose softmax sums are multiplied before one logarithm (sums are at most the class count, 10: no overflow). */
const LOG_EVERY = 32;
/** Rows evaluated at a time (bounds the buffers for large splits). */
const CHUNK = 256;
/** A hidden unit whose output varies less than this over the sample is dead (as the tf.js frame counts it). */
const DEAD_RANGE = 1e-6;

/** A split in JavaScript, as the fast path evaluates it. */
export interface FastSplit {
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

/** Population variance of values, as tf.moments gives it. */
export function varianceOf(v: Float32Array): number {
  if (v.length === 0) return 0;
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i]!;
  mean /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i]! - mean) ** 2;
  return s / v.length;
}

/**
 * Loss, accuracy and dead units of the fast path's network on a split, in
 * JavaScript: what a telemetry frame measures, without a round trip through
 * tf.js. Agrees with tf.js's evaluation to float32 rounding (tested to 1e-5).
 */
export class FastEvaluator {
  private readonly layers: FastLayer[];
  private readonly input: Float64Array;
  private readonly z: Float64Array[];
  private readonly a: Float64Array[];
  /** Per hidden layer and unit, the smallest and largest output seen over the rows watched for dead units. */
  private readonly min: Float64Array[];
  private readonly max: Float64Array[];
  /** Each layer's kernel transposed ([fanOut, fanIn]) and its bias, as float64, refreshed per evaluation: each unit's weights lie together. */
  private readonly wT: Float64Array[];
  private readonly b: Float64Array[];

  constructor(layers: FastLayer[], inputDim: number) {
    this.layers = layers;
    this.input = new Float64Array(CHUNK * inputDim);
    this.z = layers.map((l) => new Float64Array(CHUNK * l.fanOut));
    this.a = layers.map((l) => new Float64Array(CHUNK * l.fanOut));
    this.min = layers.map((l) => new Float64Array(l.fanOut));
    this.max = layers.map((l) => new Float64Array(l.fanOut));
    this.wT = layers.map((l) => new Float64Array(l.fanIn * l.fanOut));
    this.b = layers.map((l) => new Float64Array(l.fanOut));
  }

  /**
   * Mean loss and accuracy (R² for regression) on the split. With
   * `deadFractions`, also writes there each hidden layer's share of units
   * whose output does not vary over the split's first `deadRows` rows.
   */
  evaluate(split: FastSplit, kind: 'classification' | 'regression', deadFractions?: number[], deadRows = 0): { loss: number; accuracy: number } {
    if (split.count === 0) return { loss: NaN, accuracy: 0 };
    const layers = this.layers;
    const L = layers.length;
    const inDim = layers[0]!.fanIn;
    const width = layers[L - 1]!.fanOut;
    const watch = deadFractions ? Math.min(deadRows, split.count) : 0;
    // Plain loops, not fill() and set(): on arrays this small a builtin's call costs more than the copy.
    for (let l = 0; l < L; l++) {
      const { fanIn, fanOut, w, b } = layers[l]!;
      const [min, max, wT, b64] = [this.min[l]!, this.max[l]!, this.wT[l]!, this.b[l]!];
      for (let j = 0; j < fanOut; j++) {
        min[j] = Infinity;
        max[j] = -Infinity;
        b64[j] = b[j]!;
        for (let k = 0; k < fanIn; k++) wT[j * fanIn + k] = w[k * fanOut + j]!;
      }
    }
    let lossSum = 0;
    let right = 0;
    // Σ log(row sums) as the log of their product, taken every LOG_EVERY rows (each sum is in [1, classes]).
    let product = 1;
    let productRows = 0;
    for (let start = 0; start < split.count; start += CHUNK) {
      const n = Math.min(CHUNK, split.count - start);
      const x = split.x;
      const input = this.input;
      for (let i = 0, o = start * inDim; i < n * inDim; i++) input[i] = x[o + i]!;
      let h = input;
      for (let l = 0; l < L; l++) {
        const layer = layers[l]!;
        affineT(h, n, layer.fanIn, layer.fanOut, this.wT[l]!, this.b[l]!, this.z[l]!);
        activateRowsForEval(layer.activation, this.z[l]!, this.a[l]!, n * layer.fanOut);
        h = this.a[l]!;
        if (l < L - 1 && start < watch) this.watch(l, h, Math.min(n, watch - start));
      }
      const y = split.y;
      if (kind === 'regression') {
        for (let i = 0; i < n * width; i++) lossSum += (h[i]! - y[start * width + i]!) ** 2;
        continue;
      }
      const labels = split.labels!;
      for (let r = 0; r < n; r++) {
        const o = r * width;
        let max = -Infinity;
        let best = 0;
        for (let j = 0; j < width; j++) {
          if (h[o + j]! > max) {
            max = h[o + j]!;
            best = j;
          }
        }
        let sum = 1; // the largest logit's term, exp(0)
        for (let j = 0; j < width; j++) if (j !== best) sum += expNonPositiveApprox(h[o + j]! - max);
        // −Σ y·log softmax = (Σ y)·(max + log sum) − Σ y·logit
        let ySum = 0;
        for (let j = 0; j < width; j++) {
          const t = y[(start + r) * width + j]!;
          ySum += t;
          lossSum -= t * (h[o + j]! - max);
        }
        if (ySum === 1) {
          product *= sum;
          if (++productRows === LOG_EVERY) {
            lossSum += Math.log(product);
            product = 1;
            productRows = 0;
          }
        } else lossSum += ySum * Math.log(sum);
        if (best === labels[start + r]) right++;
      }
    }
    lossSum += Math.log(product);
    if (deadFractions) {
      deadFractions.length = 0;
      for (let l = 0; l < L - 1; l++) {
        const fanOut = layers[l]!.fanOut;
        let dead = 0;
        for (let j = 0; j < fanOut; j++) if (this.max[l]![j]! - this.min[l]![j]! <= DEAD_RANGE) dead++;
        deadFractions.push(watch > 0 ? dead / fanOut : 0);
      }
    }
    if (kind === 'regression') {
      const mse = lossSum / (split.count * width);
      return { loss: mse, accuracy: split.variance > 0 ? Math.max(0, 1 - mse / split.variance) : 0 };
    }
    return { loss: lossSum / split.count, accuracy: right / split.count };
  }

  private watch(l: number, h: Float64Array, rows: number): void {
    const fanOut = this.layers[l]!.fanOut;
    const min = this.min[l]!;
    const max = this.max[l]!;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < fanOut; j++) {
        const v = h[r * fanOut + j]!;
        if (v < min[j]!) min[j] = v;
        if (v > max[j]!) max[j] = v;
      }
    }
  }
}

/** z = input·W + b for `n` rows, with W given transposed. */
function affineT(input: Float64Array, n: number, fanIn: number, fanOut: number, wT: Float64Array, b: Float64Array, z: Float64Array): void {
  for (let r = 0, xr = 0, zr = 0; r < n; r++, xr += fanIn, zr += fanOut) {
    for (let j = 0, wj = 0; j < fanOut; j++, wj += fanIn) {
      let sum = b[j]!;
      let k = 0;
      for (; k + 1 < fanIn; k += 2) sum += input[xr + k]! * wT[wj + k]! + input[xr + k + 1]! * wT[wj + k + 1]!;
      if (k < fanIn) sum += input[xr + k]! * wT[wj + k]!;
      z[zr + j] = sum;
    }
  }
}

/** Mean and standard deviation (population) of a kernel, as tf.moments gives them. */
export function kernelMoments(w: Float32Array): { mean: number; std: number } {
  let mean = 0;
  for (let i = 0; i < w.length; i++) mean += w[i]!;
  mean /= w.length;
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (w[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(s / w.length) };
}
