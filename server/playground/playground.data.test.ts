import { describe, expect, it } from 'vitest';
import { planarTaskSplit } from '../../contract/datasets/task-split.ts';
import { CLASSIFICATION_2D, REGRESSION_2D, TaskSpec } from '../../shared/task.schema.ts';
import { generateTaskData } from '../../workers/engine/task-data.ts';
import { pointsToDraw } from './playground.data.ts';

const key = (x: number, y: number) => `${Math.round(x * 1000)},${Math.round(y * 1000)}`;

describe('pointsToDraw', () => {
  for (const name of [...CLASSIFICATION_2D, ...REGRESSION_2D]) {
    it(`sends ${name} training points only, never a held-out one`, () => {
      for (const [task, seed] of [[TaskSpec.parse({ name }), 5], [TaskSpec.parse({ name, samples: 3000, valFraction: 0.3, heldOutFraction: 0.25 }), 123_456]] as const) {
        const sent = pointsToDraw(task, seed);
        const data = generateTaskData(task, seed); // what the engine trains and ranks on
        const set = (p: { x: Float32Array; y: Float32Array; count: number }) => {
          const m = new Map<string, number[]>();
          for (let i = 0; i < p.count; i++) m.set(key(p.x[2 * i]!, p.x[2 * i + 1]!), [...(m.get(key(p.x[2 * i]!, p.x[2 * i + 1]!)) ?? []), Math.round(p.y[i]! * 1000) / 1000]);
          return m;
        };
        const train = set(data.train);
        const heldOut = set(data.heldOut);
        expect(sent.y.length).toBe(Math.min(600, data.train.count));
        expect(sent.x.length).toBe(2 * sent.y.length);
        for (let i = 0; i < sent.y.length; i++) {
          const k = key(sent.x[2 * i]!, sent.x[2 * i + 1]!);
          expect(train.get(k), `point ${k} is a training point`).toContain(sent.y[i]);
          // Distinct points may round to the same thousandths: a held-out point that is also a
          // training point at the page's precision is that training point.
          if (heldOut.has(k)) expect(train.has(k), `point ${k} is held out`).toBe(true);
        }
        // The engine's split is the shared one: same points, same sets.
        const { points, split } = planarTaskSplit(task, seed);
        expect(split.heldOut.length).toBe(data.heldOut.count);
        expect(new Set([...split.train, ...split.val, ...split.heldOut]).size, 'the three sets are disjoint').toBe(task.samples);
        expect(Array.from(split.heldOut, (i) => points.x[2 * i])).toEqual(Array.from({ length: data.heldOut.count }, (_, j) => data.heldOut.x[2 * j]));
      }
    });
  }

  it('sends nothing for MNIST', () => {
    expect(pointsToDraw(TaskSpec.parse({ name: 'mnist', samples: 100 }), 1)).toEqual({ x: [], y: [] });
  });
});
