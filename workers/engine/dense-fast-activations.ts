import { activationValue } from '../../shared/activation-value.ts';
import type { DenseLayer } from './network.ts';

/** An activation as the fast path names it (hidden layers' activations and the output layer's identity). */
export type FastActivation = DenseLayer['activation'];

/** The activation of one value. */
export const act: (z: number, a: FastActivation) => number = activationValue;

/** out[i] = act(z[i]) for the first `count` values, one loop per activation so each loop stays monomorphic. */
export function activateRows(a: FastActivation, z: Float64Array, out: Float64Array, count: number): void {
  switch (a) {
    case 'relu':
      for (let i = 0; i < count; i++) out[i] = z[i]! > 0 ? z[i]! : 0;
      return;
    case 'tanh':
      for (let i = 0; i < count; i++) out[i] = Math.tanh(z[i]!);
      return;
    case 'linear':
    case 'output':
      for (let i = 0; i < count; i++) out[i] = z[i]!;
      return;
    default:
      for (let i = 0; i < count; i++) out[i] = act(z[i]!, a);
  }
}

/**
 * tanh of the first `count` values of z into out, from expNonPositiveApprox: (1 − e)/(1 + e) with e = e^(−2|z|),
 * the sign put back. Within 2e-15 of Math.tanh (absolute; |tanh| ≤ 1), a third cheaper. The fast path's
 * second arithmetic (see TrainJob.arithmetic).
 */
export function tanhRowsApprox(z: Float64Array, out: Float64Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const x = z[i]!;
    const e = expNonPositiveApprox(-2 * Math.abs(x));
    const t = (1 - e) / (1 + e);
    out[i] = x < 0 ? -t : t;
  }
}

/**
 * Rows whose softmax sums are multiplied before one logarithm of their product (each sum is at most the
 * class count, 10: no overflow), in a frame's loss and in the second arithmetic's training loss.
 */
export const SOFTMAX_LOG_EVERY = 32;

/** 2^(i/256) for i in [0, 256]: the fraction's table of expApprox. */
const EXP2_FRACTION = Float64Array.from({ length: 257 }, (_, i) => 2 ** (i / 256));
/** 2^-k for k in [0, 1100] (down into the subnormals): the exponent's table of expApprox. */
const EXP2_NEGATIVE = Float64Array.from({ length: 1101 }, (_, k) => 2 ** -k);

/**
 * e^x for x ≤ 0 to a relative error within about 4e-15 (measured; two table look-ups and a
 * short polynomial), cheaper than Math.exp. For measuring (a frame's loss), and for training
 * in the fast path's second arithmetic only (see TrainJob.arithmetic).
 */
export function expNonPositiveApprox(x: number): number {
  if (!(x > -745)) return x !== x ? x : 0;
  const y = -x * Math.LOG2E * 256; // e^x = 2^(-y/256)
  const whole = Math.ceil(y);
  const r = ((whole - y) / 256) * Math.LN2; // e^x = 2^(-whole/256) · e^r, 0 ≤ r < ln2/256
  const k = whole >> 8;
  const i = whole & 255;
  const er = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24))));
  // 2^(-whole/256) = 2^-k · 2^(-i/256) = 2^-(k+1) · 2^((256-i)/256)
  return EXP2_NEGATIVE[k + 1]! * EXP2_FRACTION[256 - i]! * er;
}
