import * as tf from '@tensorflow/tfjs';
import type { Activation, ModelSpec } from '../../shared/model-spec.schema.ts';
import type { ImageShape } from '../../shared/model-spec.shapes.ts';
import type { Rng } from '../../contract/random.ts';
import { initStd } from './initializers.ts';

/**
 * The image layers of a conv net: the flat input reshaped to an image, then
 * conv2d and maxPool2d layers in the spec's order, then flattened for the
 * dense layers. Dense networks have no stem.
 */

/** A conv2d layer (valid padding) held as tf.js variables: kernel [k, k, inChannels, filters], bias [filters]. */
export interface ConvLayer {
  type: 'conv2d';
  kernel: tf.Variable;
  bias: tf.Variable;
  activation: Activation;
  strides: number;
  frozen: boolean;
  kernelSlots: tf.Variable[];
  biasSlots: tf.Variable[];
}

/** A maxPool2d layer: windows of poolSize×poolSize, stride poolSize, valid padding. */
export interface PoolLayer {
  type: 'maxPool2d';
  poolSize: number;
}

export type StemLayer = ConvLayer | PoolLayer;

/** The image layers and the image the input is read as. */
export interface ImageStem {
  image: ImageShape;
  /** In the spec's order; the spec's flatten comes right after the last one. */
  layers: StemLayer[];
}

/** A conv layer as a checkpoint keeps it. */
export interface ConvCheckpoint {
  activation: Activation;
  frozen: boolean;
  kernelShape: number[];
  kernel: Float32Array;
  bias: Float32Array;
  kernelSlots: Float32Array[];
  biasSlots: Float32Array[];
}

/** A conv layer from given weights (copied into fresh variables). */
export function makeConvLayer(kernel: Float32Array, kernelShape: number[], bias: Float32Array, activation: Activation, strides: number): ConvLayer {
  return {
    type: 'conv2d',
    kernel: tf.tidy(() => tf.variable(tf.tensor(kernel, kernelShape), true)),
    bias: tf.tidy(() => tf.variable(tf.tensor1d(bias), true)),
    activation,
    strides,
    frozen: false,
    kernelSlots: [],
    biasSlots: [],
  };
}

/**
 * The stem of a spec, or undefined for a dense network. Kernels are drawn
 * from `rng` (fan-in = k·k·inChannels, fan-out = k·k·filters), He-normal for
 * ReLU-like activations and Glorot otherwise when the initializer is `auto`.
 */
export function buildStem(spec: ModelSpec, image: ImageShape | undefined, rng: Rng): ImageStem | undefined {
  const spatial = spec.layers.filter((l) => l.type === 'conv2d' || l.type === 'maxPool2d');
  if (spatial.length === 0) return undefined;
  if (!image) throw new Error(`the spec has ${spatial[0]!.type} layers but the task's inputs are not an image`);
  let channels = image[2];
  const layers: StemLayer[] = spatial.map((l) => {
    if (l.type === 'maxPool2d') return { type: 'maxPool2d', poolSize: l.poolSize };
    if (l.type !== 'conv2d') throw new Error('unreachable');
    const k = l.kernelSize;
    const fanIn = k * k * channels;
    const fanOut = k * k * l.filters;
    const { std, uniform } = initStd(spec.initializer, l.activation, fanIn, fanOut);
    const w = new Float32Array(fanIn * l.filters);
    for (let i = 0; i < w.length; i++) w[i] = uniform ? (rng.next() * 2 - 1) * std : rng.normal() * std;
    const layer = makeConvLayer(w, [k, k, channels, l.filters], new Float32Array(l.filters), l.activation, l.strides);
    channels = l.filters;
    return layer;
  });
  return { image, layers };
}

/** The conv layers of a stem, in order. */
export function convLayers(stem: ImageStem | undefined): ConvLayer[] {
  return stem ? stem.layers.filter((l): l is ConvLayer => l.type === 'conv2d') : [];
}

/**
 * The columns of an image batch for a k×k kernel, transposed: row
 * (kh·k + kw)·C + c, column n·OH·OW + oh·OW + ow holds
 * x[n, oh·s + kh, ow·s + kw, c]. Built in JavaScript: small, exact, and the
 * wasm backend has no kernel for a conv's filter gradient.
 */
function columnsTransposed(x: Float32Array, [n, h, w, c]: [number, number, number, number], k: number, s: number, oh: number, ow: number): Float32Array {
  const cols = n * oh * ow;
  const out = new Float32Array(k * k * c * cols);
  for (let kh = 0; kh < k; kh++) {
    for (let kw = 0; kw < k; kw++) {
      for (let ch = 0; ch < c; ch++) {
        const row = ((kh * k + kw) * c + ch) * cols;
        let col = 0;
        for (let b = 0; b < n; b++) {
          for (let y = 0; y < oh; y++) {
            const src = ((b * h + y * s + kh) * w + kw) * c + ch;
            for (let xo = 0; xo < ow; xo++) out[row + col++] = x[src + xo * s * c]!;
          }
        }
      }
    }
  }
  return out;
}

const convOps = new Map<string, (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

/**
 * x ⊛ W + b (valid padding) with its gradient written out: the input's
 * gradient by tf.js's conv2dTranspose (none when `inputNeedsGrad` is false:
 * the first layer reads the data), the kernel's as columnsᵀ · dy (a matMul),
 * the bias's as the sum of dy.
 */
function convOp(strides: number, inputNeedsGrad: boolean): (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  const key = `${strides}:${inputNeedsGrad}`;
  let op = convOps.get(key);
  if (!op) {
    op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, w, b, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
      save([x, w]);
      return {
        value: tf.add(tf.conv2d(x, w, strides, 'valid'), b),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const g = dy as tf.Tensor4D;
          const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
          const [k, , c, f] = sw.shape;
          const [n, oh, ow] = g.shape;
          const cols = tf.tensor2d(columnsTransposed(sx.dataSync() as Float32Array, sx.shape, k, strides, oh, ow), [k * k * c, n * oh * ow]);
          const dw = tf.reshape(tf.matMul(cols, tf.reshape(g, [n * oh * ow, f])), sw.shape);
          const dx = inputNeedsGrad ? tf.conv2dTranspose(g, sw, sx.shape, strides, 'valid') : tf.zerosLike(sx);
          return [dx, dw, tf.sum(g, [0, 1, 2])];
        },
      };
    }) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    convOps.set(key, op);
  }
  return op;
}

/**
 * Where each window's maximum lies: for every output value of a p×p max pool
 * (stride p, valid padding), the flat index of its input, the first maximum
 * in row-major window order.
 */
function poolArgmax(x: Float32Array, [n, h, w, c]: [number, number, number, number], p: number): Int32Array {
  const oh = Math.floor(h / p);
  const ow = Math.floor(w / p);
  const out = new Int32Array(n * oh * ow * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = 0;
          for (let dy = 0; dy < p; dy++) {
            for (let dx = 0; dx < p; dx++) {
              const i = ((b * h + y * p + dy) * w + xo * p + dx) * c + ch;
              if (x[i]! > best) {
                best = x[i]!;
                at = i;
              }
            }
          }
          out[o++] = at;
        }
      }
    }
  }
  return out;
}

const poolOps = new Map<number, (x: tf.Tensor) => tf.Tensor>();

/**
 * Max pooling with its gradient written out: each output's gradient goes to
 * the first maximum of its window. tf.js's wasm MaxPoolGrad disagrees with
 * its cpu kernel on multi-channel inputs (checked on tfjs 4.22: the gradient
 * of a 2×6×6×3 input differed in 1 of 12 values), so the arena routes it here.
 */
function poolOp(p: number): (x: tf.Tensor) => tf.Tensor {
  let op = poolOps.get(p);
  if (!op) {
    op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
      save([x]);
      return {
        value: tf.maxPool(x, p, p, 'valid'),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [sx] = saved as [tf.Tensor4D];
          const at = poolArgmax(sx.dataSync() as Float32Array, sx.shape, p);
          const g = (dy as tf.Tensor).dataSync();
          const dx = new Float32Array(sx.size);
          for (let i = 0; i < at.length; i++) dx[at[i]!]! += g[i]!;
          return [tf.tensor(dx, sx.shape)];
        },
      };
    }) as (x: tf.Tensor) => tf.Tensor;
    poolOps.set(p, op);
  }
  return op;
}

/**
 * Runs the stem on a flat batch [n, h·w·c] and returns the flattened output
 * [n, features]. `onConv` receives each conv layer's activated output
 * [n, oh, ow, filters] with its index among the conv layers.
 */
export function runStem(
  stem: ImageStem,
  x: tf.Tensor2D,
  activate: (t: tf.Tensor, activation: Activation) => tf.Tensor,
  onConv?: (conv: number, output: tf.Tensor4D) => void,
  inputNeedsGrad = false,
): tf.Tensor2D {
  let h: tf.Tensor4D = tf.reshape(x, [x.shape[0], ...stem.image]);
  let conv = 0;
  let needsGrad = inputNeedsGrad;
  for (const layer of stem.layers) {
    if (layer.type === 'maxPool2d') {
      h = (needsGrad ? poolOp(layer.poolSize)(h) : tf.maxPool(h, layer.poolSize, layer.poolSize, 'valid')) as tf.Tensor4D;
      continue;
    }
    h = activate(convOp(layer.strides, needsGrad)(h, layer.kernel, layer.bias), layer.activation) as tf.Tensor4D;
    onConv?.(conv++, h);
    needsGrad = true;
  }
  return tf.reshape(h, [h.shape[0], -1]);
}

/** Multiply-adds of the stem's forward pass for one sample (conv layers: output positions × kernel and bias). */
export function stemMacs(stem: ImageStem | undefined): number {
  if (!stem) return 0;
  let [h, w] = stem.image;
  let macs = 0;
  for (const layer of stem.layers) {
    if (layer.type === 'maxPool2d') {
      h = Math.floor(h / layer.poolSize);
      w = Math.floor(w / layer.poolSize);
      continue;
    }
    const k = layer.kernel.shape[0]!;
    h = Math.floor((h - k) / layer.strides) + 1;
    w = Math.floor((w - k) / layer.strides) + 1;
    macs += h * w * (layer.kernel.size + layer.bias.size);
  }
  return macs;
}

/** The conv layers' state, copied out of tf.js. */
export function checkpointStem(stem: ImageStem | undefined): ConvCheckpoint[] | undefined {
  if (!stem) return undefined;
  return convLayers(stem).map((l) => ({
    activation: l.activation,
    frozen: l.frozen,
    kernelShape: [...l.kernel.shape],
    kernel: l.kernel.dataSync().slice() as Float32Array,
    bias: l.bias.dataSync().slice() as Float32Array,
    kernelSlots: l.kernelSlots.map((s) => s.dataSync().slice() as Float32Array),
    biasSlots: l.biasSlots.map((s) => s.dataSync().slice() as Float32Array),
  }));
}

/** A stem like `stem` (its pools and strides) with the conv layers of a checkpoint, in fresh variables. */
export function restoreStem(stem: ImageStem | undefined, saved: ConvCheckpoint[] | undefined): ImageStem | undefined {
  if (!stem) return undefined;
  if (!saved || saved.length !== convLayers(stem).length) throw new Error('the checkpoint does not hold this network\'s conv layers');
  let i = 0;
  const layers = stem.layers.map((l): StemLayer => {
    if (l.type === 'maxPool2d') return { ...l };
    const cp = saved[i++]!;
    const layer = makeConvLayer(cp.kernel, cp.kernelShape, cp.bias, cp.activation, l.strides);
    layer.frozen = cp.frozen;
    layer.kernelSlots = cp.kernelSlots.map((s) => tf.tidy(() => tf.variable(tf.tensor(s, cp.kernelShape), false)));
    layer.biasSlots = cp.biasSlots.map((s) => tf.tidy(() => tf.variable(tf.tensor1d(s), false)));
    return layer;
  });
  return { image: stem.image, layers };
}

/** Frees the stem's variables and slots. */
export function disposeStem(stem: ImageStem | undefined): void {
  for (const l of convLayers(stem)) {
    tf.dispose([l.kernel, l.bias, ...l.kernelSlots, ...l.biasSlots]);
    l.kernelSlots = [];
    l.biasSlots = [];
  }
}
