import type { Activation } from './model-spec.schema.ts';

/** An activation as a forward pass applies it: a hidden layer's, or the output layer's identity. */
export type LayerActivation = Activation | 'output';

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The activation of one value, as the engine's tf.js ops compute it (leaky ReLU's slope is 0.01). */
export function activationValue(z: number, a: LayerActivation): number {
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
