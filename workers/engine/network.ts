import * as tf from '@tensorflow/tfjs';
import type { Activation, ModelSpec } from '../../shared/model-spec.schema.ts';
import { layerWidths } from '../../shared/model-spec.metrics.ts';
import { createRng } from '../../shared/random.ts';

/** One dense layer's trainable variables and its activation. */
export interface DenseLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
  activation: Activation | 'logits';
}

/** A dense network held as plain tf.js variables, so it can be steered layer by layer. */
export interface Network {
  layers: DenseLayer[];
  inputDim: number;
  outputDim: number;
}

function activate(x: tf.Tensor2D, activation: DenseLayer['activation']): tf.Tensor2D {
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
    case 'logits':
      return x;
  }
}

/**
 * Builds a network from a spec with weights drawn from the arena's own seeded
 * generator (He-normal for ReLU-like layers, Glorot-normal otherwise), so the
 * initial weights are the same on every backend and machine.
 */
export function buildNetwork(spec: ModelSpec, inputDim: number, outputDim: number, seed: number): Network {
  const widths = layerWidths(spec, inputDim, outputDim);
  const rng = createRng(seed);
  const layers: DenseLayer[] = [];
  for (let i = 1; i < widths.length; i++) {
    const fanIn = widths[i - 1]!;
    const fanOut = widths[i]!;
    const activation = i <= spec.layers.length ? spec.layers[i - 1]!.activation : 'logits';
    const reluLike = activation === 'relu' || activation === 'leakyRelu' || activation === 'elu' || activation === 'swish';
    const std = reluLike ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
    const w = new Float32Array(fanIn * fanOut);
    for (let k = 0; k < w.length; k++) w[k] = rng.normal() * std;
    layers.push({
      kernel: tf.tidy(() => tf.variable(tf.tensor2d(w, [fanIn, fanOut]), true)),
      bias: tf.tidy(() => tf.variable(tf.zeros([fanOut]), true)),
      activation,
    });
  }
  return { layers, inputDim, outputDim };
}

/** Logits of the network for a batch of inputs. */
export function forward(net: Network, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (const layer of net.layers) {
    h = activate(tf.add(tf.matMul(h, layer.kernel), layer.bias), layer.activation);
  }
  return h;
}

/** Every trainable variable, in layer order (kernel, bias, kernel, bias, …). */
export function variables(net: Network): tf.Variable[] {
  return net.layers.flatMap((l) => [l.kernel, l.bias]);
}

/** Frees the network's variables. */
export function disposeNetwork(net: Network): void {
  for (const v of variables(net)) v.dispose();
}
