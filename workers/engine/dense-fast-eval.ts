import { act, expNonPositiveApprox, SOFTMAX_LOG_EVERY, type FastActivation } from './dense-fast-activations.ts';
import { instantiateKernels, type Kernels } from './fused/kernels.ts';
import { LANE_ACTIVATION } from './fused/kernels.wat.ts';
import type { FastLayer } from './dense-fast-path.ts';

/** Rows evaluated at a time (bounds the buffers for large splits; a multiple of 4). */
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

/** Splits an evaluator keeps laid out in its memory (a run's training and validation splits, and a spare). */
const MAX_RESIDENT = 3;
/** Bytes of a WebAssembly page. */
const PAGE = 65_536;
const align16 = (bytes: number) => (bytes + 15) & ~15;

/**
 * Loss, accuracy and dead units of the fast path's network on a split: what a
 * telemetry frame measures, without a round trip through tf.js. The layers
 * run in the fused step's WebAssembly SIMD kernel `dense_lanes`, four points
 * at a time (one per lane, float32 as tf.js computes, tanh by a rational
 * approximation, relu and leaky relu there too; other activations applied
 * here to its pre-activations), the softmax cross-entropy and accuracy here.
 * Agrees with tf.js's evaluation to float32 rounding (tested to 1e-5). Only
 * for measuring: the training step is DenseFastPath's, in float64.
 */
export class FastEvaluator {
  private readonly layers: FastLayer[];
  private readonly kernels: Kernels;
  private readonly memory: WebAssembly.Memory;
  /** Byte offsets in the kernels' memory: each layer's kernel and bias, the chunk's inputs (feature by feature) and each layer's outputs (unit by unit), CHUNK floats a feature or unit. */
  private readonly wAt: number[];
  private readonly bAt: number[];
  private readonly outAt: number[];
  /** Where resident splits start, and where the next one goes. */
  private readonly splitsAt: number;
  private splitsEnd: number;
  /** Splits laid out in the memory once, chunk by chunk, each chunk feature by feature (CHUNK floats a feature): the kernel reads them in place. */
  private readonly resident = new Map<FastSplit, number>();
  /** A view of the kernels' memory (renewed when it grows). */
  private f: Float32Array;
  /** Per hidden layer and unit, the smallest and largest output seen over the rows watched for dead units. */
  private readonly min: Float64Array[];
  private readonly max: Float64Array[];

  constructor(layers: FastLayer[], inputDim: number) {
    this.layers = layers;
    let at = 0;
    const take = (floats: number) => {
      const offset = at;
      at = align16(at + floats * 4);
      return offset;
    };
    this.wAt = layers.map((l) => take(l.fanIn * l.fanOut));
    this.bAt = layers.map((l) => take(l.fanOut));
    this.outAt = layers.map((l) => take(CHUNK * l.fanOut));
    this.splitsAt = this.splitsEnd = at;
    ({ kernels: this.kernels, memory: this.memory } = instantiateKernels(Math.max(1, Math.ceil(at / PAGE))));
    this.f = new Float32Array(this.memory.buffer);
    this.min = layers.map((l) => new Float64Array(l.fanOut));
    this.max = layers.map((l) => new Float64Array(l.fanOut));
  }

  /**
   * Mean loss and accuracy (R² for regression) on the split. With
   * `deadFractions`, also writes there each hidden layer's share of units
   * whose output does not vary over the split's first `deadRows` rows. With
   * `withLoss` false a classifier's loss is not computed (NaN): only its accuracy.
   */
  evaluate(split: FastSplit, kind: 'classification' | 'regression', deadFractions?: number[], deadRows = 0, withLoss = true): { loss: number; accuracy: number } {
    if (split.count === 0) return { loss: NaN, accuracy: 0 };
    const layers = this.layers;
    const L = layers.length;
    const inDim = layers[0]!.fanIn;
    const width = layers[L - 1]!.fanOut;
    const watch = deadFractions ? Math.min(deadRows, split.count) : 0;
    const splitAt = this.place(split, inDim);
    const f = this.f;
    for (let l = 0; l < L; l++) {
      const { fanOut, w, b } = layers[l]!;
      f.set(w, this.wAt[l]! >> 2);
      f.set(b, this.bAt[l]! >> 2);
      const [min, max] = [this.min[l]!, this.max[l]!];
      for (let j = 0; j < fanOut; j++) {
        min[j] = Infinity;
        max[j] = -Infinity;
      }
    }
    const y = split.y;
    const labels = split.labels;
    const logits = this.outAt[L - 1]! >> 2;
    let lossSum = 0;
    let right = 0;
    // Σ log(row sums) as the log of their product, taken every SOFTMAX_LOG_EVERY rows (each sum is in [1, classes]).
    let product = 1;
    let productRows = 0;
    for (let start = 0; start < split.count; start += CHUNK) {
      const n = Math.min(CHUNK, split.count - start);
      let from = splitAt + start * inDim * 4;
      for (let l = 0; l < L; l++) {
        const layer = layers[l]!;
        const code = LANE_CODE[layer.activation];
        this.kernels.dense_lanes(from, CHUNK * 4, layer.fanIn, this.wAt[l]!, layer.fanOut, this.bAt[l]!, this.outAt[l]!, CHUNK * 4, (n + 3) >> 2, code ?? 0);
        from = this.outAt[l]!;
        if (code === undefined) activateLanes(f, from >> 2, layer.fanOut, n, layer.activation);
        if (l < L - 1 && start < watch) this.watch(l, f, from >> 2, Math.min(n, watch - start));
      }
      if (kind === 'regression') {
        for (let j = 0; j < width; j++) for (let r = 0; r < n; r++) lossSum += (f[logits + j * CHUNK + r]! - y[(start + r) * width + j]!) ** 2;
        continue;
      }
      for (let r = 0; r < n; r++) {
        let max = -Infinity;
        let best = 0;
        for (let j = 0; j < width; j++) {
          const v = f[logits + j * CHUNK + r]!;
          if (v > max) {
            max = v;
            best = j;
          }
        }
        if (labels && best === labels[start + r]) right++;
        if (!withLoss) continue;
        let sum = 1; // the largest logit's term, exp(0)
        for (let j = 0; j < width; j++) if (j !== best) sum += expNonPositiveApprox(f[logits + j * CHUNK + r]! - max);
        // −Σ y·log softmax = (Σ y)·(max + log sum) − Σ y·logit
        let ySum = 0;
        const o = (start + r) * width;
        for (let j = 0; j < width; j++) {
          const t = y[o + j]!;
          ySum += t;
          lossSum -= t * (f[logits + j * CHUNK + r]! - max);
        }
        if (ySum === 1) {
          product *= sum;
          if (++productRows === SOFTMAX_LOG_EVERY) {
            lossSum += Math.log(product);
            product = 1;
            productRows = 0;
          }
        } else lossSum += ySum * Math.log(sum);
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
    return { loss: withLoss ? lossSum / split.count : NaN, accuracy: right / split.count };
  }

  /** The byte offset of the split's inputs in the memory, laid out there on first sight (at most a few splits stay: past that the space is reused). */
  private place(split: FastSplit, inDim: number): number {
    const known = this.resident.get(split);
    if (known !== undefined) return known;
    if (this.resident.size >= MAX_RESIDENT) {
      this.resident.clear();
      this.splitsEnd = this.splitsAt;
    }
    const at = this.splitsEnd;
    const chunks = Math.ceil(split.count / CHUNK);
    this.splitsEnd = at + chunks * CHUNK * inDim * 4;
    const pages = Math.ceil(this.splitsEnd / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) {
      this.memory.grow(pages);
      this.f = new Float32Array(this.memory.buffer);
    }
    // Chunk by chunk, feature by feature; the lanes past the last point stay zero (their outputs are never read).
    const f = this.f;
    const x = split.x;
    f.fill(0, at >> 2, this.splitsEnd >> 2);
    for (let r = 0; r < split.count; r++) {
      const base = (at >> 2) + Math.floor(r / CHUNK) * CHUNK * inDim + (r % CHUNK);
      for (let k = 0; k < inDim; k++) f[base + k * CHUNK] = x[r * inDim + k]!;
    }
    this.resident.set(split, at);
    return at;
  }

  /** Widens layer l's per-unit ranges by the first `rows` rows of its outputs (unit by unit from float `at`). */
  private watch(l: number, f: Float32Array, at: number, rows: number): void {
    const fanOut = this.layers[l]!.fanOut;
    const min = this.min[l]!;
    const max = this.max[l]!;
    for (let j = 0; j < fanOut; j++) {
      let lo = min[j]!;
      let hi = max[j]!;
      for (let r = 0, i = at + j * CHUNK; r < rows; r++, i++) {
        const v = f[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      min[j] = lo;
      max[j] = hi;
    }
  }
}

/** Activations that dense_lanes applies itself, by code; the others come back as pre-activations. */
const LANE_CODE: Partial<Record<FastActivation, number>> = { output: LANE_ACTIVATION.none, linear: LANE_ACTIVATION.none, relu: LANE_ACTIVATION.relu, tanh: LANE_ACTIVATION.tanh, leakyRelu: LANE_ACTIVATION.leakyRelu };

/** Applies an activation dense_lanes leaves to its caller to the first `n` points of each unit's outputs, in place. */
function activateLanes(f: Float32Array, at: number, units: number, n: number, a: FastActivation): void {
  for (let j = 0; j < units; j++) for (let i = at + j * CHUNK, end = i + n; i < end; i++) f[i] = act(f[i]!, a);
}

/**
 * Mean and standard deviation (population) of a kernel, as tf.moments gives them. Each loop is a function of its
 * own (as histogram's in probes.ts): V8 compiled the first loop of a large kernel while it ran (on-stack
 * replacement) and threw that code away at the second, which had never run, then ran the second loop, 100k
 * weights on MNIST, in the interpreter.
 */
export function kernelMoments(w: Float32Array): { mean: number; std: number } {
  const mean = sumOf(w) / w.length;
  return { mean, std: Math.sqrt(squaredDeviations(w, mean) / w.length) };
}

/** Σ w[i], in order. */
function sumOf(w: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += w[i]!;
  return sum;
}

/** Σ (w[i] − mean)², in order. */
function squaredDeviations(w: Float32Array, mean: number): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (w[i]! - mean) ** 2;
  return s;
}
