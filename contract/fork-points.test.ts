import { beforeAll, describe, expect, it } from 'vitest';
import { TrainJob } from '../shared/run.schema.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { forkPointAt, forkPoints } from './fork-points.ts';

/** A run that pauses, takes a manual checkpoint, rewinds twice (once to it) and changes its batch size on the way. */
const job = TrainJob.parse({
  runId: 'points',
  spec: { layers: [{ units: 6, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.02, batchSize: 16 },
  task: { name: 'xor' },
  seed: 4,
  budget: 16 * 130,
  checkpointEverySteps: 10,
  probeIntervalMs: 0,
  controls: [
    { step: 5, control: { type: 'setLearningRate', learningRate: 0.01 } },
    { step: 20, control: { type: 'pause' } },
    { step: 20, control: { type: 'resume' } },
    { step: 23, control: { type: 'checkpoint' } },
    { step: 23, control: { type: 'setBatchSize', batchSize: 8 } },
    { step: 41, control: { type: 'rewind', toStep: 23 } },
    { step: 30, control: { type: 'setLearningRate', learningRate: 0.03 } },
    { step: 55, control: { type: 'rewind', toStep: 30 } },
  ],
});

describe('fork points read from a control log', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('are the checkpoints the engine holds at the end, each with the controls it had applied', async () => {
    let held: Array<{ step: number; controlsApplied: number }> = [];
    const result = await runTraining(job, { onFinish: (s) => void (held = [...s.checkpoints.values()].map((cp) => ({ step: cp.step, controlsApplied: cp.controlsApplied })).sort((a, b) => a.step - b.step)) });
    expect(result.controls).toHaveLength(job.controls.length);
    const points = forkPoints(result.controls, job.checkpointEverySteps, result.steps);
    expect(points.map((p) => p.step)).toContain(23);
    expect(held.length).toBeGreaterThan(5);
    expect(points).toEqual(held);
    for (const p of points) expect(forkPointAt(result.controls, job.checkpointEverySteps, p.step)).toEqual(p);
    expect(forkPointAt(result.controls, job.checkpointEverySteps, 24), 'no checkpoint at step 24').toBeUndefined();
    expect(forkPointAt(result.controls, job.checkpointEverySteps, 30), 'taken again after the rewind to it, with the rewind applied').toEqual({ step: 30, controlsApplied: 8 });
  });
});
