import { describe, expect, it } from 'vitest';
import { expandFeatures, FEATURE_FORMULAS } from './features.ts';
import { InputFeature } from './model-spec.schema.ts';

describe('input features in words and JavaScript', () => {
  it("each feature's expression, evaluated as a plain tf.js user would, gives what the engine computes", () => {
    const points = new Float32Array([-1, 1, -0.5, 0.25, 0, 0, 0.3, -0.7, 1, -1, 0.999, 0.001]);
    for (const name of InputFeature.options) {
      const fn = new Function('x1', 'x2', `return ${FEATURE_FORMULAS[name].expression};`) as (x1: number, x2: number) => number;
      const engine = expandFeatures(points, [name]);
      for (let i = 0; i < points.length / 2; i++) expect(Math.fround(fn(points[2 * i]!, points[2 * i + 1]!)), `${name} at point ${i}`).toBe(engine[i]);
    }
  });
});
