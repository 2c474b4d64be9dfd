import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Control } from '../../shared/control.schema.ts';
import { TrainJob, type RunResult, type TrainJobInput } from '../../shared/run.schema.ts';
import { FromTrainer } from '../../contract/trainer.messages.ts';
import { readThreadMessage, toThread } from '../../contract/trainer.wire.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import { runTraining } from './training-loop.ts';
import { initBackend } from './tf-backend.ts';
import { TrainSession } from './training-session.ts';

const job = (extra: Partial<TrainJobInput> = {}) =>
  TrainJob.parse({
    runId: 'cp',
    spec: { layers: [{ units: 12, activation: 'tanh', dropout: 0.1 }, { units: 12, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 24, l2: 0.0001 },
    task: { name: 'moons' },
    seed: 21,
    budget: 4800,
    checkpointEverySteps: 20,
    controls: [
      { step: 30, control: { type: 'setLearningRate', learningRate: 0.005 } },
      { step: 90, control: { type: 'freeze', layer: 0, frozen: true } },
      { step: 120, control: { type: 'setOptimizer', optimizer: 'momentum' } },
    ],
    ...extra,
  });

/** Trains a job from a checkpoint in a fresh worker thread, as another process would. */
function resumeInThread(j: TrainJob, resumeFrom: Uint8Array): Promise<RunResult> {
  const worker = new Worker(new URL('../train.thread.ts', import.meta.url));
  return new Promise<RunResult>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (raw) => {
      const read = readThreadMessage(FromTrainer, raw);
      if (!read.ok) return reject(new Error(read.error));
      const msg = read.msg;
      if (msg.type === 'ready') worker.postMessage(toThread({ type: 'train', job: j, resumeFrom }));
      if (msg.type === 'done') resolve(msg.result);
      if (msg.type === 'failed') reject(new Error(msg.message));
    });
  }).finally(() => worker.terminate());
}

describe('checkpoints, resume, rewind and replay', () => {
  let unbroken: RunResult;
  beforeAll(async () => {
    await initBackend();
    unbroken = await runTraining(job());
  });

  it('a checkpoint survives bytes and back unchanged', () => {
    const s = new TrainSession(job());
    for (let i = 0; i < 7; i++) s.step();
    const cp = s.checkpoint();
    const back = decodeCheckpoint(encodeCheckpoint(cp));
    expect(back).toEqual(cp);
    expect(back.layers[0]!.kernel).toBeInstanceOf(Float32Array);
    expect(back.order).toBeInstanceOf(Uint32Array);
    expect(back.detectors.bestValLoss).toBe(Infinity);
    expect(() => decodeCheckpoint(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toThrow('not a checkpoint');
    s.dispose();
  });

  it('the same job twice gives one weights hash and the same telemetry', async () => {
    const framesA: number[] = [];
    const framesB: number[] = [];
    const a = await runTraining(job(), { onFrame: (f) => framesA.push(f.loss, f.valAccuracy, ...f.layers.map((l) => l.gradNorm)) });
    const b = await runTraining(job(), { onFrame: (f) => framesB.push(f.loss, f.valAccuracy, ...f.layers.map((l) => l.gradNorm)) });
    expect(a.weightsHash).toBe(unbroken.weightsHash);
    expect(b.weightsHash).toBe(a.weightsHash);
    expect(framesB).toEqual(framesA);
    expect(a.controls.map((c) => c.step)).toEqual([30, 90, 120]);
  });

  it('a run stopped at step k and resumed from its checkpoint in a new worker thread ends with the same hash', async () => {
    const checkpoints = new Map<number, Uint8Array>();
    const stop = new AbortController();
    await expect(
      runTraining(job(), {
        signal: stop.signal,
        onCheckpoint: (bytes, step) => checkpoints.set(step, bytes),
        onFrame: (f) => f.step >= 105 && stop.abort(new Error('worker died')),
      }),
    ).rejects.toThrow('worker died');
    const last = Math.max(...checkpoints.keys());
    expect(last).toBe(100);
    const resumed = await resumeInThread(job(), checkpoints.get(last)!);
    expect(resumed.samples).toBe(4800);
    expect(resumed.weightsHash).toBe(unbroken.weightsHash);
    expect(resumed.controls).toEqual(unbroken.controls);
  });

  it('rewinding live and replaying the logged run give the same hash', async () => {
    let asked = false;
    const inbox: Control[] = [];
    const live = await runTraining(job({ controls: [] }), {
      onFrame: (f) => {
        if (f.step === 70 && !asked) {
          asked = true;
          inbox.push(Control.parse({ type: 'rewind', toStep: 40 }), Control.parse({ type: 'setBatchSize', batchSize: 16 }));
        }
      },
      pullControls: () => inbox.splice(0),
    });
    expect(live.controls.map((c) => [c.step, c.control.type])).toEqual([
      [70, 'rewind'],
      [40, 'setBatchSize'],
    ]);
    expect(live.samples).toBe(4800); // the rewound steps still count against the budget
    const replay = await runTraining(job({ controls: live.controls }));
    expect(replay.weightsHash).toBe(live.weightsHash);
    const plain = await runTraining(job({ controls: [] }));
    expect(plain.weightsHash).not.toBe(live.weightsHash);
  });

  it('a learning rate that blows up ends in diverged, keeping a usable checkpoint', async () => {
    const checkpoints = new Map<number, Uint8Array>();
    const events: string[] = [];
    const bad = TrainJob.parse({
      runId: 'nan',
      spec: { layers: [{ units: 16, activation: 'linear' }], optimizer: 'sgd', learningRate: 10, batchSize: 32 },
      task: { name: 'plane' },
      seed: 1,
      budget: 100_000,
      checkpointEverySteps: 5,
    });
    const result = await runTraining(bad, { onCheckpoint: (b, s) => checkpoints.set(s, b), onEvent: (e) => events.push(e.type) });
    expect(result.status).toBe('diverged');
    expect(events).toContain('diverged');
    expect(result.samples).toBeLessThan(100_000);
    const good = checkpoints.get(result.lastGoodStep!)!;
    const cp = decodeCheckpoint(good);
    expect(cp.layers.every((l) => l.kernel.every(Number.isFinite))).toBe(true);
    // From the last good checkpoint, a sane learning rate trains on to the end of the budget.
    const recovered = await runTraining(
      TrainJob.parse({ ...bad, budget: cp.samplesSpent + 3200, controls: [{ step: cp.step, control: { type: 'setLearningRate', learningRate: 0.01 } }] }),
      { resumeFrom: encodeCheckpoint({ ...cp, controlsApplied: 0 }) },
    );
    expect(recovered.status).toBe('finished');
    expect(Number.isFinite(recovered.final.loss)).toBe(true);
  });

  it('leaks no tensors over a thousand steps with frames, probes and checkpoints on', async () => {
    const counts: number[] = [];
    const j = job({ budget: 24 * 1000, probeEverySteps: 50, frameEverySteps: 10 });
    await runTraining(j, { onFrame: (f) => (f.step === 200 || f.step === 1000 - 10) && counts.push(tf.memory().numTensors), onProbe: () => {} });
    expect(counts).toHaveLength(2);
    expect(counts[1]).toBe(counts[0]);
  });
});
