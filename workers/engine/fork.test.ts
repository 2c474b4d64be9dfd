import { beforeAll, describe, expect, it } from 'vitest';
import { runFileOf, TrainJob } from '../../shared/run.schema.ts';
import { replayForkJob } from '../../contract/fork-job.ts';
import { forkPoints } from '../../contract/fork-points.ts';
import { encodeCheckpoint } from './checkpoint.ts';
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

  it('a fork that replays its parent up to a checkpoint (no bytes) trains exactly as one resumed from the bytes, and tells nothing before it', async () => {
    const withRewind = TrainJob.parse({ ...parent, runId: 'rewinding', budget: 20 * 160, checkpointEverySteps: 20, controls: [...parent.controls, { step: 33, control: { type: 'checkpoint' } }, { step: 71, control: { type: 'rewind', toStep: 33 } }, { step: 50, control: { type: 'setBatchSize', batchSize: 10 } }] });
    const bytes = new Map<number, Uint8Array>();
    const result = await runTraining(withRewind, { onFinish: (s) => void [...s.checkpoints.values()].forEach((cp) => bytes.set(cp.step, encodeCheckpoint(cp))) });
    const points = forkPoints(result.controls, withRewind.checkpointEverySteps, result.steps);
    for (const at of [points.find((p) => p.step === 33)!, points.find((p) => p.step === 40)!, points.find((p) => p.step === 60)!]) {
      const replayed = replayForkJob(withRewind, result.controls, at, `replay-${at.step}`);
      expect(replayed.parent).toEqual({ runId: 'rewinding', step: at.step, controlsApplied: at.controlsApplied });
      const frames: number[] = [];
      const events: string[] = [];
      const viaReplay = await runTraining(replayed, { onFrame: (f) => frames.push(f.step), onEvent: (e) => events.push(`${e.step}:${e.type}`) });
      const fromBytes = forkJob(withRewind, result.controls, bytes.get(at.step)!, `bytes-${at.step}`);
      const viaBytes = await runTraining(fromBytes.job, { resumeFrom: fromBytes.resumeFrom });
      expect(viaReplay.weightsHash, `fork at step ${at.step}`).toBe(viaBytes.weightsHash);
      expect(viaReplay.controls).toEqual(viaBytes.controls);
      expect(frames[0], 'its first frame comes after the checkpoint').toBeGreaterThan(at.step);
      expect(events.filter((e) => Number(e.split(':')[0]) < at.step), 'none of the parent\'s events are told again').toEqual([]);
    }
    const ended = replayForkJob(withRewind, result.controls, { step: result.steps + 40, controlsApplied: result.controls.length }, 'too-far');
    await expect(runTraining(ended)).rejects.toThrow(/ended at step \d+ without reaching its checkpoint/);
  });
});
