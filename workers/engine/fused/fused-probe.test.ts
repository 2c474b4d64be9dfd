import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrainJob } from '../../../shared/run.schema.ts';
import { probe } from '../probes.ts';
import { initBackend } from '../tf-backend.ts';
import { TrainSession } from '../training-session.ts';

describe('a probe of a run on the fused step', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('reads the gradients, weights and outputs there, and agrees with the probe of the tf.js path', () => {
    const job = TrainJob.parse({ runId: 'probe', spec: { layers: [{ units: 128, activation: 'relu' }, { units: 32, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.002, batchSize: 64 }, task: { name: 'mnist', samples: 600 }, seed: 3, budget: 100_000, frameEverySteps: 1000 });
    const fused = new TrainSession(job);
    const slow = new TrainSession(job, { path: 'tfjs' });
    for (let i = 0; i < 6; i++) fused.step(), slow.step();
    expect(fused.fusedValidationPass()).toBeDefined();
    expect(slow.fusedValidationPass()).toBeUndefined();
    const before = tf.memory().numTensors;
    const [a, b] = [probe(fused), probe(slow)];
    expect(tf.memory().numTensors).toBe(before);
    expect(a.confusion).toEqual(b.confusion);
    expect(a.misclassified.map((m) => m.index)).toEqual(b.misclassified.map((m) => m.index));
    a.misclassified.forEach((m, i) => expect(m.loss).toBeCloseTo(b.misclassified[i]!.loss, 4));
    // The worst digits' activations, read on the fused step's weights, are tf.js's.
    expect(a.worst!.length).toBeGreaterThan(0);
    a.worst!.forEach((w, i) => {
      const o = b.worst![i]!;
      expect(w.pixels).toEqual(o.pixels);
      w.output.forEach((v, k) => expect(v).toBeCloseTo(o.output[k]!, 3));
      expect(w.layers.map((l) => [l.kind, l.units, l.values.length])).toEqual([['dense', 128, 64], ['dense', 32, 32]]);
      w.layers.forEach((l, j) => l.values.forEach((v, k) => expect(v).toBeCloseTo(o.layers[j]!.values[k]!, 3)));
    });
    expect(a.histograms).toHaveLength(3);
    a.histograms.forEach((h, i) => {
      const o = b.histograms[i]!;
      expect(h.weights.min).toBeCloseTo(o.weights.min, 6);
      expect(h.weights.max).toBeCloseTo(o.weights.max, 6);
      expect(h.gradients.min).toBeCloseTo(o.gradients.min, 6);
      expect(h.gradients.max).toBeCloseTo(o.gradients.max, 6);
      expect(h.gradients.max).toBeGreaterThan(h.gradients.min);
      // A value on a bin's edge may round into its neighbour: the counts agree to a few.
      h.gradients.counts.forEach((c, k) => expect(Math.abs(c - o.gradients.counts[k]!)).toBeLessThanOrEqual(3));
      h.weights.counts.forEach((c, k) => expect(Math.abs(c - o.weights.counts[k]!)).toBeLessThanOrEqual(3));
    });
    // The probe changed nothing: the next steps still match.
    for (let i = 0; i < 2; i++) fused.step(), slow.step();
    const w = (s: TrainSession) => s.net.layers.flatMap((l) => [...l.kernel.dataSync()]);
    const [wa, wb] = [w(fused), w(slow)];
    expect(Math.max(...wa.map((v, i) => Math.abs(v - wb[i]!)))).toBeLessThan(1e-5);
    fused.dispose();
    slow.dispose();
  });
});
