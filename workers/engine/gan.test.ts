import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { slicedWasserstein } from '../../contract/distribution-distance.ts';
import { GanJob, type GanFrame } from '../../shared/gan.schema.ts';
import { createRng } from '../../contract/random.ts';
import { runGan, sampleDistribution } from './gan.ts';
import { initBackend } from './tf-backend.ts';

const job = (iterations: number) =>
  GanJob.parse({
    runId: 'gan',
    distribution: 'ring',
    seed: 7,
    iterations,
    batchSize: 128,
    latentDim: 2,
    generator: { layers: [{ units: 32, activation: 'relu' }, { units: 32, activation: 'relu' }], learningRate: 0.002 },
    discriminator: { layers: [{ units: 32, activation: 'relu' }, { units: 32, activation: 'relu' }], learningRate: 0.002 },
    frameEveryIterations: 150,
  });

describe('GAN training', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('the sliced Wasserstein distance is zero for one set and grows with a shift', () => {
    const a = sampleDistribution('ring', 500, createRng(1));
    expect(slicedWasserstein(a, a)).toBe(0);
    const shifted = a.map((v, i) => (i % 2 === 0 ? v + 0.5 : v));
    expect(slicedWasserstein(a, shifted)).toBeGreaterThan(0.2);
  });

  it('on the ring, the distance between real and generated points falls as the generator learns', async () => {
    const frames: GanFrame[] = [];
    const before = tf.memory().numTensors;
    const result = await runGan(job(1500), { onFrame: (f) => frames.push(f) });
    // the generator starts as a blob near the origin; by the end it spreads over the ring
    expect(tf.memory().numTensors).toBe(before);
    const first = frames[0]!;
    expect(first.heatmap.values).toHaveLength(900);
    expect(first.generated).toHaveLength(512);
    expect(result.final.distance).toBeLessThan(first.distance * 0.5);
    expect(frames.every((f) => Number.isFinite(f.dLoss) && Number.isFinite(f.gLoss))).toBe(true);
  });

  it('is deterministic: the same job gives the same weights', async () => {
    const [a, b] = [await runGan(job(30)), await runGan(job(30))];
    expect(a.weightsHash).toBe(b.weightsHash);
  });
});
