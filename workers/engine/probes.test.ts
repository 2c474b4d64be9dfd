import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../contract/random.ts';
import { TrainJob, type TrainJobInput } from '../../shared/run.schema.ts';
import { LANDSCAPE_PASS_VALUES, lossLandscape } from './landscape.ts';
import { forward } from './network.ts';
import { classifyRows, decisionBoundary, histogram, probe } from './probes.ts';
import { initBackend } from './tf-backend.ts';
import { TrainSession } from './training-session.ts';

const session = (extra: Partial<TrainJobInput> = {}) =>
  new TrainSession(
    TrainJob.parse({ runId: 'p', spec: { layers: [{ units: 10, activation: 'relu' }, { units: 10, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.02, batchSize: 32 }, task: { name: 'xor' }, seed: 4, budget: 50_000, ...extra }),
  );

describe('probes and the loss landscape', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('a probe holds the decision boundary, activation maps, histograms, confusion matrix and worst points', () => {
    const s = session({ boundaryResolution: 20 });
    for (let i = 0; i < 100; i++) s.step();
    const p = probe(s);
    expect(p.boundary!.values).toHaveLength(400);
    expect(p.boundary!.values.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(p.activationMaps!.map((m) => m.units.length)).toEqual([10, 10]);
    expect(p.activationMaps![0]!.units[0]).toHaveLength(144);
    expect(p.histograms).toHaveLength(3);
    expect(p.histograms[0]!.weights.counts.reduce((a, b) => a + b, 0)).toBe(2 * 10);
    const confusion = p.confusion!;
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(s.validation.count);
    const correct = confusion[0]![0]! + confusion[1]![1]!;
    expect(correct / s.validation.count).toBeCloseTo(s.metrics().valAccuracy, 5);
    expect(p.misclassified.length).toBeLessThanOrEqual(5);
    expect(p.misclassified.every((m) => m.label !== m.predicted)).toBe(true);
    s.dispose();
  });

  it("the worst points are validation points, with the network's output and each hidden layer's activations for them", () => {
    const s = session({ budget: 2_000 });
    for (let i = 0; i < 3; i++) s.step(); // early: some points are still wrong
    const p = probe(s);
    expect(p.misclassified.length).toBeGreaterThan(0);
    expect(p.worst!.map((w) => w.index)).toEqual(p.misclassified.map((m) => m.index));
    const raw = s.validationPoints;
    p.worst!.forEach((w, i) => {
      const m = p.misclassified[i]!;
      expect(w.point![0]).toBeCloseTo(raw.x[2 * w.index]!, 3);
      expect(w.point![1]).toBeCloseTo(raw.x[2 * w.index + 1]!, 3);
      expect(w.output.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      expect(w.output.indexOf(Math.max(...w.output))).toBe(m.predicted);
      expect(raw.y[w.index]).toBe(m.label);
      // The activations are tf.js's on that point.
      const direct: number[][] = [];
      tf.tidy(() => void forward(s.net, tf.tensor2d([raw.x[2 * w.index]!, raw.x[2 * w.index + 1]!], [1, 2]), { onHidden: (_l, h) => void direct.push([...h.dataSync()]) }));
      expect(w.layers.map((l) => [l.layer, l.kind, l.units])).toEqual([[0, 'dense', 10], [1, 'dense', 10]]);
      w.layers.forEach((l, j) => l.values.forEach((v, k) => expect(v).toBeCloseTo(direct[j]![k]!, 3)));
    });
    s.dispose();
  });

  it("classifyRows: tf.argMax's class and tf.losses.softmaxCrossEntropy's loss for each row (ties to the first class)", () => {
    const rng = createRng(3);
    const [n, classes] = [300, 10];
    const logits = new Float32Array(n * classes).map(() => rng.normal() * 4);
    logits.fill(1.5, 0, classes); // a row of ties
    logits.set([2, 7, 7, -1], classes); // a tie for the largest
    const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
    const { predicted, loss } = classifyRows(logits, classes, labels);
    const [wantClass, wantLoss] = tf.tidy(() => {
      const z = tf.tensor2d(logits, [n, classes]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
      return [tf.argMax(z, 1).dataSync(), tf.losses.softmaxCrossEntropy(y, z, undefined, undefined, tf.Reduction.NONE).dataSync()];
    });
    expect(Array.from(predicted)).toEqual(Array.from(wantClass));
    expect(predicted[0]).toBe(0);
    expect(predicted[1]).toBe(1);
    loss.forEach((l, i) => expect(l).toBeCloseTo(wantLoss[i]!, 4));
  });

  it('histogram: min, max and 20 equal bins, as the plain definition counts them (NaN left out)', () => {
    const reference = (values: ArrayLike<number>) => {
      const finite = Array.from(values).filter((v) => !Number.isNaN(v));
      const min = Math.min(...finite);
      const max = Math.max(...finite);
      const width = max > min ? (max - min) / 20 : 1;
      const counts = new Array<number>(20).fill(0);
      for (const v of finite) counts[Math.min(19, Math.floor((v - min) / width))]!++;
      return { min, max, counts };
    };
    const rng = createRng(9);
    const normal = new Float32Array(5000).map(() => rng.normal() * 0.05);
    expect(histogram(normal)).toEqual(reference(normal));
    expect(histogram(normal).counts.reduce((a, b) => a + b, 0)).toBe(5000);
    const withNaN = new Float32Array([1, NaN, -2, 3, 3, NaN, 0.5]);
    expect(histogram(withNaN)).toEqual(reference(withNaN));
    expect(histogram(new Float32Array([0.25, 0.25, 0.25]))).toEqual({ min: 0.25, max: 0.25, counts: [3, ...new Array(19).fill(0)] });
    expect(histogram(new Int32Array([3, 1, 2]))).toEqual(reference([3, 1, 2]));
    expect(histogram(new Float32Array(0))).toEqual({ min: 0, max: 0, counts: new Array(20).fill(0) });
  });

  it('the boundary is the probability of class 1 at each grid point, top row first', () => {
    const s = session();
    for (let i = 0; i < 50; i++) s.step();
    const values = decisionBoundary(s, 3);
    // Top-left grid point is (-1.2, +1.2); features are (x1, x2).
    const direct = tf.tidy(() => tf.softmax(forward(s.net, tf.tensor2d([-1.2, 1.2], [1, 2]))).dataSync()[1]!);
    expect(values[0]).toBeCloseTo(direct, 5);
    s.dispose();
  });

  it("the landscape's centre equals the current loss, and the path ends at the centre", () => {
    const s = session();
    for (let i = 0; i < 120; i++) {
      if (i % 20 === 0) s.keepCheckpoint();
      s.step();
    }
    s.keepCheckpoint();
    const land = lossLandscape(s, { resolution: 11, range: 0.5, points: 200 });
    expect(land.losses).toHaveLength(121);
    const direct = tf.tidy(() => {
      const x = s.validation.x.slice([0, 0], [200, -1]);
      const y = s.validation.y.slice([0, 0], [200, -1]);
      return tf.losses.softmaxCrossEntropy(y, forward(s.net, x)).dataSync()[0]!;
    });
    expect(land.center).toBeCloseTo(direct, 4);
    expect(Math.max(...land.losses)).toBeGreaterThan(land.center * 1.05); // moving away from trained weights costs loss
    expect(land.trajectory.map((t) => t.step)).toEqual([0, 20, 40, 60, 80, 100, 120]);
    const last = land.trajectory.at(-1)!;
    expect(last.alpha).toBeCloseTo(0, 5);
    expect(last.beta).toBeCloseTo(0, 5);
    expect(last.loss).toBeCloseTo(land.center, 4);
    expect(() => lossLandscape(s, { resolution: 99 })).toThrow(/at most 51/);
    s.dispose();
  });

  it('a landscape of a wide network goes in passes of bounded size: the same losses, no tensor left, a bounded peak', async () => {
    const s = session({ spec: { layers: [{ units: 64, activation: 'elu' }, { units: 64, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.02, batchSize: 32 } });
    for (let i = 0; i < 30; i++) s.step();
    lossLandscape(s, { resolution: 5 }); // the first one makes the session's tensors it keeps
    const tensors = tf.memory().numTensors;
    let land!: ReturnType<typeof lossLandscape>;
    // A backend keeps the memory of its largest pass (the wasm heap never shrinks): the peak is what a request costs for good.
    const { peakBytes } = await tf.profile(() => void (land = lossLandscape(s, { resolution: 31 })));
    expect(peakBytes).toBeLessThan(12 * LANDSCAPE_PASS_VALUES * 4); // 676 points a pass peaked at 483 MB, 240 times that
    expect(tf.memory().numTensors).toBe(tensors);
    const onePointAtATime = lossLandscape(s, { resolution: 31, chunk: 1 });
    land.losses.forEach((loss, i) => expect(loss).toBeCloseTo(onePointAtATime.losses[i]!, 4));
    s.dispose();
  });
});
