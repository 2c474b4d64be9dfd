import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoggedControl } from '../../shared/control.schema.ts';
import { DEFAULT_SPEC, type ModelSpec } from '../../shared/model-spec.schema.ts';
import { TrainJob, type RunResult, type TelemetryFrame } from '../../shared/run.schema.ts';
import { bestCheckpoint } from './best-checkpoint.ts';
import { initBackend } from './tf-backend.ts';
import { runTraining } from './training-loop.ts';

const spec: ModelSpec = { ...DEFAULT_SPEC, batchSize: 16 };
const job = (controls: LoggedControl[], over: Partial<ModelSpec> = {}, budget = 60_000) => TrainJob.parse({ runId: 't', spec: { ...spec, ...over }, task: { name: 'spiral' }, seed: 7, budget, controls });
/** A learning rate so large that the run gets worse after it: the best point is behind it. */
const wreck = (step: number): LoggedControl => ({ step, control: { type: 'setLearningRate', learningRate: 5 } });
const replay = (r: RunResult, over: Partial<ModelSpec> = {}, budget = 60_000) => runTraining(job(r.controls, over, budget));

describe('stop and keep best', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('stop ends the run at its step, with the samples spent so far, and replays to the same weights', async () => {
    const frames: TelemetryFrame[] = [];
    const result = await runTraining(job([{ step: 100, control: { type: 'stop' } }]), { onFrame: (f) => frames.push(f) });
    expect(result).toMatchObject({ status: 'finished', steps: 100, samples: 1600 });
    expect(frames.at(-1)!.samples).toBe(1600);
    expect(result.controls).toEqual([{ step: 100, control: { type: 'stop' } }]);
    expect((await replay(result)).weightsHash).toBe(result.weightsHash);
  });

  it('keepBest restores the checkpoint with the best validation score, logs the step it chose and replays exactly', async () => {
    const frames: TelemetryFrame[] = [];
    const result = await runTraining(job([wreck(1200), { step: 1400, control: { type: 'keepBest' } }]), { onFrame: (f) => frames.push(f) });
    const kept = result.controls.at(-1)!;
    expect(kept).toMatchObject({ step: 1400, control: { type: 'keepBest', toStep: expect.any(Number) } });
    const toStep = (kept.control as { toStep: number }).toStep;
    expect(toStep % 50, 'an automatic checkpoint').toBe(0);
    expect(toStep).toBeLessThanOrEqual(1400);
    expect(result.samples, 'the samples spent stay spent').toBe(1400 * 16);
    expect(result.steps).toBe(toStep);
    // The wrecked stretch is worse than what was kept, and what was kept is at least as good as any frame measured before the keep.
    const wrecked = frames.filter((f) => f.step > 1250 && f.step <= 1400);
    expect(Math.min(...wrecked.map((f) => f.valAccuracy))).toBeLessThan(result.final.valAccuracy);
    const scoredFrames = frames.filter((f) => f.step % 50 === 0 && f.step <= 1400).map((f) => ({ step: f.step, loss: f.valLoss, accuracy: f.valAccuracy }));
    expect(result.final.valAccuracy).toBeGreaterThanOrEqual(bestCheckpoint(scoredFrames, 'classification')!.accuracy - 1e-6);
    // The replay restores the logged step without scoring: same weights, same samples.
    const again = await replay(result);
    expect(again).toMatchObject({ weightsHash: result.weightsHash, samples: result.samples, steps: result.steps });
  });

  it('early stopping with patience keeps the best checkpoint once the validation score stops improving, logged as keepBest, and replays exactly', async () => {
    const rule = { earlyStopping: { patience: 4000 } };
    const before = tf.memory().numTensors;
    const result = await runTraining(job([wreck(1500)], rule));
    expect(tf.memory().numTensors, 'scoring checkpoints leaks no tensors').toBe(before);
    const kept = result.controls.at(-1)!;
    expect(kept.control).toMatchObject({ type: 'keepBest', toStep: expect.any(Number) });
    expect(result.samples, 'it ended before the budget').toBeLessThan(60_000);
    expect(result.samples - ((kept.control as { toStep: number }).toStep * 16)).toBeGreaterThanOrEqual(4000);
    const again = await replay(result, rule);
    expect(again).toMatchObject({ weightsHash: result.weightsHash, samples: result.samples });
    expect(again.controls).toEqual(result.controls);
  });

  it('without early stopping the same run spends its whole budget', async () => {
    const result = await runTraining(job([wreck(1500)], {}, 30_000));
    expect(result.samples).toBe(30_000);
  });
});
