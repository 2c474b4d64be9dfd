import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../shared/model-spec.schema.ts';
import { TrainJob, type TelemetryFrame } from '../../shared/run.schema.ts';
import { initBackend } from './tf-backend.ts';
import { runTraining } from './training-loop.ts';

const job = (budget: number, seed = 3) => TrainJob.parse({ runId: 't', spec: DEFAULT_SPEC, task: { name: 'spiral' }, seed, budget });

describe('training engine', () => {
  beforeAll(async () => {
    expect(['wasm', 'cpu', 'tfjs-node', 'tfjs-node-gpu']).toContain(await initBackend());
  });

  it('learns the spiral: validation accuracy rises well above chance', async () => {
    const frames: TelemetryFrame[] = [];
    const result = await runTraining(job(20_000), { onFrame: (f) => frames.push(f) });
    expect(result.samples).toBe(20_000);
    expect(frames.length).toBeGreaterThan(10);
    expect(frames[0]!.valAccuracy).toBeLessThan(0.75);
    expect(result.final.valAccuracy).toBeGreaterThan(0.85);
    expect(result.heldOutAccuracy).toBeGreaterThan(0.85);
    expect(frames.at(-1)!.loss).toBeLessThan(frames[0]!.loss);
    // samples only ever grow, and the last frame is the end of the budget
    expect(frames.every((f, i) => i === 0 || f.samples > frames[i - 1]!.samples)).toBe(true);
    expect(frames.at(-1)!.samples).toBe(20_000);
  });

  it('spends exactly the budget even when it is not a multiple of the batch size', async () => {
    const result = await runTraining(job(1000));
    expect(result.samples).toBe(1000);
    expect(result.steps).toBe(Math.ceil(1000 / 32));
  });

  it('gives the same weights to the bit for the same job, and different ones for another seed', async () => {
    const a = await runTraining(job(3000));
    const b = await runTraining(job(3000));
    const c = await runTraining(job(3000, 4));
    expect(a.weightsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.weightsHash).toBe(a.weightsHash);
    expect(c.weightsHash).not.toBe(a.weightsHash);
  });

  it('a paced run is stretched over its pace, spreads its frames over it and computes exactly the same', async () => {
    const fast = await runTraining(job(2000));
    const times: number[] = [];
    const started = performance.now();
    const paced = await runTraining(TrainJob.parse({ ...job(2000), paceMs: 1200 }), { onFrame: () => times.push(performance.now() - started) });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1100);
    expect(times[Math.floor(times.length / 2)]!).toBeGreaterThan(300); // the middle frame comes well after the start, not in a burst
    expect(paced.weightsHash).toBe(fast.weightsHash);
  });

  it('a paced run paused midway keeps its pace after the pause instead of catching up in a burst', async () => {
    const started = performance.now();
    let resumedAt = 0;
    const inbox: Array<{ type: 'pause' } | { type: 'resume' }> = [];
    let pausedOnce = false;
    const frames: number[] = [];
    const run = runTraining(TrainJob.parse({ ...job(2000), paceMs: 1000 }), {
      pullControls: () => inbox.splice(0),
      onFrame: (f) => {
        frames.push(performance.now());
        if (!pausedOnce && f.samples >= 1000) {
          pausedOnce = true;
          inbox.push({ type: 'pause' });
          setTimeout(() => {
            resumedAt = performance.now();
            inbox.push({ type: 'resume' });
          }, 800);
        }
      },
    });
    await run;
    const ended = performance.now();
    expect(ended - started).toBeGreaterThanOrEqual(1000 + 800 - 100);
    // About half the budget was left at the pause: it takes about half the pace again, not a burst.
    expect(ended - resumedAt).toBeGreaterThan(300);
    expect(frames.filter((t) => t > resumedAt).length).toBeGreaterThan(2);
  });

  it('leaks no tensors', async () => {
    await runTraining(job(500));
    const before = tf.memory().numTensors;
    await runTraining(job(5000));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops between steps when aborted', async () => {
    const controller = new AbortController();
    const run = runTraining(job(5_000_000), { signal: controller.signal, onFrame: (f) => f.step >= 20 && controller.abort(new Error('enough')) });
    await expect(run).rejects.toThrow('enough');
  });
});

describe('probes of a run shorter than the probe interval', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('a listener still gets one probe, of the model as it ended', async () => {
    const probes: Array<{ step: number; samples: number }> = [];
    const j = { ...job(640), probeIntervalMs: 3_600_000 };
    const result = await runTraining(j, { onProbe: (p) => probes.push({ step: p.step, samples: p.samples }) });
    expect(probes).toEqual([{ step: result.steps, samples: 640 }]);
  });

  it('a run whose last step was already probed is not probed twice, and no probing means no probe', async () => {
    const stepped: number[] = [];
    const result = await runTraining({ ...job(640), probeEverySteps: 8 }, { onProbe: (p) => stepped.push(p.step) });
    expect(stepped.at(-1)).toBe(result.steps);
    expect(new Set(stepped).size).toBe(stepped.length);
    const none: number[] = [];
    await runTraining({ ...job(640), probeIntervalMs: 0 }, { onProbe: (p) => none.push(p.step) });
    expect(none).toEqual([]);
  });
});
