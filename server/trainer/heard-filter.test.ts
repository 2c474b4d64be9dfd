import { describe, expect, it } from 'vitest';
import { HeardFilter } from './heard-filter.ts';

/** Feeds a telemetry sequence through a filter and keeps what passes. */
function pass(filter: HeardFilter, items: Array<['f' | 'p' | 'e', number] | ['r']>): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (item[0] === 'r') {
      if (filter.wentBack()) out.push('r');
    } else if (item[0] === 'e') {
      if (filter.freshEvent(item[1])) out.push(`e${item[1]}`);
    } else if (filter.fresh(item[0] === 'f' ? 'frame' : 'probe', item[1])) out.push(`${item[0]}${item[1]}`);
  }
  return out;
}

describe('HeardFilter', () => {
  it('passes a run told once, from the start', () => {
    expect(pass(new HeardFilter(), [['f', 10], ['e', 10], ['p', 15], ['f', 20], ['e', 20], ['e', 20]])).toEqual(['f10', 'e10', 'p15', 'f20', 'e20', 'e20']);
  });

  it('after a resume from a checkpoint, drops the repeats up to what was heard, then passes the rest (events counted at equal samples)', () => {
    const told = pass(new HeardFilter(), [['f', 10], ['f', 20], ['e', 20], ['f', 30], ['r'], ['f', 20], ['e', 20], ['f', 30], ['e', 30], ['f', 40]]);
    expect(told).toEqual(['f10', 'f20', 'e20', 'f30', 'r', 'e30', 'f40']);
  });

  it('attached after some samples: nothing at or before them, and a recovery before them is not told again', () => {
    const told = pass(new HeardFilter(20), [['f', 10], ['e', 20], ['r'], ['f', 20], ['p', 20], ['f', 30], ['e', 30], ['r'], ['f', 30], ['f', 40]]);
    expect(told).toEqual(['f30', 'e30', 'r', 'f40']);
  });
});
