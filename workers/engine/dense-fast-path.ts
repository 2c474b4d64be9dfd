import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../shared/model-spec.schema.ts';
import { createRng, type Rng } from '../../contract/random.ts';
import { act, activateRows, expNonPositiveApprox, SOFTMAX_LOG_EVERY, tanhRowsApprox, type FastActivation } from './dense-fast-activations.ts';
import type { Arithmetic } from '../../shared/run.schema.ts';
import { instantiateKernels, type Kernels } from './fused/kernels.ts';
import { isDenseNetwork, type Network } from './network.ts';
import { SLOT_COUNT } from './optimizer.ts';

/**
 * Largest network (in parameters) trained by the JavaScript fast path. Small
 * dense networks are bound by tf.js's per-operation overhead (tens of
 * microseconds an op, dozens of ops a step); plain loops over Float32Arrays
 * do the same arithmetic without it. Bigger networks go through tf.js.
 */
export const FAST_PATH_MAX_PARAMETERS = 20_000;

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;
const MOMENTUM = 0.9;
const RMS_DECAY = 0.9;
/** Bytes of a WebAssembly page. */
const PAGE = 65_536;
const align16 = (bytes: number) => (bytes + 15) & ~15;

/** Byte offsets of a layer's arrays in the step's WebAssembly memory. */
interface LayerAt {
  w: number;
  b: number;
  /** The kernel transposed [fanOut, fanIn], for the input gradient. */
  wT: number;
  gw: number;
  gb: number;
  z: number;
  a: number;
  mask: number;
  dz: number;
  dIn: number;
}

/** One dense layer of the fast path: weights, slots, and the buffers a step works in (grown with the batch, never per step). */
export interface FastLayer {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Kernel [fanIn, fanOut] and bias: views of the step's WebAssembly memory, renewed when it grows (read them through the layer). */
  w: Float32Array;
  b: Float32Array;
  readonly activation: FastActivation;
  readonly dropout: number;
  readonly frozen: boolean;
  readonly slotsW: Float32Array[];
  readonly slotsB: Float32Array[];
  /** Whether every kernel weight is finite (an L1/L2 term of zero is then exactly zero and can be skipped). */
  wFinite: boolean;
  /** Pre-activations, activations and dropout masks of the batch, [rows, fanOut]. */
  z: Float64Array;
  a: Float64Array;
  mask: Float64Array;
  /** d loss / d pre-activation of the batch, [rows, fanOut]; d loss / d input, [rows, fanIn]. */
  dz: Float64Array;
  dIn: Float64Array;
  gw: Float64Array;
  gb: Float64Array;
  /** The kernel before the update (for the update ratio of a frame's statistics). */
  before: Float32Array;
}

/** Whether a network is small enough for the fast path. A pure function of the architecture, so the choice replays. */
export function fastPathFits(net: Network): boolean {
  if (!isDenseNetwork(net)) return false; // conv nets train through tf.js
  return net.layers.reduce((a, l) => a + l.kernel.size + l.bias.size, 0) <= FAST_PATH_MAX_PARAMETERS;
}

function allFinite(v: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]!;
  return Number.isFinite(sum); // float32 values cannot overflow a float64 sum of this length
}

/**
 * The same dense network, loss, regularisation, dropout and optimizers as the
 * tf.js path, written as loops over typed arrays, in float64; the affine maps
 * and the weight gradients run in WebAssembly (`affine64`, `weight_grad64` in
 * fused/kernels.wat.ts: f64x2, the same sums in the same order as the scalar
 * loops they replaced), over one memory where every buffer of the step lives.
 * Results agree with tf.js to
 * float32 rounding (tested to 1e-5), not to the bit, so a run's path is part
 * of what it is; which path a run takes depends only on its architecture.
 *
 * A step allocates nothing: inputs and targets are written into `input` and
 * `target` (see `batch`), every intermediate lives in buffers kept per layer,
 * and what a spec does not use (zero penalties, dropout, frozen layers, the
 * input gradient below the lowest trainable layer) is skipped. In the first
 * arithmetic (`arithmetic` 1, every stored run's) each element's arithmetic
 * is the same, in the same order, as in the first version of this path, so
 * stored runs replay to the same bits; the second (new runs) differs only in
 * tanh and the softmax (see softmaxCrossEntropyGrad).
 */
export class DenseFastPath {
  readonly layers: FastLayer[];
  /** Rows the step buffers hold now. */
  private rows = 0;
  /** The batch's network inputs [rows, inputDim] (float32 values held as float64) and targets [rows, outputDim]. */
  input = new Float64Array(0);
  target = new Float64Array(0);
  /** Per-layer gradient norm and update ratio of the last step that asked for statistics. */
  readonly gradNorms: Float64Array;
  readonly updateRatios: Float64Array;
  /** Rows of the last classification step whose largest output was their class, before the update. */
  right = 0;
  private readonly inputDim: number;
  private readonly hasDropout: boolean;
  /** The lowest layer that trains: no input gradient is needed below it. */
  private readonly lowestTrainable: number;
  /** The float64 kernels (affine map, weight gradients) and their memory, where every buffer of the step lives. */
  private readonly kernels: Kernels;
  private readonly memory: WebAssembly.Memory;
  private readonly at: LayerAt[];
  /** Byte offsets of the batch's inputs and targets, of fanIn zeros (the input gradient's bias), and of the end of what is laid out. */
  private inputAt = 0;
  private targetAt = 0;
  private readonly zerosAt: number;
  /** Where the buffers sized by the batch start. */
  private readonly rowsAt: number;

  /** Which arithmetic the step keeps to (see Arithmetic): 1, as runs before the second trained; 2, cheaper transcendentals. */
  private readonly arithmetic: Arithmetic;

  /** Copies weights and optimizer slots out of the network's tf.js variables. */
  constructor(net: Network, arithmetic: Arithmetic = 1) {
    this.arithmetic = arithmetic;
    // The kernels' memory: each layer's weights and gradients, then the buffers sized by the batch (see batch()).
    let end = 0;
    const take = (bytes: number) => {
      const offset = end;
      end = align16(end + bytes);
      return offset;
    };
    this.at = net.layers.map((l) => {
      const [fanIn, fanOut] = [l.kernel.shape[0]!, l.kernel.shape[1]!];
      return { w: take(4 * fanIn * fanOut), b: take(4 * fanOut), wT: take(4 * fanIn * fanOut), gw: take(8 * fanIn * fanOut), gb: take(8 * fanOut), z: 0, a: 0, mask: 0, dz: 0, dIn: 0 };
    });
    this.zerosAt = take(4 * Math.max(...net.layers.map((l) => l.kernel.shape[0]!)));
    this.rowsAt = end;
    ({ kernels: this.kernels, memory: this.memory } = instantiateKernels(Math.max(1, Math.ceil(end / PAGE))));
    const buffer = this.memory.buffer;
    this.layers = net.layers.map((l, i) => {
      const fanIn = l.kernel.shape[0]!;
      const fanOut = l.kernel.shape[1]!;
      const at = this.at[i]!;
      const w = new Float32Array(buffer, at.w, fanIn * fanOut);
      w.set(l.kernel.dataSync());
      const b = new Float32Array(buffer, at.b, fanOut);
      b.set(l.bias.dataSync());
      return {
        fanIn,
        fanOut,
        w,
        b,
        activation: l.activation,
        dropout: l.dropout,
        frozen: l.frozen,
        slotsW: l.kernelSlots.map((s) => s.dataSync().slice() as Float32Array),
        slotsB: l.biasSlots.map((s) => s.dataSync().slice() as Float32Array),
        wFinite: allFinite(w),
        z: new Float64Array(0),
        a: new Float64Array(0),
        mask: new Float64Array(0),
        dz: new Float64Array(0),
        dIn: new Float64Array(0),
        gw: new Float64Array(buffer, at.gw, fanIn * fanOut),
        gb: new Float64Array(buffer, at.gb, fanOut),
        before: new Float32Array(fanIn * fanOut),
      };
    });
    this.inputDim = net.inputDim;
    this.gradNorms = new Float64Array(this.layers.length);
    this.updateRatios = new Float64Array(this.layers.length);
    this.hasDropout = this.layers.some((l) => l.activation !== 'output' && l.dropout > 0);
    const trainable = this.layers.findIndex((l) => !l.frozen);
    this.lowestTrainable = trainable < 0 ? this.layers.length : trainable;
  }

  /** Makes room for a batch of `n` rows in `input`, `target` and the layers' buffers (laid out again, and every view renewed, when the batch grows). */
  batch(n: number): void {
    if (n <= this.rows) return;
    this.rows = n;
    let end = this.rowsAt;
    const take = (bytes: number) => {
      const offset = end;
      end = align16(end + bytes);
      return offset;
    };
    this.inputAt = take(8 * n * this.inputDim);
    this.targetAt = take(8 * n * this.layers[this.layers.length - 1]!.fanOut);
    this.layers.forEach((l, i) => {
      const at = this.at[i]!;
      at.z = take(8 * n * l.fanOut);
      at.a = take(8 * n * l.fanOut);
      at.mask = take(this.hasDropout ? 8 * n * l.fanOut : 0);
      at.dz = take(8 * n * l.fanOut);
      at.dIn = take(8 * n * l.fanIn);
    });
    const pages = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages); // detaches every view: all are made again below
    const buffer = this.memory.buffer;
    this.input = new Float64Array(buffer, this.inputAt, n * this.inputDim);
    this.target = new Float64Array(buffer, this.targetAt, n * this.layers[this.layers.length - 1]!.fanOut);
    this.layers.forEach((l, i) => {
      const at = this.at[i]!;
      l.w = new Float32Array(buffer, at.w, l.fanIn * l.fanOut);
      l.b = new Float32Array(buffer, at.b, l.fanOut);
      l.gw = new Float64Array(buffer, at.gw, l.fanIn * l.fanOut);
      l.gb = new Float64Array(buffer, at.gb, l.fanOut);
      l.z = new Float64Array(buffer, at.z, n * l.fanOut);
      l.a = new Float64Array(buffer, at.a, n * l.fanOut);
      l.mask = new Float64Array(buffer, at.mask, this.hasDropout ? n * l.fanOut : 0);
      l.dz = new Float64Array(buffer, at.dz, n * l.fanOut);
      l.dIn = new Float64Array(buffer, at.dIn, n * l.fanIn);
    });
  }

  /** Writes weights and slots back into the network's variables. */
  writeBack(net: Network): void {
    tf.tidy(() => {
      net.layers.forEach((l, i) => {
        const f = this.layers[i]!;
        // Copies: the views into the step's memory change with every step (and a backend may keep the array it is given).
        l.kernel.assign(tf.tensor2d(f.w.slice(), [f.fanIn, f.fanOut]));
        l.bias.assign(tf.tensor1d(f.b.slice()));
        const sync = (slots: tf.Variable[], values: Float32Array[], shape: number[]) => {
          values.forEach((v, k) => {
            if (slots[k]) slots[k]!.assign(tf.tensor(v, shape));
            else slots[k] = tf.keep(tf.variable(tf.tensor(v, shape), false));
          });
        };
        sync(l.kernelSlots, f.slotsW, [f.fanIn, f.fanOut]);
        sync(l.biasSlots, f.slotsB, [f.fanOut]);
      });
    });
  }

  /**
   * Forward, backward and update on the batch in `input`/`target` (first `n`
   * rows, `batch(n)` called before); returns the loss. With `wantStats` the
   * per-layer statistics land in `gradNorms` and `updateRatios`.
   * @param t 1-based step count of the optimizer
   * @param dropoutSeed seed of this step's dropout masks
   */
  step(n: number, kind: 'classification' | 'regression', optimizer: OptimizerName, learningRate: number, t: number, l1: number, l2: number, dropoutSeed: number, wantStats: boolean): number {
    const layers = this.layers;
    const L = layers.length;
    const rng = this.hasDropout ? createRng(dropoutSeed) : undefined;
    const k = this.kernels;
    for (let l = 0; l < L; l++) {
      const layer = layers[l]!;
      const at = this.at[l]!;
      k.affine64(l > 0 ? this.at[l - 1]!.a : this.inputAt, n, layer.fanIn, at.w, layer.fanOut, at.b, at.z);
      if (this.arithmetic === 2 && layer.activation === 'tanh') tanhRowsApprox(layer.z, layer.a, n * layer.fanOut);
      else activateRows(layer.activation, layer.z, layer.a, n * layer.fanOut);
      if (rng && layer.activation !== 'output' && layer.dropout > 0) drop(layer, n, rng);
    }

    const last = layers[L - 1]!;
    let loss =
      kind === 'regression'
        ? squaredErrorGrad(last.a, this.target, n * last.fanOut, last.dz)
        : this.arithmetic === 2
          ? softmaxCrossEntropyGrad(last.a, this.target, n, last.fanOut, last.dz)
          : crossEntropyGrad(last.a, this.target, n, last.fanOut, last.dz);
    if (kind === 'classification') this.right = crossEntropyRight;
    if (l1 !== 0 || l2 !== 0) {
      for (const layer of layers) {
        const w = layer.w;
        for (let i = 0; i < w.length; i++) loss += l1 * Math.abs(w[i]!) + l2 * w[i]! * w[i]!;
      }
    } else {
      // Zero penalties add exactly zero, unless a weight is no longer finite (0 · ∞ is NaN, and the run diverges).
      for (const layer of layers) if (!layer.wFinite) loss = NaN;
    }

    // The loss gradient at the output is in the last layer's dz (its activation is the identity).
    // Below the lowest layer that trains nothing needs a gradient.
    let d: Float64Array = last.dz;
    for (let l = L - 1; l >= this.lowestTrainable; l--) {
      const layer = layers[l]!;
      const dz = layer.dz;
      const at = this.at[l]!;
      derivative(layer, n, d, dz);
      if (l > this.lowestTrainable) {
        // d loss / d input = dZ·Wᵀ (the weights before their update): the affine map with W transposed and no bias, each sum over the units in order.
        k.transpose(at.w, layer.fanIn, layer.fanOut, at.wT);
        k.affine64(at.dz, n, layer.fanOut, at.wT, layer.fanIn, this.zerosAt, at.dIn);
      }
      if (!layer.frozen) {
        k.weight_grad64(l > 0 ? this.at[l - 1]!.a : this.inputAt, n, layer.fanIn, at.dz, layer.fanOut, at.gw, at.gb);
        if (l1 !== 0 || l2 !== 0 || !layer.wFinite) {
          const { w, gw } = layer;
          for (let i = 0; i < gw.length; i++) gw[i] = gw[i]! + (l1 * Math.sign(w[i]!) + 2 * l2 * w[i]!);
        }
        if (wantStats) for (let i = 0; i < layer.w.length; i++) layer.before[i] = layer.w[i]!;
        layer.wFinite = update(optimizer, learningRate, t, layer.w, layer.gw, layer.slotsW, true);
        update(optimizer, learningRate, t, layer.b, layer.gb, layer.slotsB, false);
        if (wantStats) this.stats(l);
      } else if (wantStats) {
        this.gradNorms[l] = 0;
        this.updateRatios[l] = 0;
      }
      d = layer.dIn;
    }
    if (wantStats) {
      for (let l = 0; l < this.lowestTrainable; l++) {
        this.gradNorms[l] = 0;
        this.updateRatios[l] = 0;
      }
    }
    return loss;
  }

  private stats(l: number): void {
    const { gw, gb, w, before } = this.layers[l]!;
    let g2 = 0;
    for (let i = 0; i < gw.length; i++) g2 += gw[i]! * gw[i]!;
    for (let i = 0; i < gb.length; i++) g2 += gb[i]! * gb[i]!;
    let du = 0;
    let w2 = 0;
    for (let i = 0; i < before.length; i++) {
      du += (w[i]! - before[i]!) ** 2;
      w2 += before[i]! ** 2;
    }
    this.gradNorms[l] = Math.sqrt(g2);
    this.updateRatios[l] = Math.sqrt(du) / (Math.sqrt(w2) + 1e-12);
  }
}

/** Inverted dropout: keeps each unit with probability 1 − rate and scales it by 1 / (1 − rate). */
function drop(layer: FastLayer, n: number, rng: Rng): void {
  const { a, mask } = layer;
  const keep = 1 - layer.dropout;
  const count = n * layer.fanOut;
  for (let i = 0; i < count; i++) {
    mask[i] = rng.next() < keep ? 1 / keep : 0;
    a[i] = a[i]! * mask[i]!;
  }
}

/** Mean squared error of `count` outputs, with its gradient into `d`. */
function squaredErrorGrad(out: Float64Array, y: Float64Array, count: number, d: Float64Array): number {
  let loss = 0;
  for (let i = 0; i < count; i++) {
    const diff = out[i]! - y[i]!;
    loss += diff * diff;
    d[i] = (2 * diff) / count;
  }
  return loss / count;
}

/** Rows the last crossEntropyGrad call classified right (see rightRows). */
let crossEntropyRight = 0;

/**
 * Mean softmax cross-entropy of `n` rows of logits, with its gradient into `d`; the rows whose
 * largest logit (the first, on a tie) is their class are counted into `crossEntropyRight`, as rightRows counts them.
 */
function crossEntropyGrad(out: Float64Array, y: Float64Array, n: number, width: number, d: Float64Array): number {
  let loss = 0;
  let right = 0;
  for (let r = 0; r < n; r++) {
    const o = r * width;
    let max = -Infinity;
    let top = -Infinity;
    let best = 0;
    for (let j = 0; j < width; j++) {
      const v = out[o + j]!;
      max = Math.max(max, v);
      if (v > top) {
        top = v;
        best = j;
      }
    }
    if (y[o + best] === 1) right++;
    let sum = 0;
    for (let j = 0; j < width; j++) {
      const e = out[o + j]! - max;
      sum += e === 0 ? 1 : Math.exp(e); // exp(±0) is 1 exactly: the largest logit costs no call
    }
    const logSum = Math.log(sum) + max;
    for (let j = 0; j < width; j++) {
      const logP = out[o + j]! - logSum;
      const target = y[o + j]!;
      loss -= target * logP;
      d[o + j] = (Math.exp(logP) - target) / n;
    }
  }
  crossEntropyRight = right;
  return loss / n;
}

/**
 * crossEntropyGrad in the second arithmetic: each row's softmax as e_j / Σe (e_j = e^(logit_j − max), by
 * expNonPositiveApprox, the largest's 1 exactly) rather than e^(log p_j), and the loss as Σ_j y_j·(max − logit_j)
 * plus (Σ_j y_j)·log Σe, the logarithms of one-hot rows taken once for every SOFTMAX_LOG_EVERY rows (as a frame's loss takes them), of their sums'
 * product: one exponential a class, against two a class and a logarithm a row. The same rows count as right
 * (the largest logit, the first on a tie); a NaN or infinite logit makes the loss NaN, as there.
 */
function softmaxCrossEntropyGrad(out: Float64Array, y: Float64Array, n: number, width: number, d: Float64Array): number {
  let loss = 0;
  let right = 0;
  let product = 1;
  let productRows = 0;
  for (let r = 0; r < n; r++) {
    const o = r * width;
    let max = -Infinity;
    let best = 0;
    for (let j = 0; j < width; j++) {
      const v = out[o + j]!;
      if (v > max) {
        max = v;
        best = j;
      }
    }
    if (y[o + best] === 1) right++;
    let sum = 0;
    for (let j = 0; j < width; j++) {
      const e = out[o + j]! - max; // NaN for a NaN logit, or for every logit when the largest is infinite
      const p = e === 0 ? 1 : expNonPositiveApprox(e);
      d[o + j] = p;
      sum += p;
    }
    let ySum = 0;
    for (let j = 0; j < width; j++) {
      const target = y[o + j]!;
      ySum += target;
      loss -= target * (out[o + j]! - max);
      d[o + j] = (d[o + j]! / sum - target) / n;
    }
    if (ySum === 1) {
      product *= sum;
      if (++productRows === SOFTMAX_LOG_EVERY) {
        loss += Math.log(product);
        product = 1;
        productRows = 0;
      }
    } else loss += ySum * Math.log(sum);
  }
  crossEntropyRight = right;
  return (loss + Math.log(product)) / n;
}

/** dz = d ⊙ mask ⊙ act'(z). Without a mask the factor 1 is left out (d · 1 is d exactly). */
function derivative(layer: FastLayer, n: number, d: Float64Array, dz: Float64Array): void {
  const { z, a, activation } = layer;
  const count = n * layer.fanOut;
  if (layer.activation !== 'output' && layer.dropout > 0) {
    const mask = layer.mask;
    // The activation's output before dropout is a / mask.
    for (let i = 0; i < count; i++) {
      const m = mask[i]!;
      const y = m > 0 ? a[i]! / m : act(z[i]!, activation);
      dz[i] = d[i]! * m * actGrad(z[i]!, y, activation);
    }
    return;
  }
  switch (activation) {
    case 'output':
    case 'linear':
      if (dz !== d) dz.set(d.subarray(0, count));
      return;
    case 'tanh':
      for (let i = 0; i < count; i++) dz[i] = d[i]! * (1 - a[i]! * a[i]!);
      return;
    case 'relu':
      for (let i = 0; i < count; i++) dz[i] = z[i]! > 0 ? d[i]! : d[i]! * 0;
      return;
    default:
      for (let i = 0; i < count; i++) dz[i] = d[i]! * actGrad(z[i]!, a[i]!, activation);
  }
}

/** d act / dz at z, given the activation's output y there. */
function actGrad(z: number, y: number, a: FastActivation): number {
  switch (a) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leakyRelu':
      return z > 0 ? 1 : 0.01;
    case 'elu':
      return z > 0 ? 1 : y + 1;
    case 'tanh':
      return 1 - y * y;
    case 'sigmoid':
      return y * (1 - y);
    case 'swish': {
      const s = 1 / (1 + Math.exp(-z));
      return s + z * s * (1 - s);
    }
    case 'linear':
    case 'output':
      return 1;
  }
}

/** One optimizer update of `value` in place; returns whether every new value is finite when `checkFinite`. */
function update(name: OptimizerName, lr: number, t: number, value: Float32Array, grad: Float64Array, slots: Float32Array[], checkFinite: boolean): boolean {
  while (slots.length < SLOT_COUNT[name]) slots.push(new Float32Array(value.length));
  switch (name) {
    case 'sgd':
      for (let i = 0; i < value.length; i++) value[i] = value[i]! - lr * grad[i]!;
      break;
    case 'momentum': {
      const acc = slots[0]!;
      for (let i = 0; i < value.length; i++) {
        acc[i] = MOMENTUM * acc[i]! + grad[i]!;
        value[i] = value[i]! - lr * acc[i]!;
      }
      break;
    }
    case 'adam': {
      const m = slots[0]!;
      const v = slots[1]!;
      const step = (lr * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
      for (let i = 0; i < value.length; i++) {
        const g = grad[i]!;
        m[i] = BETA1 * m[i]! + (1 - BETA1) * g;
        v[i] = BETA2 * v[i]! + (1 - BETA2) * g * g;
        value[i] = value[i]! - step * (m[i]! / (Math.sqrt(v[i]!) + EPSILON));
      }
      break;
    }
    case 'rmsprop': {
      const ms = slots[0]!;
      for (let i = 0; i < value.length; i++) {
        const g = grad[i]!;
        ms[i] = RMS_DECAY * ms[i]! + (1 - RMS_DECAY) * g * g;
        value[i] = value[i]! - (lr * g) / Math.sqrt(ms[i]! + EPSILON);
      }
      break;
    }
  }
  return checkFinite ? allFinite(value) : true;
}
