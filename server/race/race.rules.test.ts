import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../shared/run.schema.ts';
import { enoughReady, everyoneReady, freeSeat, rankEntries } from './race.rules.ts';

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
