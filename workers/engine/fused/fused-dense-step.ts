import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../../shared/model-spec.schema.ts';
import { isDenseNetwork, type DenseLayer, type Network } from '../network.ts';
import { SLOT_COUNT } from '../optimizer.ts';
import { rightRows } from '../batch-accuracy.ts';
import { activationGrad, biasActivate } from './activations.ts';
import { instantiateKernels, type Kernels } from './kernels.ts';
import type { SparseRows } from './sparse-rows.ts';

// The optimizers' constants, as optimizer.ts gives them to tf.js (float32 there and here).
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;
const MOMENTUM = 0.9;
const RMS_DECAY = 0.9;
const PAGE = 65_536;

/** Backends whose own matrix products the kernels match or beat (tfjs-node's native TensorFlow keeps its own). */
const FUSED_BACKENDS = new Set(['wasm', 'cpu']);

/** One training step's inputs (the fast path's FastStep has the same fields). */
export interface FusedStepInput {
  /** Network inputs, [n, inputDim] row-major. */
  x: Float32Array;
  /** One-hot labels [n, classes], or targets [n, 1]. */
  y: Float32Array;
  n: number;
  kind: 'classification' | 'regression';
  optimizer: OptimizerName;
  learningRate: number;
  /** 1-based step count of the optimizer. */
  t: number;
  wantStats: boolean;
}

export interface FusedStepResult {
  loss: number;
  /** Classification: rows whose largest output was their class, before the update. */
  right?: number;
  gradNorms?: number[];
  updateRatios?: number[];
}

/**
 * Whether the fused step can train this network now: dense layers only, no
 * dropout, no L1/L2 penalty, on a backend it outdoes. Everything else keeps
 * the tf.js step. A pure function of the run's replayed state (its spec, its
 * layers as controls left them, the process's backend), so replays choose alike.
 */
export function fusedStepFits(net: Network, penalties: { l1: number; l2: number }, backend: string = tf.getBackend()): boolean {
  if (!FUSED_BACKENDS.has(backend) || penalties.l1 !== 0 || penalties.l2 !== 0) return false;
  return isDenseNetwork(net) && net.layers.every((l) => l.dropout === 0); // conv nets (a stem of image layers) train through tf.js
}

const padded = (floats: number) => Math.ceil(floats / 4) * 4;

interface Region {
  /** Byte offset in the kernels' memory. */
  at: number;
  floats: number;
}

interface FusedLayer {
  fanIn: number;
  fanOut: number;
  activation: DenseLayer['activation'];
  frozen: boolean;
  w: Region;
  b: Region;
  gw: Region;
  gb: Region;
  /** Optimizer slots: as many as the layer's variables had, or as the optimizer asks once it first steps. */
  slotsW: Region[];
  slotsB: Region[];
  slotCount: number;
  /** Per batch: pre-activation, activation (the same region for linear layers), and the gradient at the pre-activation. */
  z: Region;
  a: Region;
  dz: Region;
}

/**
 * Forward, backward and optimizer update of a dense network in one call, on
 * weights it keeps in WebAssembly memory: the three matrix products per layer
 * run in SIMD kernels (kernels.wat.ts), the optimizer update is one pass per
 * variable, and bias, activation and loss are loops over float32 arrays; no
 * tensor is made per step. Like the fast path, the session reads the weights
 * back into tf.js (`writeBack`) whenever it needs them, and drops this copy
 * after a control. Results agree with the tf.js step to float32 rounding.
 */
export class FusedDenseStep {
  private readonly kernels: Kernels;
  private readonly memory: WebAssembly.Memory;
  private readonly layers: FusedLayer[];
  private readonly inputDim: number;
  private f32!: Float32Array;
  /** End of the weights' part of memory: the batch's buffers start here. */
  private readonly batchStart: number;
  /** Rows the batch buffers hold. */
  private capacity = 0;
  private x!: Region;
  /** Scratch of the largest kernel's size: a transposed kernel, or the kernel before its update (statistics). */
  private readonly scratch: Region;
  /** End of the batch's buffers: a sparse input is kept from here. */
  private batchEnd = 0;
  /** The sparse input in memory past the batch's buffers (byte offsets), until the buffers are laid out again. */
  private resident?: { of: SparseRows; rowStart: number; rowColumn: number; rowValues: number; colStart: number; colRow: number; colValues: number };

  /** Copies weights and optimizer slots out of the network's tf.js variables. */
  constructor(net: Network) {
    this.inputDim = net.inputDim;
    let bytes = 0;
    const take = (floats: number): Region => {
      const r = { at: bytes, floats };
      bytes += padded(floats) * 4;
      return r;
    };
    const none: Region = { at: 0, floats: 0 };
    this.layers = net.layers.map((l) => {
      const fanIn = l.kernel.shape[0]!;
      const fanOut = l.kernel.shape[1]!;
      return {
        fanIn,
        fanOut,
        activation: l.activation,
        frozen: l.frozen,
        w: take(fanIn * fanOut),
        b: take(fanOut),
        gw: take(fanIn * fanOut),
        gb: take(fanOut),
        slotsW: [take(fanIn * fanOut), take(fanIn * fanOut)],
        slotsB: [take(fanOut), take(fanOut)],
        slotCount: l.kernelSlots.length,
        z: none,
        a: none,
        dz: none,
      };
    });
    this.scratch = take(Math.max(...this.layers.map((l) => l.fanIn * l.fanOut)));
    this.batchStart = bytes;
    ({ kernels: this.kernels, memory: this.memory } = instantiateKernels(Math.ceil(bytes / PAGE) + 1));
    this.f32 = new Float32Array(this.memory.buffer);
    net.layers.forEach((l, i) => {
      const f = this.layers[i]!;
      this.view(f.w).set(l.kernel.dataSync() as Float32Array);
      this.view(f.b).set(l.bias.dataSync() as Float32Array);
      l.kernelSlots.forEach((s, k) => this.view(f.slotsW[k]!).set(s.dataSync() as Float32Array));
      l.biasSlots.forEach((s, k) => this.view(f.slotsB[k]!).set(s.dataSync() as Float32Array));
    });
  }

  private view(r: Region): Float32Array {
    return this.f32.subarray(r.at >> 2, (r.at >> 2) + r.floats);
  }

  /** Lays out the batch's buffers for `n` rows (again only when a batch is larger than any before). */
  private fit(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    let bytes = this.batchStart;
    const take = (floats: number): Region => {
      const r = { at: bytes, floats };
      bytes += padded(floats) * 4;
      return r;
    };
    this.x = take(n * this.inputDim);
    for (const l of this.layers) {
      l.z = take(n * l.fanOut);
      l.a = l.activation === 'linear' || l.activation === 'output' ? l.z : take(n * l.fanOut);
      l.dz = take(n * l.fanOut);
    }
    this.batchEnd = bytes;
    this.resident = undefined;
    const pages = Math.ceil(bytes / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    this.f32 = new Float32Array(this.memory.buffer);
  }

  /**
   * Makes ready, ahead of time, what `gradients` on `rows` rows (with `sparse`, their nonzero entries)
   * would lay out at its first call: the batch buffers for that many rows, and the sparse input in memory.
   * Changes no weight and nothing a step computes.
   */
  prepare(rows: number, sparse?: SparseRows): void {
    this.fit(rows);
    if (sparse) this.place(sparse);
  }

  /** Writes weights and slots back into the network's variables. */
  writeBack(net: Network): void {
    tf.tidy(() => {
      net.layers.forEach((l, i) => {
        const f = this.layers[i]!;
        l.kernel.assign(tf.tensor2d(this.view(f.w).slice(), [f.fanIn, f.fanOut]));
        l.bias.assign(tf.tensor1d(this.view(f.b).slice()));
        const sync = (slots: tf.Variable[], regions: Region[], shape: number[]) => {
          for (let k = 0; k < f.slotCount; k++) {
            const value = tf.tensor(this.view(regions[k]!).slice(), shape);
            if (slots[k]) slots[k]!.assign(value);
            else slots[k] = tf.keep(tf.variable(value, false));
          }
        };
        sync(l.kernelSlots, f.slotsW, [f.fanIn, f.fanOut]);
        sync(l.biasSlots, f.slotsB, [f.fanOut]);
      });
    });
  }

  /** Widths of the layers' outputs, in order. */
  get widths(): number[] {
    return this.layers.map((l) => l.fanOut);
  }

  /** Each layer's kernel as it is now (a view into the kernels' memory: read it before the next step). */
  kernel(layer: number): Float32Array {
    return this.view(this.layers[layer]!.w);
  }

  /**
   * The network on `n` rows of inputs (at most `rows` of them at a time, as
   * the batch buffers allow), changing no weight: `each` sees every layer's
   * activations for the chunk (views, valid until it returns), the last
   * layer's being the output.
   */
  forwardRows(x: Float32Array, n: number, rows: number, each: (first: number, count: number, activations: Float32Array[]) => void): void {
    this.fit(rows);
    for (let first = 0; first < n; first += rows) {
      const count = Math.min(rows, n - first);
      this.forward(x.subarray(first * this.inputDim, (first + count) * this.inputDim), count);
      each(first, count, this.layers.map((l) => this.view(l.a).subarray(0, count * l.fanOut)));
    }
  }

  /** The network on `n` rows of `x`, or of `sparse` (the same rows, their zeros skipped in the first layer's product). */
  private forward(x: Float32Array, n: number, sparse?: NonNullable<FusedDenseStep['resident']>): void {
    const k = this.kernels;
    if (!sparse) this.view(this.x).set(x.subarray(0, n * this.inputDim));
    let input = this.x;
    for (const l of this.layers) {
      if (sparse && input === this.x) k.spmm(sparse.rowStart, sparse.rowColumn, sparse.rowValues, n, l.w.at, l.fanOut, l.z.at, l.fanOut, l.fanOut);
      else k.gemm(input.at, l.fanIn, 1, l.w.at, l.fanOut, l.z.at, l.fanOut, n, l.fanOut, l.fanIn);
      const z = this.view(l.z).subarray(0, n * l.fanOut);
      biasActivate(z, this.view(l.b), l.a === l.z ? z : this.view(l.a).subarray(0, n * l.fanOut), l.fanOut, l.activation);
      input = l.a;
    }
  }

  /** Forward, backward and update on one batch; returns the loss before the update (and per-layer statistics when asked). */
  step(s: FusedStepInput): FusedStepResult {
    return this.pass(s, true);
  }

  /**
   * The gradient of the mean loss on `n` rows with respect to every kernel
   * (frozen ones too, as a probe asks tf.js for them), changing no weight, and
   * the network's outputs on those rows: views, valid until the next call. With `sparse` (the nonzero
   * entries of the same `x`), the first layer's two products skip the inputs' zeros: the same results to
   * the bit while the weights are finite, about 1/density times fewer multiply-adds (MNIST's validation
   * digits: a fifth).
   */
  gradients(s: Pick<FusedStepInput, 'x' | 'y' | 'n' | 'kind'> & { sparse?: SparseRows }): { kernelGrads: Float32Array[]; output: Float32Array } {
    const { sparse, ...input } = s;
    if (sparse && (sparse.rows !== s.n || sparse.cols !== this.inputDim)) throw new Error(`gradients: a sparse input of ${sparse.rows}×${sparse.cols} for ${s.n} rows of ${this.inputDim} inputs`);
    this.pass({ ...input, optimizer: 'sgd', learningRate: 0, t: 1, wantStats: false }, false, sparse);
    const last = this.layers.at(-1)!;
    return { kernelGrads: this.layers.map((l) => this.view(l.gw)), output: this.view(last.a).subarray(0, s.n * last.fanOut) };
  }

  /** Forward and backward on a batch, and the update when `train` (else the gradients of every layer, and no update). */
  private pass(s: FusedStepInput, train: boolean, sparseInput?: SparseRows): FusedStepResult {
    const { n } = s;
    this.fit(n);
    const sparse = sparseInput && this.place(sparseInput);
    const k = this.kernels;
    const L = this.layers.length;
    this.forward(s.x, n, sparse);

    const last = this.layers[L - 1]!;
    // A probe's pass (not `train`) reads neither the rows it got right nor the bias gradients: both are left out.
    const right = train && s.kind === 'classification' ? rightRows(this.view(last.a), s.y, n, last.fanOut) : undefined;
    const loss = lossAndGrad(s, this.view(last.a).subarray(0, n * last.fanOut), this.view(last.dz).subarray(0, n * last.fanOut), last.fanOut);

    // The lowest layer that trains: no gradient needs to flow below it.
    const lowest = train ? this.layers.findIndex((l) => !l.frozen) : 0;
    const wantsGrad = (l: FusedLayer) => !train || !l.frozen;
    const gradNorms: number[] = new Array(L).fill(0);
    const updateRatios: number[] = new Array(L).fill(0);
    for (let i = L - 1; i >= 0 && lowest >= 0 && i >= lowest; i--) {
      const l = this.layers[i]!;
      const dz = this.view(l.dz).subarray(0, n * l.fanOut);
      if (i < L - 1) activationGrad(dz, this.view(l.z), this.view(l.a), l.activation);
      const below = i > 0 ? this.layers[i - 1]!.a : this.x;
      if (wantsGrad(l)) {
        // dW = inputᵀ·dZ: the input read transposed in place (or a sparse input by its columns); db = the column sums of dZ.
        if (sparse && i === 0) k.spmm(sparse.colStart, sparse.colRow, sparse.colValues, l.fanIn, l.dz.at, l.fanOut, l.gw.at, l.fanOut, l.fanOut);
        else k.gemm(below.at, 1, l.fanIn, l.dz.at, l.fanOut, l.gw.at, l.fanOut, l.fanIn, l.fanOut, n);
        if (train) columnSums(dz, this.view(l.gb), l.fanOut);
      }
      if (i > lowest) {
        // The gradient at the layer below's output, dZ·Wᵀ, with the weights before their update.
        const prev = this.layers[i - 1]!;
        k.transpose(l.w.at, l.fanIn, l.fanOut, this.scratch.at);
        k.gemm(l.dz.at, l.fanOut, 1, this.scratch.at, l.fanIn, prev.dz.at, l.fanIn, n, l.fanIn, l.fanOut);
      }
      if (train && !l.frozen) {
        if (s.wantStats) this.view(this.scratch).set(this.view(l.w));
        this.update(s, l);
        if (s.wantStats) {
          gradNorms[i] = Math.sqrt(sumOfSquares(this.view(l.gw)) + sumOfSquares(this.view(l.gb)));
          updateRatios[i] = distance(this.view(l.w), this.view(this.scratch).subarray(0, l.w.floats)) / (Math.sqrt(sumOfSquares(this.view(this.scratch).subarray(0, l.w.floats))) + 1e-12);
        }
      }
    }
    return { loss, ...(right !== undefined ? { right } : {}), ...(s.wantStats ? { gradNorms, updateRatios } : {}) };
  }

  /** Puts a sparse input in memory past the batch's buffers, unless it is there already (a probe's validation split stays there between probes). */
  private place(sp: SparseRows): NonNullable<FusedDenseStep['resident']> {
    if (this.resident?.of === sp) return this.resident;
    let bytes = this.batchEnd;
    const put = (values: Int32Array | Float32Array): number => {
      const at = bytes;
      bytes += padded(values.length) * 4;
      return at;
    };
    const arrays = [sp.rowStart, sp.rowColumn, sp.rowValues, sp.colStart, sp.colRow, sp.colValues] as const;
    const offsets = arrays.map(put);
    const pages = Math.ceil(bytes / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    this.f32 = new Float32Array(this.memory.buffer);
    const i32 = new Int32Array(this.memory.buffer);
    arrays.forEach((a, i) => (a instanceof Int32Array ? i32 : this.f32).set(a, offsets[i]! >> 2));
    const [rowStart, rowColumn, rowValues, colStart, colRow, colValues] = offsets as [number, number, number, number, number, number];
    this.resident = { of: sp, rowStart, rowColumn, rowValues, colStart, colRow, colValues };
    return this.resident;
  }

  /** The optimizer's update of a layer's kernel and bias, slots created (zero) on its first step, as tf.js's path does. */
  private update(s: FusedStepInput, l: FusedLayer): void {
    const k = this.kernels;
    if (l.slotCount === 0) {
      l.slotCount = SLOT_COUNT[s.optimizer];
      for (let i = 0; i < l.slotCount; i++) this.view(l.slotsW[i]!).fill(0), this.view(l.slotsB[i]!).fill(0);
    }
    const lr = s.learningRate;
    for (const [w, g, s0, s1] of [
      [l.w, l.gw, l.slotsW[0]!, l.slotsW[1]!],
      [l.b, l.gb, l.slotsB[0]!, l.slotsB[1]!],
    ] as const) {
      const count = padded(w.floats) / 4;
      switch (s.optimizer) {
        case 'sgd':
          k.sgd(w.at, g.at, count, lr);
          break;
        case 'momentum':
          k.momentum(w.at, g.at, s0.at, count, lr, MOMENTUM);
          break;
        case 'adam':
          k.adam(w.at, g.at, s0.at, s1.at, count, (lr * Math.sqrt(1 - BETA2 ** s.t)) / (1 - BETA1 ** s.t), BETA1, 1 - BETA1, BETA2, 1 - BETA2, EPSILON);
          break;
        case 'rmsprop':
          k.rmsprop(w.at, g.at, s0.at, count, lr, RMS_DECAY, 1 - RMS_DECAY, EPSILON);
          break;
      }
    }
  }
}

/** The mean loss over the batch (cross-entropy on softmax, or squared error), and its gradient at the output into `d`. */
function lossAndGrad(s: FusedStepInput, out: Float32Array, d: Float32Array, width: number): number {
  const { n, y } = s;
  let loss = 0;
  if (s.kind === 'regression') {
    const count = out.length;
    for (let i = 0; i < count; i++) {
      const diff = out[i]! - y[i]!;
      loss += diff * diff;
      d[i] = (2 * diff) / count;
    }
    return loss / count;
  }
  for (let r = 0; r < n; r++) {
    const row = r * width;
    let max = -Infinity;
    for (let j = 0; j < width; j++) max = Math.max(max, out[row + j]!);
    let sum = 0;
    for (let j = 0; j < width; j++) sum += Math.exp(out[row + j]! - max);
    const logSum = Math.log(sum) + max;
    for (let j = 0; j < width; j++) {
      const logP = out[row + j]! - logSum;
      loss -= y[row + j]! * logP;
      d[row + j] = (Math.exp(logP) - y[row + j]!) / n;
    }
  }
  return loss / n;
}

function columnSums(m: Float32Array, out: Float32Array, width: number): void {
  out.fill(0);
  for (let i = 0, j = 0; i < m.length; i++, j = j + 1 === width ? 0 : j + 1) out[j] = out[j]! + m[i]!;
}

function sumOfSquares(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
