import { describe, expect, it } from 'vitest';
import { packLayerActivations, packWorstPoints, perClassAccuracy, unpackLayerActivations } from './error-analysis.ts';
import { PlaygroundProbeMessage } from './playground.messages.ts';

describe('error analysis on the wire', () => {
  it('packs a layer between its own min and max and unpacks it to within a step', () => {
    const values = [-0.5, 0, 0.25, 1.5, Number.NaN];
    const packed = packLayerActivations({ layer: 1, kind: 'dense', units: 80, values });
    expect(packed).toMatchObject({ layer: 1, kind: 'dense', units: 80, min: -0.5, max: 1.5 });
    expect(packed.values).toEqual([0, 64, 96, 255, 0]);
    const back = unpackLayerActivations(packed);
    values.slice(0, 4).forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(2 / 255));
    // A layer whose units are all alike (dead) packs to zeros, not to NaN.
    expect(packLayerActivations({ layer: 0, kind: 'conv', units: 3, values: [0, 0, 0] }).values).toEqual([0, 0, 0]);
  });

  it("matches each worst point to its inspection, with the prediction's confidence, and passes the message schema", () => {
    const misclassified = [
      { index: 7, label: 1, predicted: 0, loss: 2.3456 },
      { index: 3, label: 0, predicted: 1, loss: 1.2 },
      { index: 9, label: 0, predicted: 1, loss: 1.1 }, // not inspected: left out
    ];
    const worst = [
      { index: 3, point: [0.5, -0.25], output: [0.3, 0.7], layers: [{ layer: 0, kind: 'dense' as const, units: 2, values: [0.1, 0.9] }] },
      { index: 7, point: [-1, 1], output: [0.9046, 0.0954], layers: [{ layer: 0, kind: 'dense' as const, units: 2, values: [0, 1] }] },
    ];
    const packed = packWorstPoints({ misclassified, worst }, true);
    expect(packed.map((p) => [p.index, p.label, p.predicted, p.confidence, p.point])).toEqual([
      [7, 1, 0, 0.905, [-1, 1]],
      [3, 0, 1, 0.7, [0.5, -0.25]],
    ]);
    expect(packed[0]!.loss).toBe(2.35);
    expect(packed[0]!.layers[0]!.values).toEqual([0, 255]);
    expect(PlaygroundProbeMessage.safeParse({ step: 1, samples: 32, worst: packed }).success).toBe(true);
    // Regression: no confidence, the predicted value rounded.
    const reg = packWorstPoints({ misclassified: [{ index: 3, label: 0.5, predicted: 0.123456, loss: 0.1 }], worst: [{ ...worst[0]!, output: [0.123456] }] }, false);
    expect(reg[0]).not.toHaveProperty('confidence');
    expect(reg[0]!.predicted).toBe(0.123);
  });

  it('per-class accuracy is each row of the confusion matrix read along its diagonal', () => {
    expect(perClassAccuracy([[8, 2, 0], [1, 3, 0], [0, 0, 0]])).toEqual([
      { label: 0, correct: 8, total: 10, accuracy: 0.8 },
      { label: 1, correct: 3, total: 4, accuracy: 0.75 },
      { label: 2, correct: 0, total: 0, accuracy: 0 },
    ]);
  });
});
