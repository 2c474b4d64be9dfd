import { describe, expect, it } from 'vitest';
import { debiasedEma, resampleToColumns } from './curve-resample.ts';

describe('curves at the resolution of the canvas', () => {
  it('keeps short series as they are', () => {
    expect(resampleToColumns([0, 1, 2], [5, 6, 7], 0, 10, 100)).toEqual({ xs: [0, 1, 2], ys: [5, 6, 7] });
  });

  it('turns 10,000 points into at most two per column and keeps every spike and the last point', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i);
    const ys = xs.map((x) => (x === 4321 ? 99 : x === 777 ? -5 : Math.sin(x / 50)));
    const r = resampleToColumns(xs, ys, 0, 10_000, 500);
    expect(r.xs.length).toBeLessThanOrEqual(1001);
    expect(r.ys).toContain(99);
    expect(r.ys).toContain(-5);
    expect(r.xs.at(-1)).toBe(9999);
    expect(r.xs.every((x, i) => i === 0 || x > r.xs[i - 1]!)).toBe(true);
  });
});

describe('debiased EMA smoothing', () => {
  it('starts at the first value instead of near zero, and follows a constant exactly', () => {
    expect(debiasedEma([2, 2, 2, 2], 0.9)).toEqual([2, 2, 2, 2].map(() => expect.closeTo(2, 12)));
    const s = debiasedEma([1, 0, 1, 0, 1, 0], 0.6);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(Math.max(...s.slice(2)) - Math.min(...s.slice(2))).toBeLessThan(0.6);
  });

  it('passes NaN through without poisoning later values; a = 0 is the raw series', () => {
    const s = debiasedEma([1, NaN, 1], 0.5);
    expect(Number.isNaN(s[1])).toBe(true);
    expect(s[2]).toBeCloseTo(1, 12);
    expect(debiasedEma([3, 1], 0)).toEqual([3, 1]);
  });
});
