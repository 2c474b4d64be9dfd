import type { InputFeature } from './model-spec.schema.ts';

const FEATURE_FNS: Record<InputFeature, (x1: number, x2: number) => number> = {
  x1: (x1) => x1,
  x2: (_x1, x2) => x2,
  x1sq: (x1) => x1 * x1,
  x2sq: (_x1, x2) => x2 * x2,
  x1x2: (x1, x2) => x1 * x2,
  sinx1: (x1) => Math.sin(Math.PI * x1),
  sinx2: (_x1, x2) => Math.sin(Math.PI * x2),
};

/**
 * Each input feature in words and as a JavaScript expression of `x1` and `x2` (what an exported model's
 * `preprocessing` block gives, so that a plain tf.js user computes the same inputs; features.test.ts holds
 * each expression to the function above).
 */
export const FEATURE_FORMULAS: Record<InputFeature, { formula: string; expression: string }> = {
  x1: { formula: 'x1', expression: 'x1' },
  x2: { formula: 'x2', expression: 'x2' },
  x1sq: { formula: 'x1²', expression: 'x1 * x1' },
  x2sq: { formula: 'x2²', expression: 'x2 * x2' },
  x1x2: { formula: 'x1·x2', expression: 'x1 * x2' },
  sinx1: { formula: 'sin(π·x1)', expression: 'Math.sin(Math.PI * x1)' },
  sinx2: { formula: 'sin(π·x2)', expression: 'Math.sin(Math.PI * x2)' },
};

/** Turns n points (row-major, 2 columns) into n rows of the chosen input features. */
export function expandFeatures(points: Float32Array, features: readonly InputFeature[]): Float32Array {
  const n = points.length / 2;
  const out = new Float32Array(n * features.length);
  const fns = features.map((f) => FEATURE_FNS[f]);
  for (let i = 0; i < n; i++) {
    const x1 = points[2 * i]!;
    const x2 = points[2 * i + 1]!;
    for (let j = 0; j < fns.length; j++) out[i * fns.length + j] = fns[j]!(x1, x2);
  }
  return out;
}
