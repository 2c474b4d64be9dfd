import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../shared/model-spec.schema.ts';
import { createRng } from '../../contract/random.ts';
import type { DenseLayer, Network } from './network.ts';
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

interface FastLayer {
  fanIn: number;
  fanOut: number;
  w: Float32Array;
  b: Float32Array;
  activation: DenseLayer['activation'];
  dropout: number;
  frozen: boolean;
  slotsW: Float32Array[];
  slotsB: Float32Array[];
}

/** Whether a network is small enough for the fast path. A pure function of the architecture, so the choice replays. */
export function fastPathFits(net: Network): boolean {
  return net.layers.reduce((a, l) => a + l.kernel.size + l.bias.size, 0) <= FAST_PATH_MAX_PARAMETERS;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function act(z: number, a: DenseLayer['activation']): number {
  switch (a) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'leakyRelu':
      return z > 0 ? z : 0.01 * z;
    case 'elu':
      return z > 0 ? z : Math.exp(z) - 1;
    case 'tanh':
      return Math.tanh(z);
    case 'sigmoid':
      return sigmoid(z);
    case 'swish':
      return z * sigmoid(z);
    case 'linear':
    case 'output':
      return z;
  }
}

/** d act / dz at z, given the activation's output y there. */
function actGrad(z: number, y: number, a: DenseLayer['activation']): number {
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
      const s = sigmoid(z);
      return s + z * s * (1 - s);
    }
    case 'linear':
    case 'output':
      return 1;
  }
}

/** One step's inputs for the fast path. */
export interface FastStep {
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
  l1: number;
  l2: number;
  /** Seed of this step's dropout masks. */
  dropoutSeed: number;
  wantStats: boolean;
}

/**
 * The same dense network, loss, regularisation, dropout and optimizers as the
 * tf.js path, written as loops over Float32Arrays. Results agree with tf.js to
 * float32 rounding (tested to 1e-5), not to the bit, so a run's path is part
 * of what it is; which path a run takes depends only on its architecture.
 */
export class DenseFastPath {
  private readonly layers: FastLayer[];

  /** Copies weights and optimizer slots out of the network's tf.js variables. */
  constructor(net: Network) {
    this.layers = net.layers.map((l) => ({
      fanIn: l.kernel.shape[0]!,
      fanOut: l.kernel.shape[1]!,
      w: l.kernel.dataSync().slice() as Float32Array,
      b: l.bias.dataSync().slice() as Float32Array,
      activation: l.activation,
      dropout: l.dropout,
      frozen: l.frozen,
      slotsW: l.kernelSlots.map((s) => s.dataSync().slice() as Float32Array),
      slotsB: l.biasSlots.map((s) => s.dataSync().slice() as Float32Array),
    }));
  }

  /** Writes weights and slots back into the network's variables. */
  writeBack(net: Network): void {
    tf.tidy(() => {
      net.layers.forEach((l, i) => {
        const f = this.layers[i]!;
        l.kernel.assign(tf.tensor2d(f.w, [f.fanIn, f.fanOut]));
        l.bias.assign(tf.tensor1d(f.b));
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

  private update(name: OptimizerName, lr: number, t: number, value: Float32Array, grad: Float64Array, slots: Float32Array[]): void {
    while (slots.length < SLOT_COUNT[name]) slots.push(new Float32Array(value.length));
    switch (name) {
      case 'sgd':
        for (let i = 0; i < value.length; i++) value[i] = value[i]! - lr * grad[i]!;
        return;
      case 'momentum': {
        const acc = slots[0]!;
        for (let i = 0; i < value.length; i++) {
          acc[i] = MOMENTUM * acc[i]! + grad[i]!;
          value[i] = value[i]! - lr * acc[i]!;
        }
        return;
      }
      case 'adam': {
        const [m, v] = [slots[0]!, slots[1]!];
        const step = (lr * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
        for (let i = 0; i < value.length; i++) {
          const g = grad[i]!;
          m[i] = BETA1 * m[i]! + (1 - BETA1) * g;
          v[i] = BETA2 * v[i]! + (1 - BETA2) * g * g;
          value[i] = value[i]! - step * (m[i]! / (Math.sqrt(v[i]!) + EPSILON));
        }
        return;
      }
      case 'rmsprop': {
        const ms = slots[0]!;
        for (let i = 0; i < value.length; i++) {
          const g = grad[i]!;
          ms[i] = RMS_DECAY * ms[i]! + (1 - RMS_DECAY) * g * g;
          value[i] = value[i]! - (lr * g) / Math.sqrt(ms[i]! + EPSILON);
        }
        return;
      }
    }
  }

  /** Forward, backward and update on one batch; returns the loss (and per-layer statistics when asked). */
  step(s: FastStep): { loss: number; gradNorms?: number[]; updateRatios?: number[] } {
    const L = this.layers.length;
    const n = s.n;
    const zs: Float64Array[] = [];
    const as: Float64Array[] = [Float64Array.from(s.x)];
    const masks: Array<Float64Array | undefined> = [];
    const rng = createRng(s.dropoutSeed);
    for (let l = 0; l < L; l++) {
      const { fanIn, fanOut, w, b, activation, dropout } = this.layers[l]!;
      const input = as[l]!;
      const z = new Float64Array(n * fanOut);
      const a = new Float64Array(n * fanOut);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < fanOut; j++) {
          let sum = b[j]!;
          for (let k = 0; k < fanIn; k++) sum += input[r * fanIn + k]! * w[k * fanOut + j]!;
          z[r * fanOut + j] = sum;
          a[r * fanOut + j] = act(sum, activation);
        }
      }
      let mask: Float64Array | undefined;
      if (activation !== 'output' && dropout > 0) {
        mask = new Float64Array(n * fanOut);
        const keep = 1 - dropout;
        for (let i = 0; i < mask.length; i++) {
          mask[i] = rng.next() < keep ? 1 / keep : 0;
          a[i] = a[i]! * mask[i]!;
        }
      }
      zs.push(z);
      as.push(a);
      masks.push(mask);
    }

    // Loss and its gradient at the output.
    const out = as[L]!;
    const width = this.layers[L - 1]!.fanOut;
    let loss = 0;
    let d: Float64Array = new Float64Array(n * width);
    if (s.kind === 'regression') {
      for (let i = 0; i < out.length; i++) {
        const diff = out[i]! - s.y[i]!;
        loss += diff * diff;
        d[i] = (2 * diff) / out.length;
      }
      loss /= out.length;
    } else {
      for (let r = 0; r < n; r++) {
        let max = -Infinity;
        for (let j = 0; j < width; j++) max = Math.max(max, out[r * width + j]!);
        let sum = 0;
        for (let j = 0; j < width; j++) sum += Math.exp(out[r * width + j]! - max);
        const logSum = Math.log(sum) + max;
        for (let j = 0; j < width; j++) {
          const logP = out[r * width + j]! - logSum;
          const y = s.y[r * width + j]!;
          loss -= y * logP;
          d[r * width + j] = (Math.exp(logP) - y) / n;
        }
      }
      loss /= n;
    }
    for (const layer of this.layers) {
      for (const v of layer.w) loss += s.l1 * Math.abs(v) + s.l2 * v * v;
    }

    const gradNorms: number[] = new Array(L).fill(0);
    const updateRatios: number[] = new Array(L).fill(0);
    for (let l = L - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const { fanIn, fanOut, w, activation } = layer;
      const z = zs[l]!;
      const a = as[l + 1]!;
      const mask = masks[l];
      // dZ = dA ⊙ mask ⊙ act'(z); the activation's output before dropout is a / mask.
      const dz = new Float64Array(n * fanOut);
      for (let i = 0; i < dz.length; i++) {
        const m = mask ? mask[i]! : 1;
        const y = mask ? (m > 0 ? a[i]! / m : act(z[i]!, activation)) : a[i]!;
        dz[i] = d[i]! * m * actGrad(z[i]!, y, activation);
      }
      const input = as[l]!;
      let dInput: Float64Array | undefined;
      if (l > 0) {
        dInput = new Float64Array(n * fanIn);
        for (let r = 0; r < n; r++) {
          for (let k = 0; k < fanIn; k++) {
            let sum = 0;
            for (let j = 0; j < fanOut; j++) sum += dz[r * fanOut + j]! * w[k * fanOut + j]!;
            dInput[r * fanIn + k] = sum;
          }
        }
      }
      if (!layer.frozen) {
        const gw = new Float64Array(fanIn * fanOut);
        const gb = new Float64Array(fanOut);
        for (let r = 0; r < n; r++) {
          for (let k = 0; k < fanIn; k++) {
            const x = input[r * fanIn + k]!;
            if (x === 0) continue;
            for (let j = 0; j < fanOut; j++) gw[k * fanOut + j]! += x * dz[r * fanOut + j]!;
          }
          for (let j = 0; j < fanOut; j++) gb[j]! += dz[r * fanOut + j]!;
        }
        for (let i = 0; i < gw.length; i++) gw[i]! += s.l1 * Math.sign(w[i]!) + 2 * s.l2 * w[i]!;
        const before = s.wantStats ? Float32Array.from(w) : undefined;
        this.update(s.optimizer, s.learningRate, s.t, layer.w, gw, layer.slotsW);
        this.update(s.optimizer, s.learningRate, s.t, layer.b, gb, layer.slotsB);
        if (before) {
          let g2 = 0;
          for (const v of gw) g2 += v * v;
          for (const v of gb) g2 += v * v;
          let du = 0;
          let w2 = 0;
          for (let i = 0; i < before.length; i++) {
            du += (layer.w[i]! - before[i]!) ** 2;
            w2 += before[i]! ** 2;
          }
          gradNorms[l] = Math.sqrt(g2);
          updateRatios[l] = Math.sqrt(du) / (Math.sqrt(w2) + 1e-12);
        }
      }
      if (dInput) d = dInput;
    }
    return s.wantStats ? { loss, gradNorms, updateRatios } : { loss };
  }
}
