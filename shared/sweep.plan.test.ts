import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from './model-spec.schema.ts';
import { bestTrial, planSweep, trialSpec } from './sweep.plan.ts';
import { SweepRequest } from './sweep.schema.ts';
import { describeZodError } from './validation.ts';

const refusal = (input: unknown) => {
  const r = SweepRequest.safeParse(input);
  return r.success ? undefined : describeZodError(r.error).message;
};

describe('sweep requests and plans', () => {
  it('a grid trains every combination, learning rate slowest', () => {
    const r = SweepRequest.parse({ method: 'grid', learningRates: [0.01, 0.1], batchSizes: [16], widths: [4, 8] });
    expect(planSweep(r, 1)).toEqual([
      { learningRate: 0.01, batchSize: 16, width: 4 },
      { learningRate: 0.01, batchSize: 16, width: 8 },
      { learningRate: 0.1, batchSize: 16, width: 4 },
      { learningRate: 0.1, batchSize: 16, width: 8 },
    ]);
  });

  it('random search draws the same trials for the same seed, within the listed range, and others for another seed', () => {
    const r = SweepRequest.parse({ method: 'random', learningRates: [0.001, 0.3], batchSizes: [8, 32, 64], widths: [4, 16], trials: 12 });
    const a = planSweep(r, 7);
    expect(a).toHaveLength(12);
    expect(planSweep(r, 7)).toEqual(a);
    expect(planSweep(r, 8)).not.toEqual(a);
    for (const p of a) {
      expect(p.learningRate).toBeGreaterThanOrEqual(0.001);
      expect(p.learningRate).toBeLessThanOrEqual(0.3);
      expect([8, 32, 64]).toContain(p.batchSize);
      expect([4, 16]).toContain(p.width);
    }
    expect(new Set(a.map((p) => p.learningRate)).size).toBeGreaterThan(6);
  });

  it('refuses bad requests in words', () => {
    expect(refusal({ method: 'grid', learningRates: [0.1, 0.01, 0.03], batchSizes: [8, 16, 32], widths: [4, 8] })).toMatch(/the grid has 18 trials \(3 learning rates × 3 batch sizes × 2 widths\): at most 16/);
    expect(refusal({ method: 'random', learningRates: [0.1], batchSizes: [8], widths: [4], trials: 17 })).toBe('trials: trials must be at most 16');
    expect(refusal({ method: 'grid', learningRates: [0], batchSizes: [8], widths: [4] })).toBe('learningRates.0: learningRates must be greater than 0');
    expect(refusal({ method: 'grid', learningRates: [0.1, 0.1], batchSizes: [8], widths: [4] })).toBe('learningRates: learningRates must not repeat a value');
    expect(refusal({ method: 'grid', learningRates: [0.1], batchSizes: [8], widths: [4], budgetPerTrial: 10_000_000 })).toBe('budgetPerTrial: budgetPerTrial must be at most 200000 samples');
    expect(refusal({ method: 'bayes', learningRates: [0.1], batchSizes: [8], widths: [4] })).toBe('method: method must be grid or random');
    expect(refusal({ method: 'grid', learningRates: [], batchSizes: [8], widths: [4] })).toBe('learningRates: learningRates needs at least one value');
  });

  it('a trial network is the base with its learning rate, batch size and every dense width', () => {
    const s = trialSpec(DEFAULT_SPEC, { learningRate: 0.05, batchSize: 8, width: 3 });
    expect(s).toMatchObject({ learningRate: 0.05, batchSize: 8, optimizer: DEFAULT_SPEC.optimizer });
    expect(s.layers.map((l) => ('units' in l ? l.units : 0))).toEqual([3, 3]);
  });

  it('ranks by validation accuracy, then validation loss; unfinished trials are skipped', () => {
    expect(bestTrial([{ valAccuracy: 0.8, valLoss: 0.3 }, undefined, { valAccuracy: 0.9, valLoss: 0.5 }, { valAccuracy: 0.9, valLoss: 0.4 }])).toBe(3);
    expect(bestTrial([undefined, undefined])).toBe(-1);
  });
});
