import { describe, expect, it } from 'vitest';
import { History } from './spec-history.ts';

describe('undo and redo', () => {
  it('steps back and forward through recorded states', () => {
    const h = new History('a');
    expect(h.canUndo).toBe(false);
    h.record('b', undefined, 0);
    h.record('c', undefined, 10);
    expect(h.undo()).toBe('b');
    expect(h.undo()).toBe('a');
    expect(h.undo()).toBeUndefined();
    expect(h.current).toBe('a');
    expect(h.redo()).toBe('b');
    expect(h.redo()).toBe('c');
    expect(h.redo()).toBeUndefined();
    expect(h.canRedo).toBe(false);
  });

  it('merges typing in one field into one step, but not across fields or pauses', () => {
    const h = new History('');
    h.record('3', 'widths', 0);
    h.record('32', 'widths', 200);
    h.record('32,', 'widths', 400);
    expect(h.undo()).toBe('');
    h.redo();
    h.record('32, 8', 'widths', 3000); // after a pause: a step of its own
    h.record('32, 8!', 'lr', 3100); // another field: a step of its own
    expect(h.undo()).toBe('32, 8');
    expect(h.undo()).toBe('32,');
    expect(h.undo()).toBe('');
  });

  it('does not merge the first edit after an undo into the state it went back to', () => {
    const h = new History('a');
    h.record('ab', 'f', 0);
    h.record('abc', 'g', 10);
    h.undo();
    h.record('abx', 'f', 20);
    expect(h.undo()).toBe('ab');
  });

  it('clears redo on a new edit, ignores an unchanged state, and keeps at most `limit` steps', () => {
    const h = new History(0, { limit: 3 });
    for (let i = 1; i <= 5; i++) h.record(i);
    h.record(5);
    expect([h.undo(), h.undo(), h.undo(), h.undo()]).toEqual([4, 3, 2, undefined]);
    h.record(9);
    expect(h.canRedo).toBe(false);
  });

  it('compares states with the given equality', () => {
    const h = new History({ n: 1 }, { same: (a, b) => a.n === b.n });
    h.record({ n: 1 });
    expect(h.canUndo).toBe(false);
  });
});
