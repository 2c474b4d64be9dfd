import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ControlInput } from '../../shared/control.schema.ts';
import type { Control as ControlT } from '../../shared/control.schema.ts';
import { Control } from '../../shared/control.schema.ts';
import { TrainJob, type TrainJobInput } from '../../shared/run.schema.ts';
import { ControlError } from './control-error.ts';
import { MAX_GROWN_TRAIN_VALUES, trainingSetLimit } from './controls.ts';
import { forward } from './network.ts';
import { initBackend } from './tf-backend.ts';
import { TrainSession } from './training-session.ts';

const spec = { layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 } as const;
const session = (extra: Partial<TrainJobInput> = {}) => new TrainSession(TrainJob.parse({ runId: 'c', spec, task: { name: 'spiral' }, seed: 9, budget: 100_000, ...extra }));
const weights = (s: TrainSession) => s.net.layers.map((l) => [Array.from(l.kernel.dataSync()), Array.from(l.bias.dataSync())]);
const steps = (s: TrainSession, n: number) => {
  for (let i = 0; i < n; i++) s.step();
};
const ctl = (c: ControlInput) => Control.parse(c);
const grid = tf.tensor2d([0.1, 0.2, -0.5, 0.3, 0.9, -0.9, 0, 0], [4, 2]);
const outputs = (s: TrainSession) => Array.from(tf.tidy(() => forward(s.net, grid).dataSync()));

describe('controls', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('setLearningRate and setBatchSize change only the learning rate and the batch size', () => {
    const s = session();
    steps(s, 3);
    const before = weights(s);
    s.control(ctl({ type: 'setLearningRate', learningRate: 0.2 }));
    s.control(ctl({ type: 'setBatchSize', batchSize: 5 }));
    expect(weights(s)).toEqual(before);
    expect(s.optimizer).toMatchObject({ name: 'adam', learningRate: 0.2 });
    const spent = s.samplesSpent;
    s.step();
    expect(s.samplesSpent - spent).toBe(5);
    expect(s.frame().learningRate).toBe(0.2);
    expect(s.log.map((l) => [l.step, l.control.type])).toEqual([[3, 'setLearningRate'], [3, 'setBatchSize']]);
    s.dispose();
  });

  it('spendBudget spends samples without touching the weights, and never past the budget', () => {
    const s = session({ budget: 1000 });
    steps(s, 2);
    const before = weights(s);
    const spent = s.samplesSpent;
    s.control(ctl({ type: 'spendBudget', samples: 200 }));
    expect(s.samplesSpent).toBe(spent + 200);
    expect(weights(s)).toEqual(before);
    s.control(ctl({ type: 'spendBudget', samples: 5000 }));
    expect(s.samplesSpent).toBe(1000);
    expect(s.done).toBe(true);
    s.dispose();
  });

  it('switching the optimizer keeps the weights and trains on with the new rule', () => {
    const s = session();
    steps(s, 5);
    const before = weights(s);
    s.control(ctl({ type: 'setOptimizer', optimizer: 'sgd', learningRate: 0.1 }));
    expect(weights(s)).toEqual(before);
    expect(s.net.layers.every((l) => l.kernelSlots.length === 0)).toBe(true);
    s.step();
    expect(s.net.layers.every((l) => l.kernelSlots.length === 0)).toBe(true); // plain SGD keeps no slots
    expect(weights(s)).not.toEqual(before);
    s.control(ctl({ type: 'setOptimizer', optimizer: 'rmsprop' }));
    s.step();
    expect(s.net.layers.every((l) => l.kernelSlots.length === 1)).toBe(true);
    s.dispose();
  });

  it('switching an activation keeps the weights and changes the function', () => {
    const s = session();
    steps(s, 5);
    const before = weights(s);
    const out = outputs(s);
    s.control(ctl({ type: 'setActivation', layer: 1, activation: 'tanh' }));
    expect(weights(s)).toEqual(before);
    expect(outputs(s)).not.toEqual(out);
    expect(() => s.control(ctl({ type: 'setActivation', layer: 2, activation: 'tanh' }))).toThrow(ControlError);
    s.dispose();
  });

  it('a frozen layer keeps its weights over the next steps while the others train; unfreezing lets it train again', () => {
    const s = session();
    steps(s, 3);
    s.control(ctl({ type: 'freeze', layer: 0, frozen: true }));
    const before = weights(s);
    steps(s, 10);
    const after = weights(s);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).not.toEqual(before[1]);
    expect(after[2]).not.toEqual(before[2]);
    s.control(ctl({ type: 'freeze', layer: 0, frozen: false }));
    s.step();
    expect(weights(s)[0]).not.toEqual(after[0]);
    s.dispose();
  });

  it('injects noise into the weights, the inputs or the labels, and nowhere else', () => {
    const s = session();
    steps(s, 2);
    const w = weights(s);
    const x = s.train.x.slice();
    const y = s.train.y.slice();
    s.control(ctl({ type: 'injectNoise', target: 'weights', strength: 0.5 }));
    expect(weights(s).map((l) => l[0])).not.toEqual(w.map((l) => l[0]));
    expect(weights(s).map((l) => l[1])).toEqual(w.map((l) => l[1])); // biases untouched
    expect(s.train.x).toEqual(x);
    const w2 = weights(s);
    s.control(ctl({ type: 'injectNoise', target: 'inputs', strength: 0.1 }));
    expect(s.train.x).not.toEqual(x);
    expect(s.train.y).toEqual(y);
    expect(weights(s)).toEqual(w2);
    s.control(ctl({ type: 'injectNoise', target: 'labels', strength: 0.5 }));
    const flipped = s.train.y.filter((v, i) => v !== y[i]).length;
    expect(flipped).toBeGreaterThan(s.train.count * 0.1);
    expect(flipped).toBeLessThan(s.train.count * 0.45);
    s.dispose();
  });

  it('adds and removes training samples', () => {
    const s = session();
    const n = s.train.count;
    s.control(ctl({ type: 'addSamples', count: 100 }));
    expect(s.train.count).toBe(n + 100);
    s.control(ctl({ type: 'removeSamples', count: 50 }));
    expect(s.train.count).toBe(n + 50);
    expect(() => s.control(ctl({ type: 'removeSamples', count: n + 50 }))).toThrow(/at most/);
    s.step();
    s.dispose();
  });

  it('refuses, in words and changing nothing, to grow the training set past its limit (a player cannot take the worker\'s memory)', () => {
    const s = session({ task: { name: 'mnist', samples: 400 } });
    const limit = trainingSetLimit(s.job.task, s.train.dim);
    expect(limit).toBe(Math.floor(MAX_GROWN_TRAIN_VALUES / 784)); // more than twice the 400-digit task
    const n = s.train.count;
    s.control(ctl({ type: 'addSamples', count: limit - n }));
    expect(s.train.count).toBe(limit);
    const logged = s.log.length;
    expect(() => s.control(ctl({ type: 'addSamples', count: 1 }))).toThrow(new RegExp(`holds ${limit.toLocaleString('en')} points and may hold at most ${limit.toLocaleString('en')}: adding 1 would pass that`));
    expect(s.train.count).toBe(limit);
    expect(s.log.length).toBe(logged);
    s.step();
    s.dispose();
  });

  it('adds an identity layer that leaves the function unchanged, and removes a layer by folding it', () => {
    const s = session();
    steps(s, 5);
    const out = outputs(s);
    s.control(ctl({ type: 'addLayer', index: 1 }));
    expect(s.net.layers.map((l) => l.kernel.shape)).toEqual([[2, 8], [8, 8], [8, 8], [8, 2]]);
    outputs(s).forEach((v, i) => expect(v).toBeCloseTo(out[i]!, 5));
    s.step();
    // Folding a linear layer into the next one keeps the function too.
    s.control(ctl({ type: 'setActivation', layer: 2, activation: 'linear' }));
    const out2 = outputs(s);
    s.control(ctl({ type: 'removeLayer', layer: 2 }));
    expect(s.net.layers).toHaveLength(3);
    outputs(s).forEach((v, i) => expect(v).toBeCloseTo(out2[i]!, 4));
    expect(() => s.control(ctl({ type: 'removeLayer', layer: 5 }))).toThrow(/does not exist/);
    s.step();
    s.dispose();
  });

  it('toggles augmentation, which changes the batches the network sees', () => {
    const a = session();
    const b = session();
    b.control(ctl({ type: 'setAugmentation', enabled: true }));
    steps(a, 3);
    steps(b, 3);
    expect(weights(b)).not.toEqual(weights(a));
    a.dispose();
    b.dispose();
  });

  it('addPoints adds labelled points, removePoints drops those in a rectangle; a rewind puts the set back, and the events say its size', () => {
    const s = session();
    const before = s.train.count;
    s.keepCheckpoint();
    steps(s, 2);
    s.control(ctl({ type: 'addPoints', points: [{ x: [1.4, 1.4], label: 1 }, { x: [1.45, 1.3], label: 0 }] }));
    expect(s.train.count).toBe(before + 2);
    expect(Array.from(s.train.x.subarray(before * 2))).toEqual([1.4, 1.4, 1.45, 1.3].map((v) => Math.fround(v)));
    expect(Array.from(s.train.y.subarray(before))).toEqual([1, 0]);
    s.step();
    s.control(ctl({ type: 'removePoints', from: [1.5, 1.5], to: [1.35, 1.25] }));
    expect(s.train.count).toBe(before);
    expect(() => s.control(ctl({ type: 'removePoints', from: [1.5, 1.5], to: [1.35, 1.25] }))).toThrow('no training point lies in [1.35, 1.50] × [1.25, 1.50]: nothing to remove');
    expect(() => s.control(ctl({ type: 'removePoints', from: [-1.5, -1.5], to: [1.5, 1.5] }))).toThrow(/the training set must keep at least one/);
    expect(() => s.control(ctl({ type: 'addPoints', points: [{ x: [0, 0], label: 2 }] }))).toThrow('point 1 has label 2: spiral has classes 0 to 1');
    s.control(ctl({ type: 'addPoints', points: [{ x: [0, 0], label: 1 }] }));
    s.control(ctl({ type: 'rewind', toStep: 0 }));
    expect(s.train.count).toBe(before);
    const sizes = s.drainEvents().filter((e) => e.type === 'control').map((e) => [(e.control as ControlT).type, e.trainSize]);
    expect(sizes).toEqual([['addPoints', before + 2], ['removePoints', before], ['addPoints', before + 1], ['rewind', before]]);
    s.step();
    s.dispose();
  });

  it('points cannot be added to or removed from MNIST, which has no plane', () => {
    const s = new TrainSession(TrainJob.parse({ runId: 'm', spec: { ...spec, layers: [{ units: 8, activation: 'relu' }] }, task: { name: 'mnist', samples: 200 }, seed: 1, budget: 1000 }));
    expect(() => s.control(ctl({ type: 'addPoints', points: [{ x: [0, 0], label: 1 }] }))).toThrow('mnist has no plane to add points on: add samples instead');
    expect(() => s.control(ctl({ type: 'removePoints', from: [0, 0], to: [1, 1] }))).toThrow('mnist has no plane to remove points from: remove samples instead');
    s.dispose();
  });

  it('setDifficulty changes the batches from then on, a rewind restores the ramp it had, and the same log replays to the same weights', () => {
    const job = { budget: 2000 };
    const a = session(job);
    const b = session(job);
    b.keepCheckpoint();
    b.control(ctl({ type: 'setDifficulty', ramp: 0.8 }));
    steps(a, 20);
    steps(b, 20);
    expect(weights(b)).not.toEqual(weights(a));
    // A checkpoint after the change keeps the ramp; rewinding to before it drops it again.
    const cp = b.checkpoint();
    expect(cp.ramp).toBe(0.8);
    b.control(ctl({ type: 'rewind', toStep: 0 }));
    expect(b.checkpoint().ramp).toBeUndefined();
    const replay = session({ ...job, controls: [{ step: 0, control: { type: 'setDifficulty', ramp: 0.8 } }] });
    const again = session(job);
    again.control(ctl({ type: 'setDifficulty', ramp: 0.8 }));
    steps(again, 20);
    for (const c of replay.job.controls) replay.control(c.control);
    steps(replay, 20);
    expect(weights(replay)).toEqual(weights(again));
    for (const s of [a, b, replay, again]) s.dispose();
  });

  it('refuses a rewind to a step with no checkpoint, saying which exist', () => {
    const s = session();
    s.keepCheckpoint();
    steps(s, 4);
    s.control(ctl({ type: 'checkpoint' }));
    expect(() => s.control(ctl({ type: 'rewind', toStep: 2 }))).toThrow('there is no checkpoint at step 2; checkpoints: 0, 4');
    s.dispose();
  });

  it('validates controls at the boundary with messages that name the field', () => {
    const bad = Control.safeParse({ type: 'setLearningRate', learningRate: -1 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toContain('learningRate must be greater than 0');
    expect(Control.safeParse({ type: 'warp' }).success).toBe(false);
  });
});
