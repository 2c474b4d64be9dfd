import { describe, expect, it } from 'vitest';
import { FrameBuffer } from './frame-buffer.ts';

describe('FrameBuffer', () => {
  it('releases frames in order once the position reaches the time each arrived', () => {
    const b = new FrameBuffer<string>({ minGapMs: 0 });
    b.push(100, 'a');
    b.push(200, 'b');
    b.push(300, 'c');
    expect(b.release(50)).toEqual([]);
    expect(b.release(250)).toEqual(['a', 'b']);
    expect(b.size).toBe(1);
    expect(b.release(250)).toEqual([]);
    expect(b.releaseAll()).toEqual(['c']);
    expect(b.size).toBe(0);
  });

  it('merges frames closer than minGapMs into the one waiting, keeping its time', () => {
    const b = new FrameBuffer<number[]>({ minGapMs: 200, merge: (older, newer) => [...older, ...newer] });
    b.push(1_000, [1]);
    b.push(1_050, [2]);
    b.push(1_199, [3]);
    b.push(1_200, [4]);
    expect(b.size).toBe(2);
    expect(b.release(1_000)).toEqual([[1, 2, 3]]);
    expect(b.release(1_200)).toEqual([[4]]);
  });

  it('never merges into a frame already released', () => {
    const b = new FrameBuffer<string>({ minGapMs: 200 });
    b.push(1_000, 'a');
    expect(b.release(1_000)).toEqual(['a']);
    b.push(1_010, 'b');
    expect(b.releaseAll()).toEqual(['b']);
  });

  it('stays within maxFrames however far behind, thinning evenly and losing nothing merged', () => {
    const b = new FrameBuffer<number[]>({ minGapMs: 0, maxFrames: 4, merge: (older, newer) => [...older, ...newer] });
    for (let i = 1; i <= 5; i += 1) b.push(i * 1_000, [i]);
    // five frames were one too many: pairs were merged, each at its later time
    expect(b.size).toBe(3);
    expect(b.release(2_000)).toEqual([[1, 2]]);
    expect(b.release(4_000)).toEqual([[3, 4]]);
    expect(b.release(5_000)).toEqual([[5]]);
  });

  it('after thinning, merges frames twice as far apart until it has drained', () => {
    const b = new FrameBuffer<number[]>({ minGapMs: 100, maxFrames: 4, merge: (older, newer) => [...older, ...newer] });
    for (let i = 1; i <= 5; i += 1) b.push(i * 100, [i]); // thinned: the gap is 200 ms now
    b.push(550, [6]); // 50 ms after the last: merged
    b.push(760, [7]); // 210 ms after: a frame of its own
    expect(b.releaseAll()).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    b.push(1_000, [8]);
    b.push(1_150, [9]); // drained: 100 ms apart is its own frame again
    expect(b.size).toBe(2);
  });

  it('refuses a maxFrames it cannot keep', () => {
    expect(() => new FrameBuffer({ maxFrames: 1 })).toThrow('maxFrames must be at least 2, got 1');
  });
});
