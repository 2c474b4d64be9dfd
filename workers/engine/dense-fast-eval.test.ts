import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrainJob, type TelemetryFrame, type TrainJobInput } from '../../shared/run.schema.ts';
import { initBackend } from './tf-backend.ts';
import { TrainSession } from './training-session.ts';

const TOLERANCE = 1e-5;

const cases: Array<[string, Partial<TrainJobInput>]> = [
  ['relu + adam', {}],
  ['tanh 2-4-2 + sgd', { spec: { layers: [{ units: 4, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.03, batchSize: 10 } }],
  ['tanh/sigmoid/elu + momentum + l1/l2', { spec: { layers: [{ units: 7, activation: 'tanh' }, { units: 5, activation: 'sigmoid' }, { units: 4, activation: 'elu' }], optimizer: 'momentum', learningRate: 0.05, batchSize: 20, l1: 0.001, l2: 0.002 } }],
  ['swish/leakyRelu + features, 4 classes', { task: { name: 'gaussians' }, spec: { layers: [{ units: 6, activation: 'swish' }, { units: 6, activation: 'leakyRelu' }], optimizer: 'rmsprop', learningRate: 0.01, batchSize: 16, features: ['x1', 'x2', 'x1sq', 'sinx2'] } }],
  ['dropout', { spec: { layers: [{ units: 6, activation: 'tanh', dropout: 0.3 }, { units: 6, activation: 'relu', dropout: 0.2 }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 } }],
  ['dead relu units (a learning rate far too high)', { spec: { layers: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }], optimizer: 'sgd', learningRate: 5, batchSize: 32 } }],
  ['regression', { task: { name: 'bumps' }, spec: { layers: [{ units: 9, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.1, batchSize: 25 } }],
  ['more training points than a frame evaluates', { task: { name: 'spiral', samples: 2000 } }],
];

/** The parts of a frame that measure the network now (not the clock, nor the last step's gradients). */
function measures(f: TelemetryFrame): number[] {
  return [f.loss, f.accuracy, f.valLoss, f.valAccuracy, ...f.layers.flatMap((l) => [l.weightMean, l.weightStd, l.deadFraction])];
}

describe('frames on the fast path agree with tf.js’s evaluation', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it.each(cases)('%s: the same frame from the same weights, to 1e-5, with no tf.js call', async (_name, extra) => {
    const job = TrainJob.parse({ runId: 'e', spec: { layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }], optimizer: 'adam', learningRate: 0.02, batchSize: 32 }, task: { name: 'spiral' }, seed: 4, budget: 100_000, ...extra });
    const fast = new TrainSession(job);
    for (let i = 0; i < 61; i++) fast.step(); // the fast path holds the newest weights; tf.js's copy is stale
    const ref = new TrainSession(job, { path: 'tfjs' });
    ref.resumeFrom(fast.checkpoint()); // tf.js evaluates the same weights
    fast.frame(); // after this, a frame's loss is the training split's, as on a session that has not stepped
    const profile = await tf.profile(() => void fast.frame());
    expect(profile.kernels, 'a fast-path frame runs no tf.js kernel').toEqual([]);
    const a = measures(fast.frame());
    const b = measures(ref.frame());
    expect(a.length).toBe(b.length);
    a.forEach((v, i) => expect(Math.abs(v - b[i]!), `measure ${i}: ${v} against tf.js ${b[i]}`).toBeLessThan(TOLERANCE * Math.max(1, Math.abs(b[i]!))));
    fast.dispose();
    ref.dispose();
  });

  it('a frame right after steps (its training loss and accuracy the steps’, the training split not evaluated) measures the same validation figures and layers as tf.js', () => {
    const job = TrainJob.parse({ runId: 'e', spec: { layers: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.03, batchSize: 10 }, task: { name: 'spiral' }, seed: 9, budget: 100_000 });
    const fast = new TrainSession(job);
    for (let i = 0; i < 200; i++) fast.step();
    const ref = new TrainSession(job, { path: 'tfjs' });
    ref.resumeFrom(fast.checkpoint());
    const a = fast.frame();
    const b = ref.frame();
    expect(Number.isFinite(a.loss)).toBe(true);
    expect(a.accuracy * 2000).toBe(Math.round(a.accuracy * 2000)); // the 200 steps' 2,000 rows
    const rest = (f: TelemetryFrame) => measures(f).slice(2);
    rest(a).forEach((v, i) => expect(Math.abs(v - rest(b)[i]!), `measure ${i + 2}: ${v} against tf.js ${rest(b)[i]}`).toBeLessThan(TOLERANCE * Math.max(1, Math.abs(rest(b)[i]!))));
    fast.dispose();
    ref.dispose();
  });

  it('a checkpoint taken while the fast path holds the newest weights equals one taken after writing them back', () => {
    const job = TrainJob.parse({ runId: 'e', spec: { layers: [{ units: 5, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.02, batchSize: 8 }, task: { name: 'spiral' }, seed: 5, budget: 10_000 });
    const s = new TrainSession(job);
    for (let i = 0; i < 7; i++) s.step();
    const fromFast = s.checkpoint();
    s.net; // writes the fast path's weights back into tf.js
    const fromTf = s.checkpoint();
    expect(fromFast.layers.map((l) => [l.kernel, l.bias, ...l.kernelSlots, ...l.biasSlots].map((v) => Array.from(v)))).toEqual(fromTf.layers.map((l) => [l.kernel, l.bias, ...l.kernelSlots, ...l.biasSlots].map((v) => Array.from(v))));
    s.dispose();
  });
});
