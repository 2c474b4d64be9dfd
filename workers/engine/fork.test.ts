import { beforeAll, describe, expect, it } from 'vitest';
import { runFileOf, TrainJob } from '../../shared/run.schema.ts';
import { forkJob } from './fork.ts';
import { runTraining } from './training-loop.ts';
import { initBackend } from './tf-backend.ts';

const parent = TrainJob.parse({
  runId: 'parent',
  spec: { layers: [{ units: 10, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 20 },
  task: { name: 'circles' },
  seed: 12,
  budget: 3000,
  checkpointEverySteps: 25,
  controls: [{ step: 10, control: { type: 'setLearningRate', learningRate: 0.02 } }],
});

describe('forks', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('a fork with no controls of its own ends where its parent ends; with its own it branches, and its run file replays', async () => {
    const checkpoints = new Map<number, Uint8Array>();
    const result = await runTraining(parent, { onCheckpoint: (b, s) => checkpoints.set(s, b) });
    const at50 = checkpoints.get(50)!;

    const same = forkJob(parent, result.controls, at50, 'fork-a');
    expect(same.job.parent).toEqual({ runId: 'parent', step: 50 });
    const a = await runTraining(same.job, { resumeFrom: same.resumeFrom });
    expect(a.weightsHash).toBe(result.weightsHash);

    const other = forkJob(parent, result.controls, at50, 'fork-b', [{ step: 50, control: { type: 'setOptimizer', optimizer: 'sgd', learningRate: 0.1 } }]);
    const b = await runTraining(other.job, { resumeFrom: other.resumeFrom });
    expect(b.runId).toBe('fork-b');
    expect(b.weightsHash).not.toBe(result.weightsHash);
    expect(b.controls.map((c) => [c.step, c.control.type])).toEqual([
      [10, 'setLearningRate'],
      [50, 'setOptimizer'],
    ]);
    const file = runFileOf(other.job, b);
    expect(file.parent).toEqual({ runId: 'parent', step: 50 });
    const replay = await runTraining(TrainJob.parse({ runId: 'replay', spec: file.spec, task: file.task, seed: file.seed, budget: file.budget, controls: file.controls }));
    expect(replay.weightsHash).toBe(b.weightsHash);

    expect(() => forkJob(parent, result.controls, at50, 'x', [{ step: 3, control: { type: 'pause' } }])).toThrow('cannot take a control at step 3');
  });
});
