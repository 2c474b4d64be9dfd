import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Control } from '../../../shared/control.schema.ts';
import { TrainJob, type TrainJobInput } from '../../../shared/run.schema.ts';
import { initBackend } from '../tf-backend.ts';
import { TrainSession } from '../training-session.ts';
import { fusedStepFits } from './fused-dense-step.ts';

const weights = (s: TrainSession) => s.net.layers.flatMap((l) => [...l.kernel.dataSync(), ...l.bias.dataSync(), ...l.kernelSlots.flatMap((x) => [...x.dataSync()]), ...l.biasSlots.flatMap((x) => [...x.dataSync()])]);

/** Largest difference, relative to the value where it is above 1. */
function worstDifference(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]!) / Math.max(1, Math.abs(v)))));
  return worst;
}

/** The tf.js kernels one step runs (none on the fused step: it makes no tensors). */
async function kernelsOfStep(s: TrainSession): Promise<string[]> {
  const info = await tf.profile(() => {
    s.step();
  });
  return info.kernelNames;
}

function job(extra: Partial<TrainJobInput>): TrainJob {
  return TrainJob.parse({ runId: 'fused', spec: { layers: [{ units: 128, activation: 'relu' }], optimizer: 'adam', learningRate: 0.001, batchSize: 64 }, task: { name: 'mnist', samples: 600 }, seed: 4, budget: 100_000, frameEverySteps: 1000, ...extra });
}

// Each over the fast path's 20,000 parameters; odd widths and batches cover the kernels' edges.
const cases: Array<[string, Partial<TrainJobInput>]> = [
  ['MNIST 784-128-10 relu + adam', {}],
  ['tanh/sigmoid + momentum, batch 20', { task: { name: 'spiral' }, spec: { layers: [{ units: 150, activation: 'tanh' }, { units: 150, activation: 'sigmoid' }], optimizer: 'momentum', learningRate: 0.05, batchSize: 20 } }],
  ['swish/leakyRelu/elu + rmsprop, batch 17', { task: { name: 'xor' }, spec: { layers: [{ units: 161, activation: 'swish' }, { units: 127, activation: 'leakyRelu' }, { units: 9, activation: 'elu' }], optimizer: 'rmsprop', learningRate: 0.01, batchSize: 17 } }],
  ['regression + sgd, linear layer', { task: { name: 'bumps' }, spec: { layers: [{ units: 203, activation: 'tanh' }, { units: 99, activation: 'linear' }], optimizer: 'sgd', learningRate: 0.05, batchSize: 25 } }],
  ['MNIST 784-64-64-10 tanh + sgd, batch 1', { spec: { layers: [{ units: 64, activation: 'tanh' }, { units: 64, activation: 'relu' }], optimizer: 'sgd', learningRate: 0.05, batchSize: 1 } }],
];

describe('the fused dense step agrees with tf.js', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it.each(cases)('%s: same weights and optimizer state after 8 steps, to 1e-5, with no tf.js kernel run', async (_name, extra) => {
    const j = job(extra);
    const fused = new TrainSession(j);
    const slow = new TrainSession(j, { path: 'tfjs' });
    expect(fusedStepFits(fused.net, j.spec)).toBe(true);
    expect(await kernelsOfStep(fused)).toEqual([]);
    const losses: Array<[number, number]> = [[0, slow.step()]];
    for (let i = 0; i < 7; i++) losses.push([fused.step(), slow.step()]);
    for (const [a, b] of losses.slice(1)) expect(a).toBeCloseTo(b, 4);
    expect(worstDifference(weights(fused), weights(slow))).toBeLessThan(1e-5);
    fused.dispose();
    slow.dispose();
  });

  it('controls mid-run (optimizer, learning rate, freeze, batch size) steer the fused step as they steer tf.js', () => {
    const j = job({ spec: { layers: [{ units: 96, activation: 'relu' }, { units: 32, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.002, batchSize: 32 } });
    const schedule: Array<[number, Control]> = [
      [3, Control.parse({ type: 'setOptimizer', optimizer: 'momentum', learningRate: 0.01 })],
      [6, Control.parse({ type: 'freeze', layer: 0, frozen: true })],
      [9, Control.parse({ type: 'setLearningRate', learningRate: 0.02 })],
      [11, Control.parse({ type: 'setBatchSize', batchSize: 45 })],
      [13, Control.parse({ type: 'freeze', layer: 0, frozen: false })],
      [15, Control.parse({ type: 'setOptimizer', optimizer: 'rmsprop', learningRate: 0.001 })],
    ];
    const run = (s: TrainSession) => {
      for (let i = 0; i < 18; i++) {
        for (const [at, c] of schedule) if (at === i) s.control(c);
        s.step();
      }
      return s;
    };
    const fused = run(new TrainSession(j));
    const slow = run(new TrainSession(j, { path: 'tfjs' }));
    expect(worstDifference(weights(fused), weights(slow))).toBeLessThan(1e-5);
    // A frozen layer's weights are the ones it had when frozen, on both paths.
    fused.dispose();
    slow.dispose();
  });

  it('the same job gives the same weights hash twice, and a checkpoint resumes it to the bit', () => {
    const j = job({ budget: 64 * 12 });
    const train = (s: TrainSession) => {
      while (!s.done) s.step();
      return s.result().weightsHash;
    };
    const a = new TrainSession(j);
    const b = new TrainSession(j);
    expect(train(a)).toBe(train(b));
    const c = new TrainSession(j);
    for (let i = 0; i < 5; i++) c.step();
    const cp = c.checkpoint();
    c.step();
    c.resumeFrom(cp);
    expect(train(c)).toBe(a.result().weightsHash);
    for (const s of [a, b, c]) s.dispose();
  });

  it.each([
    ['MNIST relu', {}],
    ['regression tanh/linear', { task: { name: 'bumps' }, spec: { layers: [{ units: 203, activation: 'tanh' }, { units: 99, activation: 'relu' }], optimizer: 'sgd', learningRate: 0.05, batchSize: 25 } }],
  ] as Array<[string, Partial<TrainJobInput>]>)('%s: a frame mid-run is measured on the fused step’s weights, with no tf.js kernel, as tf.js measures it', async (_name, extra) => {
    const j = job({ frameEverySteps: 4, ...extra });
    const fused = new TrainSession(j);
    const slow = new TrainSession(j, { path: 'tfjs' });
    for (let i = 0; i < 4; i++) fused.step(), slow.step();
    const [f, s] = [fused.frame(), slow.frame()];
    for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy'] as const) expect(f[k]).toBeCloseTo(s[k], 5);
    f.layers.forEach((l, i) => {
      expect(l.gradNorm).toBeCloseTo(s.layers[i]!.gradNorm, 4);
      expect(l.updateRatio).toBeCloseTo(s.layers[i]!.updateRatio, 5);
      expect(l.weightMean).toBeCloseTo(s.layers[i]!.weightMean, 6);
      expect(l.weightStd).toBeCloseTo(s.layers[i]!.weightStd, 5);
      expect(l.deadFraction).toBeCloseTo(s.layers[i]!.deadFraction, 6);
    });
    expect(f.layers.some((l) => l.gradNorm > 0)).toBe(true);
    for (let i = 0; i < 4; i++) fused.step();
    const info = await tf.profile(() => {
      fused.frame();
    });
    expect(info.kernelNames).toEqual([]);
    fused.dispose();
    slow.dispose();
  });
});

describe('what the fused step declines goes to tf.js', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it.each([
    ['dropout', { spec: { layers: [{ units: 128, activation: 'relu', dropout: 0.2 }], optimizer: 'adam', learningRate: 0.001, batchSize: 64 } }],
    ['an L2 penalty', { spec: { layers: [{ units: 128, activation: 'relu' }], optimizer: 'adam', learningRate: 0.001, batchSize: 64, l2: 0.001 } }],
  ] as Array<[string, Partial<TrainJobInput>]>)('a network with %s trains on the tf.js step, to the bit', async (_name, extra) => {
    const j = job(extra);
    const auto = new TrainSession(j);
    const slow = new TrainSession(j, { path: 'tfjs' });
    expect(fusedStepFits(auto.net, j.spec)).toBe(false);
    expect(await kernelsOfStep(auto)).toContain('BatchMatMul');
    slow.step();
    for (let i = 0; i < 3; i++) auto.step(), slow.step();
    expect(weights(auto)).toEqual(weights(slow));
    auto.dispose();
    slow.dispose();
  });

  it('declines a conv net (its dense head too: it trains through tf.js), and a backend with its own native products', async () => {
    const dense = new TrainSession(job({}));
    expect(fusedStepFits(dense.net, { l1: 0, l2: 0 })).toBe(true);
    expect(fusedStepFits(dense.net, { l1: 0, l2: 0 }, 'tensorflow')).toBe(false);
    const conv = new TrainSession(job({ spec: { layers: [{ type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' }, { type: 'flatten' }, { units: 64, activation: 'relu' }], optimizer: 'adam', learningRate: 0.001, batchSize: 16 } }));
    expect(conv.net.layers.reduce((a, l) => a + l.kernel.size, 0)).toBeGreaterThan(20_000);
    expect(fusedStepFits(conv.net, { l1: 0, l2: 0 })).toBe(false);
    expect(await kernelsOfStep(conv)).toContain('Conv2D');
    expect(conv.fusedValidationPass()).toBeUndefined();
    dense.dispose();
    conv.dispose();
  });
});
