import type { DenseLayer } from './network.ts';

/** An activation as the fast path names it (hidden layers' activations and the output layer's identity). */
export type FastActivation = DenseLayer['activation'];

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The activation of one value. */
export function act(z: number, a: FastActivation): number {
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

/** tanh is within 4e-9 of ±1 beyond this; the table covers [0, TANH_LIMIT]. */
const TANH_LIMIT = 10;
/** Table points per unit of x. */
const TANH_SCALE = 64;
/** tanh and its derivative (scaled to one table step) at each table point. */
const TANH_VALUE = new Float64Array(TANH_LIMIT * TANH_SCALE + 2);
const TANH_SLOPE = new Float64Array(TANH_LIMIT * TANH_SCALE + 2);
for (let i = 0; i < TANH_VALUE.length; i++) {
  const y = Math.tanh(i / TANH_SCALE);
  TANH_VALUE[i] = y;
  TANH_SLOPE[i] = (1 - y * y) / TANH_SCALE;
}

/**
 * tanh to within about 1e-9 (cubic Hermite interpolation of a table), several
 * times cheaper than Math.tanh. Only for measuring (a frame's evaluation):
 * training keeps Math.tanh, so weights replay to the bit.
 */
export function tanhApprox(z: number): number {
  const x = z < 0 ? -z : z;
  if (!(x < TANH_LIMIT)) return z !== z ? z : z < 0 ? -1 : 1;
  const u = x * TANH_SCALE;
  const i = u | 0;
  const t = u - i;
  const y0 = TANH_VALUE[i]!;
  const y1 = TANH_VALUE[i + 1]!;
  const d0 = TANH_SLOPE[i]!;
  const d1 = TANH_SLOPE[i + 1]!;
  const r = y0 + t * (d0 + t * (3 * (y1 - y0) - 2 * d0 - d1 + t * (2 * (y0 - y1) + d0 + d1)));
  return z < 0 ? -r : r;
}

/** Like activateRows, with tanhApprox for tanh: for evaluation, never for training. */
export function activateRowsForEval(a: FastActivation, z: Float64Array, out: Float64Array, count: number): void {
  if (a !== 'tanh') return activateRows(a, z, out, count);
  for (let i = 0; i < count; i++) out[i] = tanhApprox(z[i]!);
}

/** 2^(i/256) for i in [0, 256]: the fraction's table of expApprox. */
const EXP2_FRACTION = Float64Array.from({ length: 257 }, (_, i) => 2 ** (i / 256));
/** 2^-k for k in [0, 1100] (down into the subnormals): the exponent's table of expApprox. */
const EXP2_NEGATIVE = Float64Array.from({ length: 1101 }, (_, k) => 2 ** -k);

/**
 * e^x for x ≤ 0 to a relative error of about 1e-12 (two table look-ups and a
 * short polynomial), several times cheaper than Math.exp. Only for measuring
 * (a frame's loss): training keeps Math.exp.
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
