import { describe, expect, it } from 'vitest';
import { linearScale, logScale, nearestIndex } from './curve-scale.ts';

describe('curve chart axes', () => {
  it('a linear axis runs from 0 to a round maximum', () => {
    const s = linearScale(0.73);
    expect(s.ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(s.at(0.5)).toBe(0.5);
    expect(s.at(3)).toBe(1);
  });

  it('a log axis spans whole decades, a tick each, and keeps a loss that falls a thousandfold readable', () => {
    const s = logScale(0.0021, 0.69);
    expect(s.ticks).toEqual([0.001, 0.01, 0.1, 1]);
    expect(s.at(0.01)).toBeCloseTo(1 / 3, 12);
    expect(s.at(0.1)).toBeCloseTo(2 / 3, 12);
    expect(s.at(0)).toBe(0);
    // on a linear axis the last two decades would share the bottom 1% of the panel
    expect(linearScale(0.69).at(0.01)).toBeLessThan(0.02);
  });

  it('finds the point nearest the pointer', () => {
    expect(nearestIndex([0, 100, 200, 400], 260)).toBe(2);
    expect(nearestIndex([0, 100, 200, 400], 350)).toBe(3);
    expect(nearestIndex([], 5)).toBe(-1);
  });
});
