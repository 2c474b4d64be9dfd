import { describe, expect, it } from 'vitest';
import { columnSpans, debiasedEma, movingAverage, windowOfWeight } from './curve-resample.ts';

describe('dense curves at the resolution of the canvas', () => {
  const spans = (xs: number[], ys: number[], x1: number, columns: number) => {
    const lo = new Float32Array(columns);
    const hi = new Float32Array(columns);
    columnSpans(xs, ys, 0, x1, lo, hi);
    return { lo: [...lo], hi: [...hi] };
  };

  it('gives each column the range of its values, joined to the previous column, and keeps every spike', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i);
    const ys = xs.map((x) => (x === 4321 ? 99 : x === 777 ? -5 : Math.sin(x / 50)));
    const { lo, hi } = spans(xs, ys, 10_000, 500);
    expect(Math.max(...hi)).toBe(99);
    expect(Math.min(...lo)).toBe(-5);
    expect(hi[Math.floor(4321 / 20)]).toBe(99);
    // Every column reaches the last value of the one before: the bars make one connected line.
    for (let c = 1; c < 500; c++) {
      const last = ys[c * 20 - 1]!;
      expect(lo[c]! <= Math.fround(last) && Math.fround(last) <= hi[c]!).toBe(true);
    }
  });

  it('fills columns the data skips by straight interpolation, and leaves columns past the data empty', () => {
    // Points at x = 0..9 (one per column), then a jump to x = 50: columns 10..49 interpolate 9 → 59.
    const xs = [...Array.from({ length: 10 }, (_, i) => i + 0.5), 50.5];
    const ys = [...Array.from({ length: 10 }, (_, i) => i), 59];
    const { lo, hi } = spans(xs, ys, 100, 100);
    expect(lo[5]).toBe(4);
    expect(hi[5]).toBe(5);
    expect(lo[30]).toBeCloseTo(9 + (50 * 21) / 41, 4);
    expect(hi[30]).toBeCloseTo(9 + (50 * 22) / 41, 4);
    expect(hi[50]).toBe(59);
    expect(lo.slice(51).every(Number.isNaN)).toBe(true);
  });

  it('skips NaN and infinite values without breaking the line', () => {
    const { lo, hi } = spans([0.5, 1.5, 2.5], [1, NaN, 3], 3, 3);
    // The NaN's column is bridged from 1 to 3 like any column the data skips.
    expect([lo[1], hi[1]]).toEqual([2, 3]);
    expect([lo[2], hi[2]]).toEqual([1, 3]);
    expect(spans([0.5, 1.5], [Infinity, 2], 2, 2).lo[0]).toBeNaN();
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

describe('moving-average smoothing', () => {
  it('is the mean of the last `window` points, fewer at the start', () => {
    expect(movingAverage([1, 2, 3, 4, 5, 6], 3)).toEqual([1, 1.5, 2, 3, 4, 5]);
    expect(movingAverage([4, 4, 4, 4, 4], 4)).toEqual([4, 4, 4, 4, 4]);
    const noisy = [1, 0, 1, 0, 1, 0, 1, 0];
    const s = movingAverage(noisy, 2);
    expect(s.slice(1)).toEqual(s.slice(1).map(() => 0.5));
  });

  it('passes NaN and infinities through, leaving them out of the means; a window of 1 is the raw series', () => {
    const s = movingAverage([2, NaN, 4, Infinity, 6], 2);
    expect(Number.isNaN(s[1])).toBe(true);
    expect(s[3]).toBe(Infinity);
    expect([s[0], s[2], s[4]]).toEqual([2, 3, 5]);
    expect(movingAverage([3, 1, 2], 1)).toEqual([3, 1, 2]);
    expect(movingAverage([3, 1, 2], 0.5)).toEqual([3, 1, 2]);
  });

  it('takes the window an EMA weight stands for', () => {
    expect([0, 0.5, 0.9, 0.95].map(windowOfWeight)).toEqual([1, 2, 10, 20]);
  });
});
