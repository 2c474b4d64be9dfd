import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, MAX_PARAMETERS, ModelSpec } from './model-spec.schema.ts';
import { parameterCount, trainFlopsPerSample } from './model-spec.metrics.ts';
import { TaskSpec } from './task.schema.ts';
import { checkSpecSize, describeZodError } from './validation.ts';

const spiral = TaskSpec.parse({ name: 'spiral' });

function errorOf(raw: unknown) {
  const parsed = ModelSpec.safeParse(raw);
  expect(parsed.success).toBe(false);
  return describeZodError(parsed.error!, 'spec');
}

describe('ModelSpec', () => {
  it('accepts a good spec and fills in the default optimizer', () => {
    const parsed = ModelSpec.parse({ layers: [{ units: 8, activation: 'tanh' }], learningRate: 0.1, batchSize: 16 });
    expect(parsed.optimizer).toBe('adam');
    expect(ModelSpec.parse(DEFAULT_SPEC)).toEqual(DEFAULT_SPEC);
  });

  it.each([
    [{ ...DEFAULT_SPEC, layers: [{ units: 0, activation: 'relu' }] }, 'spec.layers.0.units', 'at least 1'],
    [{ ...DEFAULT_SPEC, layers: [{ units: 16, activation: 'relu' }, { units: 2.5, activation: 'relu' }] }, 'spec.layers.1.units', 'whole number'],
    [{ ...DEFAULT_SPEC, layers: [{ units: 5000, activation: 'relu' }] }, 'spec.layers.0.units', 'at most 1024'],
    [{ ...DEFAULT_SPEC, layers: [{ units: 8, activation: 'softmax' }] }, 'spec.layers.0.activation', ''],
    [{ ...DEFAULT_SPEC, layers: [] }, 'spec.layers', 'at least one hidden layer'],
    [{ ...DEFAULT_SPEC, learningRate: -1 }, 'spec.learningRate', 'greater than 0'],
    [{ ...DEFAULT_SPEC, learningRate: 'fast' }, 'spec.learningRate', 'must be a number'],
    [{ ...DEFAULT_SPEC, batchSize: 0 }, 'spec.batchSize', 'at least 1'],
    [{ ...DEFAULT_SPEC, optimizer: 'lbfgs' }, 'spec.optimizer', ''],
  ])('refuses %j, naming %s', (raw, field, words) => {
    const err = errorOf(raw);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
    expect(err.message).toContain(words);
  });

  it('counts parameters and FLOPs of a 2-16-16-2 network', () => {
    expect(parameterCount(DEFAULT_SPEC, 2, 2)).toBe(2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2);
    expect(trainFlopsPerSample(DEFAULT_SPEC, 2, 2)).toBe(6 * 354);
  });

  it('refuses a network over the size cap and says so', () => {
    const big = ModelSpec.parse({ ...DEFAULT_SPEC, layers: [{ units: 1024, activation: 'relu' }, { units: 1024, activation: 'relu' }] });
    const err = checkSpecSize(big, spiral);
    expect(err?.field).toBe('spec.layers');
    expect(err?.message).toMatch(/1,054,\d{3} parameters.*at most 1,000,000/);
    expect(parameterCount(big, 2, 2)).toBeGreaterThan(MAX_PARAMETERS);
    expect(checkSpecSize(DEFAULT_SPEC, spiral)).toBeUndefined();
  });
});
