import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeFeatureMaps, ConvStemWeights, filterMap } from '../../shared/conv-feature-maps.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { forward } from './network.ts';
import { probe } from './probes.ts';
import { initBackend } from './tf-backend.ts';
import { TrainSession } from './training-session.ts';

/** conv4×3 relu · pool2 · conv3×3/2 tanh · flatten · 16 · output: both activations, a pool and a stride. */
const session = () =>
  new TrainSession(
    TrainJob.parse({
      runId: 'maps',
      spec: {
        layers: [
          { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
          { type: 'maxPool2d', poolSize: 2 },
          { type: 'conv2d', filters: 3, kernelSize: 3, strides: 2, activation: 'tanh' },
          { type: 'flatten' },
          { units: 16, activation: 'relu' },
        ],
        optimizer: 'adam',
        learningRate: 0.01,
        batchSize: 16,
      },
      task: { name: 'mnist', samples: 400 },
      seed: 3,
      budget: 16 * 40,
    }),
  );

describe('conv feature maps from a probe\'s weights', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('a probe carries the stem\'s weights, and the maps a page computes from them match the engine\'s to 1e-4', () => {
    const s = session();
    for (let i = 0; i < 8; i++) s.step(); // biases move off zero
    const p = probe(s);
    const stem = ConvStemWeights.parse(p.convStem);
    expect(stem.layers.map((l) => l.type)).toEqual(['conv2d', 'maxPool2d', 'conv2d']);
    expect(p.worst?.length).toBeGreaterThan(0);
    const conv = stem.layers.filter((l) => l.type === 'conv2d');
    expect(conv.some((l) => l.bias.some((b) => b !== 0))).toBe(true);
    for (const w of p.worst!.slice(0, 3)) {
      const pixels = w.pixels!.map((v) => v / 255);
      const page = computeFeatureMaps(stem, pixels);
      const engine: number[][][][] = [];
      tf.tidy(() => forward(s.net, tf.tensor2d(pixels, [1, 784]), { onFeatureMaps: (i, out) => (engine[i] = (out.arraySync() as number[][][][])[0]!) }));
      expect(page.map((m) => [m.height, m.width, m.filters])).toEqual([
        [26, 26, 4],
        [6, 6, 3],
      ]);
      page.forEach((m, i) => {
        for (let f = 0; f < m.filters; f++) {
          const map = filterMap(m, f);
          for (let r = 0; r < m.height; r++) for (let c = 0; c < m.width; c++) expect(Math.abs(map[r * m.width + c]! - engine[i]![r]![c]![f]!)).toBeLessThan(1e-4);
        }
      });
    }
    s.dispose();
  });

  it('refuses weights that do not fit their layer, saying which', () => {
    const bad = ConvStemWeights.safeParse({ image: [28, 28, 1], layers: [{ type: 'conv2d', kernelSize: 3, strides: 1, inChannels: 1, filters: 2, activation: 'relu', kernel: [1, 2, 3], bias: [0, 0] }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe("conv layer 1's kernel needs 18 weights, not 3");
  });
});
