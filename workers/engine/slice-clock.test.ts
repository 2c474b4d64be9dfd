import { afterEach, describe, expect, it, vi } from 'vitest';
import { SliceClock } from './slice-clock.ts';

/** Steps of `stepMs` each on a clock the test moves, until the slice is due: how many steps ran, how long, and how often the clock was read. */
function runSlice(stepMs: number, sliceMs = 8): { steps: number; ms: number; reads: number } {
  let now = 1000;
  const read = vi.spyOn(performance, 'now').mockImplementation(() => now);
  const clock = new SliceClock(sliceMs);
  const start = now;
  read.mockClear();
  let steps = 0;
  do {
    now += stepMs;
    steps++;
  } while (!clock.due() && steps < 1e6);
  return { steps, ms: now - start, reads: read.mock.calls.length };
}

describe('slice clock', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads the clock every step while steps are slow', () => {
    const { steps, reads, ms } = runSlice(2);
    expect(steps).toBe(5); // the first reading past 8 ms
    expect(reads).toBe(5);
    expect(ms).toBe(10);
  });

  it('reads it seldom when steps are tiny, and still ends the slice soon after it is over', () => {
    const { steps, reads, ms } = runSlice(0.002); // 2 µs a step: 4,000 steps to a slice
    expect(steps).toBeGreaterThan(4000);
    expect(reads).toBeLessThan(steps / 20);
    expect(ms).toBeLessThan(8 * 1.2);
  });
});
