import * as tf from '@tensorflow/tfjs';
import { isDenseLayer, type Activation, type ModelSpec } from '../../shared/model-spec.schema.ts';
import type { ImageShape } from '../../shared/model-spec.shapes.ts';
import type { Rng } from '../../contract/random.ts';
import { buildStem, convLayers, disposeStem, runStem, type ConvLayer, type ImageStem } from './image-stem.ts';
import { initStd } from './initializers.ts';

/** Optimizer slots of one variable (momentum, moments, …), owned by the layer. */
export type Slots = tf.Variable[];

/** One dense layer: its variables, its activation, and how it trains. */
export interface DenseLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
  /** Hidden layers have an activation; the output layer gives raw logits (or the regression value). */
  activation: Activation | 'output';
  dropout: number;
  frozen: boolean;
  kernelSlots: Slots;
  biasSlots: Slots;
}

/** A network held as plain tf.js variables, so it can be steered layer by layer. */
export interface Network {
  /** The dense layers, the output layer last. */
  layers: DenseLayer[];
  inputDim: number;
  outputDim: number;
  /** Conv nets only: the image layers (conv2d, maxPool2d) before the dense ones. */
  stem?: ImageStem;
}

/** A layer with weights the optimizer trains: a conv or a dense layer. */
export type TrainableLayer = DenseLayer | ConvLayer;

/** Whether the network is dense layers only (no conv2d or maxPool2d layers): the fast paths train only those. */
export function isDenseNetwork(net: Network): boolean {
  return !net.stem;
}

/** The layers with weights, in order: conv layers, then the dense layers (the output layer last). */
export function trainableLayers(net: Network): TrainableLayer[] {
  return [...convLayers(net.stem), ...net.layers];
}

/**
 * Where a spec's layer index lands in the network: control layer indices
 * count the spec's layers (conv2d, maxPool2d, flatten and dense hidden layers,
 * then the output layer at `layers.length`, with any layers added or removed
 * live). For a dense network they are the dense layers' indices.
 */
export type LayerAt = { kind: 'conv'; layer: ConvLayer } | { kind: 'maxPool2d' | 'flatten' } | { kind: 'dense'; dense: number } | undefined;

/** Spec layer indices before the first dense layer: the stem's layers and the flatten. */
export function denseOffset(net: Network): number {
  return net.stem ? net.stem.layers.length + 1 : 0;
}

/** The layer at a spec layer index (see `LayerAt`); undefined past the output layer. */
export function layerAt(net: Network, index: number): LayerAt {
  const stem = net.stem?.layers ?? [];
  if (index < stem.length) {
    const l = stem[index]!;
    return l.type === 'conv2d' ? { kind: 'conv', layer: l } : { kind: 'maxPool2d' };
  }
  if (net.stem && index === stem.length) return { kind: 'flatten' };
  const dense = index - denseOffset(net);
  return dense < net.layers.length ? { kind: 'dense', dense } : undefined;
}

/** Applies an activation by name. */
export function activate(x: tf.Tensor2D, activation: DenseLayer['activation']): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.01);
    case 'elu':
      return tf.elu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    case 'linear':
    case 'output':
      return x;
  }
}

/** A new layer from given weights (copied into fresh variables). */
export function makeLayer(kernel: Float32Array, bias: Float32Array, fanIn: number, fanOut: number, activation: DenseLayer['activation'], dropout = 0): DenseLayer {
  return {
    kernel: tf.tidy(() => tf.variable(tf.tensor2d(kernel, [fanIn, fanOut]), true)),
    bias: tf.tidy(() => tf.variable(tf.tensor1d(bias), true)),
    activation,
    dropout,
    frozen: false,
    kernelSlots: [],
    biasSlots: [],
  };
}

/**
 * Builds a network from a spec with weights drawn from the arena's own seeded
 * generator, so the initial weights are the same on every backend and machine.
 * Conv nets need `image`, the shape the flat input is read as; their conv
 * kernels are drawn first, then the dense layers'.
 */
export function buildNetwork(spec: ModelSpec, inputDim: number, outputDim: number, rng: Rng, image?: ImageShape): Network {
  const stem = buildStem(spec, image, rng);
  const dense = spec.layers.filter(isDenseLayer);
  const firstWidth = stem ? stemOutputSize(stem) : inputDim;
  const widths = [firstWidth, ...dense.map((l) => l.units), outputDim];
  const layers: DenseLayer[] = [];
  for (let i = 1; i < widths.length; i++) {
    const fanIn = widths[i - 1]!;
    const fanOut = widths[i]!;
    const hidden = dense[i - 1];
    const activation = hidden ? hidden.activation : 'output';
    const { std, uniform } = initStd(spec.initializer, activation, fanIn, fanOut);
    const w = new Float32Array(fanIn * fanOut);
    for (let k = 0; k < w.length; k++) w[k] = uniform ? (rng.next() * 2 - 1) * std : rng.normal() * std;
    layers.push(makeLayer(w, new Float32Array(fanOut), fanIn, fanOut, activation, hidden?.dropout ?? 0));
  }
  return { layers, inputDim, outputDim, ...(stem ? { stem } : {}) };
}

/** Values per sample the stem hands to the dense layers. */
function stemOutputSize(stem: ImageStem): number {
  let [h, w, c] = stem.image;
  for (const l of stem.layers) {
    if (l.type === 'maxPool2d') {
      h = Math.floor(h / l.poolSize);
      w = Math.floor(w / l.poolSize);
    } else {
      const [k, , , f] = l.kernel.shape as number[];
      h = Math.floor((h - k!) / l.strides) + 1;
      w = Math.floor((w - k!) / l.strides) + 1;
      c = f!;
    }
  }
  return h * w * c;
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Seed for this pass's dropout masks; no dropout without it. */
  dropoutSeed?: number;
  /** Receives each hidden layer's output, indexed as `trainableLayers` (conv layers' outputs flattened to [n, values]). */
  onHidden?: (layer: number, output: tf.Tensor2D) => void;
  /** Receives each conv layer's output [n, height, width, filters], with its index among the conv layers. */
  onFeatureMaps?: (conv: number, output: tf.Tensor4D) => void;
  /** The input itself needs a gradient (a GAN's discriminator reading generated points); default false. */
  inputNeedsGrad?: boolean;
}

/**
 * Transposes a matrix. The wasm backend's transpose (and its transposed
 * matMul, which tf.js's matMul gradient uses) runs a slow generic loop: on a
 * 64×784 batch it takes over 10 ms, far more than the multiplication. A copy
 * through JavaScript takes a fraction of a millisecond and is exact.
 */
function transpose2d(t: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.transpose(t);
  const [r, c] = t.shape;
  const src = t.dataSync();
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[i * c + j]!;
  return tf.tensor2d(out, [c, r]);
}

/** x·W + b with a gradient that multiplies by explicit transposes (see `transpose2d`). */
const affine = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(g, transpose2d(sw)), tf.matMul(transpose2d(sx), g), tf.sum(g, 0)];
    },
  };
});

/** The first layer's x·W + b: its input needs no gradient, so none is computed. */
const inputAffine = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [sx] = saved as [tf.Tensor2D];
      return [tf.zerosLike(sx), tf.matMul(transpose2d(sx), g), tf.sum(g, 0)];
    },
  };
});

/** Network output for a batch: logits for classification, the value for regression. */
export function forward(net: Network, x: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
  let h = x;
  const convs = net.stem ? convLayers(net.stem).length : 0;
  if (net.stem) {
    h = runStem(net.stem, x, (t, a) => activate(t as tf.Tensor2D, a), (i, out) => {
      options.onFeatureMaps?.(i, out);
      if (options.onHidden) options.onHidden(i, tf.reshape(out, [out.shape[0], -1]));
    }, options.inputNeedsGrad);
  }
  net.layers.forEach((layer, i) => {
    const z = (i === 0 && !net.stem && !options.inputNeedsGrad ? inputAffine : affine)(h, layer.kernel, layer.bias) as tf.Tensor2D;
    h = activate(z, layer.activation);
    if (layer.activation !== 'output') {
      options.onHidden?.(convs + i, h);
      if (options.dropoutSeed !== undefined && layer.dropout > 0) h = tf.dropout(h, layer.dropout, undefined, options.dropoutSeed + i) as tf.Tensor2D;
    }
  });
  return h;
}

/** Every variable, in layer order (kernel, bias, kernel, bias, …; conv layers first). */
export function variables(net: Network): tf.Variable[] {
  return trainableLayers(net).flatMap((l) => [l.kernel, l.bias]);
}

/** Frees a layer's variables and optimizer slots. */
export function disposeLayer(layer: DenseLayer): void {
  tf.dispose([layer.kernel, layer.bias, ...layer.kernelSlots, ...layer.biasSlots]);
  layer.kernelSlots = [];
  layer.biasSlots = [];
}

/** Frees the network's variables and slots. */
export function disposeNetwork(net: Network): void {
  disposeStem(net.stem);
  for (const layer of net.layers) disposeLayer(layer);
}
