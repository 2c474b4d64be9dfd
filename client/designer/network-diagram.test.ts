import { describe, expect, it } from 'vitest';
import { diagramLayout } from './network-diagram.ts';

describe('the network diagram layout', () => {
  it('spreads one bar per layer across the width, tall in proportion to its units', () => {
    const bars = diagramLayout([2, 32, 16, 2], 300, 60);
    expect(bars).toHaveLength(4);
    expect(bars[0]!.x).toBe(0);
    expect(bars[3]!.x + bars[3]!.width).toBeCloseTo(300);
    expect(bars[1]!.height).toBe(60);
    expect(bars[2]!.height).toBe(30);
    expect(bars[0]!.height).toBe(4); // never thinner than the minimum
    for (const b of bars) expect(b.y + b.height / 2).toBeCloseTo(30);
  });

  it('handles no layers, one layer and nonsense widths', () => {
    expect(diagramLayout([], 100, 50)).toEqual([]);
    expect(diagramLayout([8], 100, 50)[0]!.height).toBe(50);
    expect(diagramLayout([0, -3], 100, 50).every((b) => b.height === 4)).toBe(true);
  });
});
