import { beforeAll, describe, expect, it } from 'vitest';
import { TrainJob, type TrainJobInput } from '../../shared/run.schema.ts';
import { initBackend } from './tf-backend.ts';
import { TrainSession } from './training-session.ts';

/** 500 spiral points, a quarter each for validation and held-out: 250 training points, all in one batch. */
const TASK = { name: 'spiral', samples: 500, valFraction: 0.25, heldOutFraction: 0.25 } as const;
const WHOLE = 250;

const paths: Array<[string, TrainJobInput['spec'], { path?: 'tfjs' }]> = [
  ['the fast path (2-4-2)', { layers: [{ units: 4, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.03, batchSize: WHOLE }, {}],
  ['the fused step (2-160-160-2, above the fast path’s size)', { layers: [{ units: 160, activation: 'relu' }, { units: 160, activation: 'relu' }], optimizer: 'sgd', learningRate: 0.03, batchSize: WHOLE }, {}],
  ['tf.js', { layers: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.02, batchSize: WHOLE }, { path: 'tfjs' }],
];

describe('a frame’s training accuracy is the steps’ since the previous frame', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it.each(paths)('%s: a step over the whole training split scores what tf.js measures on it before the update', (_name, spec, options) => {
    const job = TrainJob.parse({ runId: 'a', spec, task: TASK, seed: 11, budget: 100_000 });
    const s = new TrainSession(job, options);
    for (let i = 0; i < 3; i++) s.step(); // weights away from their start
    s.frame(); // the steps so far are counted there
    for (let i = 0; i < 2; i++) {
      const before = s.metrics(); // through tf.js, on the weights the next step starts from
      expect(before.accuracy).toBeGreaterThan(0);
      s.step();
      const frame = s.frame();
      expect(Math.abs(frame.accuracy - before.accuracy), 'the rows the step classified right, out of 250 (tf.js’s mean is a float32)').toBeLessThan(1e-6);
      expect(frame.accuracy * WHOLE).toBe(Math.round(frame.accuracy * WHOLE));
    }
    s.dispose();
  });

  it('two steps of half the split each: the frame counts the rows of both', () => {
    const spec = { layers: [{ units: 4, activation: 'tanh' as const }], optimizer: 'sgd' as const, learningRate: 0.03, batchSize: 125 };
    const s = new TrainSession(TrainJob.parse({ runId: 'b', spec, task: TASK, seed: 12, budget: 100_000 }));
    s.step();
    s.step();
    const frame = s.frame();
    expect(frame.accuracy * WHOLE).toBe(Math.round(frame.accuracy * WHOLE));
    expect(frame.accuracy).toBeGreaterThan(0);
    s.dispose();
  });

  it('a frame with no step since the previous one (the first, or after a control) measures the training split now', () => {
    const spec = { layers: [{ units: 4, activation: 'tanh' as const }], optimizer: 'sgd' as const, learningRate: 0.03, batchSize: 10 };
    const s = new TrainSession(TrainJob.parse({ runId: 'c', spec, task: TASK, seed: 13, budget: 100_000 }));
    for (let i = 0; i < 20; i++) s.step();
    s.frame();
    const measured = s.metrics();
    const frame = s.frame();
    expect(Math.abs(frame.accuracy - measured.accuracy)).toBeLessThan(1e-5);
    expect(Math.abs(frame.loss - measured.loss)).toBeLessThan(1e-5);
    s.dispose();
  });
});
