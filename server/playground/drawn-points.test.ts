import { describe, expect, it } from 'vitest';
import { DrawnPoints } from './drawn-points.ts';

describe('drawn points', () => {
  it('follow added points, boxes of removed ones, and rewinds to before them', () => {
    const drawn = new DrawnPoints({ x: [0, 0, 0.5, 0.5], y: [0, 1] });
    expect(drawn.applied({ type: 'addPoints', points: [{ x: [1, 1], label: 1 }] }, 10)).toBe(true);
    expect(drawn.points).toEqual({ x: [0, 0, 0.5, 0.5, 1, 1], y: [0, 1, 1] });
    expect(drawn.applied({ type: 'removePoints', from: [0.6, 0.6], to: [0.4, 0.4] }, 20)).toBe(true);
    expect(drawn.points).toEqual({ x: [0, 0, 1, 1], y: [0, 1] });
    expect(drawn.applied({ type: 'setLearningRate', learningRate: 0.1 }, 25)).toBe(false);
    expect(drawn.applied({ type: 'rewind', toStep: 30 }, 30)).toBe(false); // nothing after step 30 to forget
    expect(drawn.applied({ type: 'rewind', toStep: 15 }, 40)).toBe(true);
    expect(drawn.points).toEqual({ x: [0, 0, 0.5, 0.5, 1, 1], y: [0, 1, 1] });
    expect(drawn.applied({ type: 'rewind', toStep: 0 }, 50)).toBe(true);
    expect(drawn.points).toEqual({ x: [0, 0, 0.5, 0.5], y: [0, 1] });
  });
});
