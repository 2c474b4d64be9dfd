import { describe, expect, it } from 'vitest';
import { decimate, strideFor } from './curve-downsample.ts';

describe('curve downsampling', () => {
  it('keeps everything while the series is short', () => {
    expect(decimate([1, 2, 3], 4)).toEqual([1, 2, 3]);
  });

  it('keeps at most maxPoints, at a power-of-two stride', () => {
    const series = Array.from({ length: 1000 }, (_, i) => i);
    const kept = decimate(series, 128);
    expect(kept.length).toBeLessThanOrEqual(128);
    expect(strideFor(1000, 128)).toBe(8);
    expect(kept.slice(0, 3)).toEqual([0, 8, 16]);
  });

  it('never moves a kept point as the series grows at one stride', () => {
    const a = decimate(Array.from({ length: 900 }, (_, i) => i), 128);
    const b = decimate(Array.from({ length: 1000 }, (_, i) => i), 128);
    expect(b.slice(0, a.length)).toEqual(a);
  });

  it('refuses a nonsensical size', () => {
    expect(() => strideFor(10, 0)).toThrow(/maxPoints must be at least 1/);
  });
});
