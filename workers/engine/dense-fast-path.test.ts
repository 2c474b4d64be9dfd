import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Control } from '../../shared/control.schema.ts';
import { TrainJob, type TrainJobInput } from '../../shared/run.schema.ts';
import { forward } from './network.ts';
import { initBackend } from './tf-backend.ts';
import { TrainSession } from './training-session.ts';

const weights = (s: TrainSession) => s.net.layers.flatMap((l) => [...l.kernel.dataSync(), ...l.bias.dataSync(), ...l.kernelSlots.flatMap((x) => [...x.dataSync()])]);

function expectClose(a: number[], b: number[], tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]!) / Math.max(1, Math.abs(v)))));
  expect(worst).toBeLessThan(tol);
}

const cases: Array<[string, Partial<TrainJobInput>]> = [
  ['relu + adam', {}],
  ['tanh/sigmoid/elu + momentum + l1/l2', { spec: { layers: [{ units: 7, activation: 'tanh' }, { units: 5, activation: 'sigmoid' }, { units: 4, activation: 'elu' }], optimizer: 'momentum', learningRate: 0.05, batchSize: 20, l1: 0.001, l2: 0.002 } }],
  ['swish/leakyRelu + rmsprop + features', { spec: { layers: [{ units: 6, activation: 'swish' }, { units: 6, activation: 'leakyRelu' }], optimizer: 'rmsprop', learningRate: 0.01, batchSize: 16, features: ['x1', 'x2', 'x1sq', 'sinx2'] } }],
  ['regression + sgd', { task: { name: 'bumps' }, spec: { layers: [{ units: 9, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.1, batchSize: 25 } }],
];

describe('the JavaScript fast path agrees with tf.js', () => {
  beforeAll(async () => {
    await initBackend();
  });

  /** Ten steps of the job on the fast path and through tf.js: the same losses to 1e-4, weights and optimizer state to 1e-5. */
  const agreesWithTfjs = (extra: Partial<TrainJobInput>) => {
    const job = TrainJob.parse({ runId: 'f', spec: { layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }], optimizer: 'adam', learningRate: 0.02, batchSize: 32 }, task: { name: 'spiral' }, seed: 6, budget: 10_000, ...extra });
    const fast = new TrainSession(job);
    const slow = new TrainSession(job, { path: 'tfjs' });
    const losses: Array<[number, number]> = [];
    for (let i = 0; i < 10; i++) losses.push([fast.step(), slow.step()]);
    for (const [a, b] of losses) expect(a).toBeCloseTo(b, 4);
    expectClose(weights(fast), weights(slow), 1e-5);
    fast.dispose();
    slow.dispose();
  };

  it.each(cases)('%s: same weights and optimizer state after 10 steps, to 1e-5', (_name, extra) => agreesWithTfjs(extra));

  it.each(cases)('%s, in the second arithmetic (new runs): same weights and optimizer state after 10 steps, to 1e-5', (_name, extra) => agreesWithTfjs({ ...extra, arithmetic: 2 }));

  it('freezing, controls and checkpoints see the fast path’s weights', () => {
    const job = TrainJob.parse({ runId: 'f', spec: { layers: [{ units: 8, activation: 'relu' }], optimizer: 'adam', learningRate: 0.02, batchSize: 32 }, task: { name: 'spiral' }, seed: 6, budget: 10_000 });
    const fast = new TrainSession(job);
    const slow = new TrainSession(job, { path: 'tfjs' });
    for (const s of [fast, slow]) {
      for (let i = 0; i < 4; i++) s.step();
      s.control(Control.parse({ type: 'freeze', layer: 0, frozen: true }));
      for (let i = 0; i < 4; i++) s.step();
    }
    expectClose(weights(fast), weights(slow), 1e-5);
    expect(Array.from(fast.checkpoint().layers[0]!.kernel)).toEqual(Array.from(fast.net.layers[0]!.kernel.dataSync()));
    fast.dispose();
    slow.dispose();
  });

  it('the dense layer’s gradient (explicit transposes) equals tf.js’s own', () => {
    const job = TrainJob.parse({ runId: 'g', spec: { layers: [{ units: 5, activation: 'tanh' }, { units: 4, activation: 'relu' }], optimizer: 'adam', learningRate: 0.02, batchSize: 32 }, task: { name: 'spiral' }, seed: 2, budget: 100 });
    const s = new TrainSession(job, { path: 'tfjs' });
    const x = s.validation.x;
    const vars = s.net.layers.flatMap((l) => [l.kernel, l.bias]);
    s.control(Control.parse({ type: 'setActivation', layer: 1, activation: 'tanh' })); // a tanh-only network, written out by hand below
    const ours2 = tf.variableGrads(() => tf.sum(tf.square(forward(s.net, x))) as tf.Scalar, vars).grads;
    const ref2 = tf.variableGrads(() => {
      let h: tf.Tensor2D = x;
      s.net.layers.forEach((l, i) => {
        const z = tf.add(tf.matMul(h, l.kernel), l.bias) as tf.Tensor2D;
        h = i < s.net.layers.length - 1 ? tf.tanh(z) : z;
      });
      return tf.sum(tf.square(h)) as tf.Scalar;
    }, vars).grads;
    for (const v of vars) expectClose(Array.from(ours2[v.name]!.dataSync()), Array.from(ref2[v.name]!.dataSync()), 1e-5);
    tf.dispose([...Object.values(ours2), ...Object.values(ref2)]);
    s.dispose();
  });
});
