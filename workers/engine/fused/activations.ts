import type { DenseLayer } from '../network.ts';

type Activation = DenseLayer['activation'];

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * z ← z + b (row by row, b of `width` floats) and a ← act(z), over the rows of
 * a batch. The bias is added after the product, as tf.js adds it, so the
 * float32 sums round alike. For a linear layer `a` may be `z` itself.
 */
export function biasActivate(z: Float32Array, b: Float32Array, a: Float32Array, width: number, activation: Activation): void {
  const n = z.length;
  for (let i = 0, j = 0; i < n; i++, j = j + 1 === width ? 0 : j + 1) z[i] = z[i]! + b[j]!;
  switch (activation) {
    case 'relu':
      for (let i = 0; i < n; i++) a[i] = z[i]! > 0 ? z[i]! : 0;
      return;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) a[i] = z[i]! > 0 ? z[i]! : 0.01 * z[i]!;
      return;
    case 'elu':
      for (let i = 0; i < n; i++) a[i] = z[i]! > 0 ? z[i]! : Math.expm1(z[i]!);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) a[i] = Math.tanh(z[i]!);
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) a[i] = sigmoid(z[i]!);
      return;
    case 'swish':
      for (let i = 0; i < n; i++) a[i] = z[i]! * sigmoid(z[i]!);
      return;
    case 'linear':
    case 'output':
      if (a !== z) a.set(z);
      return;
  }
}

/** d ← d ⊙ act′(z), in place, given the pre-activation z and the activation's output a. */
export function activationGrad(d: Float32Array, z: Float32Array, a: Float32Array, activation: Activation): void {
  const n = d.length;
  switch (activation) {
    case 'relu':
      for (let i = 0; i < n; i++) if (!(z[i]! > 0)) d[i] = 0;
      return;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) if (!(z[i]! > 0)) d[i] = d[i]! * 0.01;
      return;
    case 'elu':
      for (let i = 0; i < n; i++) if (!(z[i]! > 0)) d[i] = d[i]! * (a[i]! + 1);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) d[i] = d[i]! * (1 - a[i]! * a[i]!);
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) d[i] = d[i]! * a[i]! * (1 - a[i]!);
      return;
    case 'swish':
      for (let i = 0; i < n; i++) {
        const s = sigmoid(z[i]!);
        d[i] = d[i]! * (s + z[i]! * s * (1 - s));
      }
      return;
    case 'linear':
    case 'output':
      return;
  }
}
