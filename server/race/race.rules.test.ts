import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../shared/run.schema.ts';
import { enoughReady, everyoneReady, freeSeat, rankEntries, tieBreaks } from './race.rules.ts';

const result = (heldOutAccuracy: number, valLoss = 0.5): RunResult => ({
  runId: 'r',
  status: 'finished',
  controls: [],
  steps: 1,
  samples: 1,
  flops: 1,
  final: { loss: 0.5, accuracy: 0.5, valLoss, valAccuracy: 0.5 },
  heldOutAccuracy,
  weightsHash: 'h',
  backend: 'cpu',
  samplesPerSec: 1,
  durationMs: 1,
});

describe('race rules', () => {
  it('ranks by held-out accuracy, then validation loss, then seat; failures last', () => {
    const ranks = rankEntries([
      { seat: 0, result: result(0.9, 0.3) },
      { seat: 1, result: result(0.95) },
      { seat: 2 },
      { seat: 3, result: result(0.9, 0.2) },
      { seat: 4, result: result(0.9, 0.2) },
    ]);
    expect([...ranks.entries()].sort((a, b) => a[1] - b[1]).map(([seat]) => seat)).toEqual([1, 3, 4, 0, 2]);
  });

  it('says which rule decided places the shown accuracy left level, with the figures', () => {
    const breaks = tieBreaks([
      { seat: 0, result: result(0.56, 0.4312) },
      { seat: 1, result: result(0.95) },
      { seat: 2 },
      { seat: 3, result: result(0.56, 0.4121) },
      { seat: 4, result: result(0.5604) },
      { seat: 5, result: result(0.56, 0.4121) },
      { seat: 6 },
    ]);
    expect(breaks).toEqual([
      { above: 4, below: 3, reason: 'both show 56.0% held-out accuracy: decided by the exact held-out accuracy (56.04% vs 56.00%)' },
      { above: 3, below: 5, reason: 'tied at 56.0% held-out accuracy and validation loss 0.412: decided by seat (seat 4 before seat 6)' },
      { above: 5, below: 0, reason: 'tied at 56.0% held-out accuracy: decided by lower validation loss (0.412 vs 0.431)' },
      { above: 2, below: 6, reason: 'neither run finished: decided by seat (seat 3 before seat 7)' },
    ]);
    // Places the shown accuracy tells apart need no reason.
    expect(tieBreaks([{ seat: 0, result: result(0.9) }, { seat: 1, result: result(0.8) }, { seat: 2 }])).toEqual([]);
  });

  it('starts the countdown with enough ready players and the race when all are ready', () => {
    expect(enoughReady(1, 2)).toBe(false);
    expect(enoughReady(2, 2)).toBe(true);
    expect(everyoneReady(2, 3, 2)).toBe(false);
    expect(everyoneReady(3, 3, 2)).toBe(true);
    expect(everyoneReady(1, 1, 2)).toBe(false);
  });

  it('gives the lowest free seat', () => {
    expect(freeSeat([])).toBe(0);
    expect(freeSeat([0, 1, 3])).toBe(2);
  });
});
