import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { preprocessingOf } from '../../contract/model-preprocessing.ts';
import { Control } from '../../shared/control.schema.ts';
import { TrainJob, type TrainJobInput } from '../../shared/run.schema.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import { ControlError } from './control-error.ts';
import { convLayers } from './image-stem.ts';
import { loadLayersModel, saveLayersModel } from './model-export.ts';
import { forward, variables } from './network.ts';
import { forkJob } from './fork.ts';
import { probe } from './probes.ts';
import { generateTaskData } from './task-data.ts';
import { initBackend } from './tf-backend.ts';
import { runTraining } from './training-loop.ts';
import { TrainSession } from './training-session.ts';

/** conv4×3 · pool2 · conv6×3/2 · flatten · 16 · output: two conv layers, so the second one's input gradient is exercised. */
const job = (extra: Partial<TrainJobInput> = {}) =>
  TrainJob.parse({
    runId: 'conv',
    spec: {
      layers: [
        { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
        { type: 'maxPool2d', poolSize: 2 },
        { type: 'conv2d', filters: 6, kernelSize: 3, strides: 2, activation: 'tanh' },
        { type: 'flatten' },
        { units: 16, activation: 'relu' },
      ],
      optimizer: 'adam',
      learningRate: 0.005,
      batchSize: 16,
    },
    task: { name: 'mnist', samples: 600 },
    seed: 5,
    budget: 16 * 60,
    checkpointEverySteps: 10,
    ...extra,
  });

/** The loss Σ r·conv(x) of one conv layer, for finite differences. */
function probeLoss(s: TrainSession, x: tf.Tensor2D, r: tf.Tensor): number {
  return tf.tidy(() => {
    let first: tf.Tensor4D | undefined;
    forward(s.net, x, { onFeatureMaps: (i, out) => i === 1 && (first = out) });
    return tf.sum(tf.mul(first!, r)).dataSync()[0]!;
  });
}

describe('conv nets in the engine', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('the conv and pool layers\' written-out gradients match finite differences, for both kernels (the first one through a max pool and a strided conv)', () => {
    const s = new TrainSession(job());
    const x = tf.tidy(() => s.validation.x.slice([0, 0], [3, -1]));
    const [first, second] = convLayers(s.net.stem);
    const r = tf.tidy(() => tf.randomNormal([3, 6, 6, 6], 0, 1, 'float32', 7));
    // Σ r·conv2(…conv1(x)) as a function of both kernels, through tf.js's gradient tape.
    const { grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        let out: tf.Tensor4D | undefined;
        forward(s.net, x, { onFeatureMaps: (i, o) => i === 1 && (out = o) });
        return tf.sum(tf.mul(out!, r)) as tf.Scalar;
      }, [first!.kernel, second!.kernel]),
    );
    const eps = 1e-3;
    for (const [layer, picks] of [
      [first!, [0, 7, 20, 35]],
      [second!, [0, 50, 111, 215]],
    ] as const) {
      const g = grads[layer.kernel.name]!.dataSync();
      const w = layer.kernel.dataSync().slice();
      for (const k of picks) {
        const at = (v: number) => {
          const moved = w.slice();
          moved[k] = v;
          layer.kernel.assign(tf.tensor(moved, layer.kernel.shape));
          return probeLoss(s, x, r);
        };
        const numeric = (at(w[k]! + eps) - at(w[k]! - eps)) / (2 * eps);
        layer.kernel.assign(tf.tensor(w, layer.kernel.shape));
        expect(Math.abs(g[k]! - numeric)).toBeLessThan(0.01 * Math.max(1, Math.abs(numeric)));
      }
    }
    tf.dispose([x, r, ...Object.values(grads)]);
    s.dispose();
  });

  it('the same job twice gives one weights hash; conv kernels are part of it', async () => {
    const a = await runTraining(job());
    const b = await runTraining(job());
    expect(b.weightsHash).toBe(a.weightsHash);
    expect(a.samples).toBe(960);
    const s = new TrainSession(job());
    expect(variables(s.net)[0]!.shape).toEqual([3, 3, 1, 4]); // the first conv kernel leads the hashed variables
    s.dispose();
    const other = await runTraining(job({ seed: 6 }));
    expect(other.weightsHash).not.toBe(a.weightsHash);
  });

  it('checkpoint, resume, rewind and fork on a conv net end where the uninterrupted or replayed run ends', async () => {
    const controls = [
      { step: 12, control: { type: 'setLearningRate' as const, learningRate: 0.002 } },
      { step: 25, control: { type: 'freeze' as const, layer: 0, frozen: true } },
      { step: 33, control: { type: 'setOptimizer' as const, optimizer: 'momentum' as const } },
    ];
    const unbroken = await runTraining(job({ controls }));
    const checkpoints = new Map<number, Uint8Array>();
    const stop = new AbortController();
    await expect(
      runTraining(job({ controls }), { signal: stop.signal, onCheckpoint: (bytes, step) => checkpoints.set(step, bytes), onFrame: (f) => f.step >= 42 && stop.abort(new Error('stop')) }),
    ).rejects.toThrow('stop');
    const cp = decodeCheckpoint(checkpoints.get(40)!);
    expect(cp.stem).toHaveLength(2);
    expect(cp.stem![0]!.frozen).toBe(true);
    const resumed = await runTraining(job({ controls }), { resumeFrom: checkpoints.get(40)! });
    expect(resumed.weightsHash).toBe(unbroken.weightsHash);

    // Rewind live, then replay the logged run.
    let asked = false;
    const inbox: Control[] = [];
    const live = await runTraining(job(), {
      onFrame: (f) => {
        if (f.step === 30 && !asked) {
          asked = true;
          inbox.push(Control.parse({ type: 'rewind', toStep: 20 }), Control.parse({ type: 'injectNoise', target: 'weights', strength: 0.5 }));
        }
      },
      pullControls: () => inbox.splice(0),
    });
    expect(live.controls.map((c) => c.control.type)).toEqual(['rewind', 'injectNoise']);
    const replay = await runTraining(job({ controls: live.controls }));
    expect(replay.weightsHash).toBe(live.weightsHash);
    expect(live.weightsHash).not.toBe((await runTraining(job())).weightsHash);

    // A fork from step 40 with no controls of its own ends as the parent does.
    const { job: forked, resumeFrom } = forkJob(job({ controls }), unbroken.controls, checkpoints.get(40)!, 'fork');
    expect((await runTraining(forked, { resumeFrom })).weightsHash).toBe(unbroken.weightsHash);
  });

  it('keepBest scores a conv net\'s kept checkpoints, restores the best and replays to the same weights', async () => {
    const controls = [
      { step: 30, control: { type: 'setLearningRate' as const, learningRate: 5 } },
      { step: 50, control: { type: 'keepBest' as const } },
    ];
    const result = await runTraining(job({ controls }));
    const kept = result.controls.at(-1)!.control as { type: string; toStep: number };
    expect(kept.type).toBe('keepBest');
    expect([0, 10, 20, 30]).toContain(kept.toStep); // a checkpoint from before the wrecking learning rate
    expect((await runTraining(job({ controls: result.controls }))).weightsHash).toBe(result.weightsHash);
  });

  it('controls name layers as the spec does: conv layers freeze and switch activation, pools and flatten are refused in words', () => {
    const s = new TrainSession(job());
    for (let i = 0; i < 3; i++) s.step();
    const [first] = convLayers(s.net.stem);
    s.control({ type: 'freeze', layer: 0, frozen: true });
    const before = first!.kernel.dataSync().slice();
    const denseBefore = s.net.layers[0]!.kernel.dataSync().slice();
    for (let i = 0; i < 3; i++) s.step();
    expect(first!.kernel.dataSync()).toEqual(before);
    expect(s.net.layers[0]!.kernel.dataSync()).not.toEqual(denseBefore);
    s.control({ type: 'setActivation', layer: 2, activation: 'relu' });
    expect(convLayers(s.net.stem)[1]!.activation).toBe('relu');
    s.control({ type: 'freeze', layer: 5, frozen: true }); // the output layer: 5 spec layers before it
    expect(s.net.layers[1]!.frozen).toBe(true);
    expect(() => s.control({ type: 'freeze', layer: 1, frozen: true })).toThrow(new ControlError('layer 1 is a maxPool2d layer: it has no weights to freeze'));
    expect(() => s.control({ type: 'setActivation', layer: 3, activation: 'tanh' })).toThrow('layer 3 is a flatten layer: it has no activation');
    expect(() => s.control({ type: 'removeLayer', layer: 0 })).toThrow('layer 0 is a conv2d layer: only dense layers can be removed live');
    expect(() => s.control({ type: 'addLayer', index: 2, activation: 'linear' })).toThrow('a layer can be added at positions 4 to 5, not 2 (dense layers go after the flatten)');
    s.control({ type: 'addLayer', index: 4, activation: 'linear' });
    expect(s.net.layers[0]!.kernel.shape).toEqual([6 * 6 * 6, 6 * 6 * 6]); // the flattened 6×6×6 output of the second conv
    s.control({ type: 'injectNoise', target: 'weights', strength: 0.5 });
    expect(first!.kernel.dataSync()).not.toEqual(before);
    s.control({ type: 'setOptimizer', optimizer: 'rmsprop' });
    s.step();
    expect(convLayers(s.net.stem)[1]!.kernelSlots).toHaveLength(1);
    s.dispose();
  });

  it('probes and frames cover the conv layers and leak no tensors', async () => {
    const s = new TrainSession(job());
    for (let i = 0; i < 5; i++) s.step();
    const frame = s.frame();
    expect(frame.layers).toHaveLength(4); // two conv layers, one dense hidden layer, the output layer
    expect(frame.flops).toBe(5 * 16 * s.flopsPerSample());
    const p = probe(s);
    expect(p.histograms).toHaveLength(4);
    // Error analysis: each misclassified digit's pixels, and per conv layer one mean activation per filter.
    expect(p.worst!.map((w) => w.index)).toEqual(p.misclassified.map((m) => m.index));
    const first = p.worst![0]!;
    expect(first.pixels).toHaveLength(784);
    expect(first.layers.map((l) => [l.layer, l.kind, l.units, l.values.length])).toEqual([[0, 'conv', 4, 4], [1, 'conv', 6, 6], [2, 'dense', 16, 16]]);
    s.dispose();
    const counts: number[] = [];
    await runTraining(job({ budget: 16 * 120, frameEverySteps: 10, probeEverySteps: 20 }), { onFrame: (f) => (f.step === 40 || f.step === 110) && counts.push(tf.memory().numTensors), onProbe: () => {} });
    expect(counts).toHaveLength(2);
    expect(counts[1]).toBe(counts[0]);
  });

  it('the exported conv model loads with tf.loadLayersModel and reproduces the held-out accuracy', async () => {
    const j = job();
    let dir = '';
    const result = await runTraining(j, {
      onFinish: async (session) => {
        dir = mkdtempSync(path.join(tmpdir(), 'arena-conv-'));
        await saveLayersModel(session.net, dir, preprocessingOf(session.job.spec, session.job.task));
      },
    });
    const model = await loadLayersModel(dir);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Reshape', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'Flatten', 'Dense', 'Dense']);
    const held = generateTaskData(j.task, j.seed).heldOut;
    const accuracy = tf.tidy(() => {
      const predicted = Array.from(tf.argMax(model.predict(tf.tensor2d(held.x, [held.count, 784])) as tf.Tensor, 1).dataSync());
      return predicted.reduce((a, p, i) => a + (p === held.y[i] ? 1 : 0), 0) / held.count;
    });
    expect(accuracy).toBeCloseTo(result.heldOutAccuracy, 6);
    expect(accuracy).toBeGreaterThan(0.3); // ten classes: chance is 0.1
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
});
