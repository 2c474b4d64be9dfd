import { describe, expect, it } from 'vitest';
import { decimate } from './curve-downsample.ts';
import { LiveCurve } from './live-curve.ts';

/** A column that counts its pushes and clears, as a state array would see them. */
function column() {
  const values: number[] = [];
  let pushes = 0;
  let clears = 0;
  return {
    values,
    get pushes() { return pushes; },
    get clears() { return clears; },
    push: (...v: number[]) => { pushes += v.length; values.push(...v); },
    clear: () => { clears++; values.length = 0; },
  };
}

describe('LiveCurve', () => {
  it('shows at most maxPoints, the same points decimate keeps, and keeps the whole series', () => {
    const samples = column();
    const loss = column();
    const curve = new LiveCurve({ samples, loss }, 8);
    const all = Array.from({ length: 50 }, (_, i) => ({ samples: (i + 1) * 10, loss: 1 / (i + 1) }));
    for (const p of all) curve.add(p);
    expect(curve.points).toEqual(all);
    expect(samples.values).toEqual(decimate(all, 8).map((p) => p.samples));
    expect(loss.values).toEqual(decimate(all, 8).map((p) => p.loss));
    expect(samples.values.length).toBeLessThanOrEqual(8);
    // Only appends between stride changes: 50 points → strides 1, 2, 4, 8 → 3 rebuilds.
    expect(samples.clears).toBe(3);
  });

  it('drops a point that repeats the last x (a final report repeating the last frame)', () => {
    const iteration = column();
    const curve = new LiveCurve({ iteration, dLoss: column() }, 4);
    curve.add({ iteration: 25, dLoss: 1 });
    curve.add({ iteration: 25, dLoss: 2 });
    expect(curve.points).toEqual([{ iteration: 25, dLoss: 1 }]);
  });

  it('starts over on reset, and refuses a view of no points', () => {
    const samples = column();
    const curve = new LiveCurve({ samples }, 4);
    for (let i = 1; i <= 9; i++) curve.add({ samples: i });
    curve.reset();
    expect(samples.values).toEqual([]);
    curve.add({ samples: 1 });
    expect(samples.values).toEqual([1]);
    expect(() => new LiveCurve({ samples }, 0)).toThrow('maxPoints must be at least 1');
  });
});
