import { describe, expect, it } from 'vitest';
import { checkpointBytes, keptCheckpointLimit, KEPT_CHECKPOINT_BYTES, listedCheckpointLimit, MAX_KEPT_CHECKPOINTS, MIN_KEPT_CHECKPOINTS } from './kept-checkpoints.ts';
import { ModelSpec } from './model-spec.schema.ts';
import { newTrainJob, TrainJob } from './run.schema.ts';
import { TaskSpec } from './task.schema.ts';

const spiral = TaskSpec.parse({ name: 'spiral', samples: 500 });
const mnist = TaskSpec.parse({ name: 'mnist', samples: 3000 });
const spec = (units: number[], optimizer: 'sgd' | 'adam' = 'adam') => ModelSpec.parse({ layers: units.map((u) => ({ units: u, activation: 'relu' })), optimizer, learningRate: 0.01, batchSize: 64 });

describe('how many checkpoints a run keeps', () => {
  it('keeps 200 of a tiny net, as runs always have, and fewer of a large one, about 64 MiB of them', () => {
    expect(keptCheckpointLimit({ spec: spec([4]), task: spiral })).toBe(MAX_KEPT_CHECKPOINTS);
    // 784-128-10: 101,770 parameters, three float32 copies (weights and Adam's two slots), and 3,000 points' order
    expect(checkpointBytes(spec([128]), mnist)).toBe(12 * 101_770 + 4 * 3000);
    const limit = keptCheckpointLimit({ spec: spec([128]), task: mnist });
    expect(limit).toBe(Math.floor(KEPT_CHECKPOINT_BYTES / (12 * 101_770 + 4 * 3000)));
    expect(limit).toBeGreaterThan(40);
    expect(limit).toBeLessThan(60);
    expect(limit * checkpointBytes(spec([128]), mnist)).toBeLessThanOrEqual(KEPT_CHECKPOINT_BYTES);
    // A run on SGD may switch to Adam: the bound is the same.
    expect(keptCheckpointLimit({ spec: spec([128], 'sgd'), task: mnist })).toBe(limit);
  });

  it('keeps at least a few of the largest network the arena trains', () => {
    const largest = spec([1000, 200]); // 784·1000 + 1000 + 1000·200 + 200 + 200·10 + 10: just under a million parameters
    expect(checkpointBytes(largest, mnist)).toBeGreaterThan(KEPT_CHECKPOINT_BYTES / MIN_KEPT_CHECKPOINTS);
    expect(keptCheckpointLimit({ spec: largest, task: mnist })).toBe(MIN_KEPT_CHECKPOINTS);
  });

  it("is set on a new run's job, and absent from a job parsed as stored (which keeps to the old rule)", () => {
    const input = { runId: 'r', spec: spec([128]), task: mnist, seed: 1, budget: 1000 };
    expect(newTrainJob(input).keepCheckpoints).toBe(keptCheckpointLimit({ spec: spec([128]), task: mnist }));
    expect(newTrainJob({ ...input, keepCheckpoints: 9 }).keepCheckpoints).toBe(9);
    expect(TrainJob.parse(input).keepCheckpoints).toBeUndefined();
    expect(TrainJob.safeParse({ ...input, keepCheckpoints: 2 }).success, 'fewer than the fewest').toBe(false);
    expect(TrainJob.safeParse({ ...input, keepCheckpoints: 201 }).success, 'more than the most').toBe(false);
  });

  it("lists one fewer than it keeps when the spec stops early (the engine also holds early stopping's best), and no limit when the job names none", () => {
    expect(listedCheckpointLimit({ keepCheckpoints: 54, spec: spec([128]) })).toBe(54);
    expect(listedCheckpointLimit({ keepCheckpoints: 54, spec: { ...spec([128]), earlyStopping: { patience: 10_000 } } })).toBe(53);
    expect(listedCheckpointLimit({ spec: spec([128]) })).toBeUndefined();
  });
});
