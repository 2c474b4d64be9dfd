import type { RunResult } from '../../shared/run.schema.ts';

/** What the rules need to know about an entry when the race starts or ends. */
export interface EntryOutcome {
  seat: number;
  result?: RunResult;
}

/** Whether the countdown should run: enough players are ready. */
export function enoughReady(readyCount: number, minPlayers: number): boolean {
  return readyCount >= minPlayers;
}

/** Whether the race can start at once: enough players, and every seated one ready. */
export function everyoneReady(readyCount: number, seated: number, minPlayers: number): boolean {
  return readyCount >= minPlayers && readyCount === seated;
}

/**
 * Final places, 1 for the winner: by accuracy on the held-out split, then by
 * lower validation loss, then by seat. Failed entries come last, by seat.
 */
export function rankEntries(entries: readonly EntryOutcome[]): Map<number, number> {
  const sorted = [...entries].sort((a, b) => {
    if (!a.result || !b.result) return a.result ? -1 : b.result ? 1 : a.seat - b.seat;
    return (
      b.result.heldOutAccuracy - a.result.heldOutAccuracy ||
      a.result.final.valLoss - b.result.final.valLoss ||
      a.seat - b.seat
    );
  });
  return new Map(sorted.map((e, i) => [e.seat, i + 1]));
}

/** The lowest seat number not taken. */
export function freeSeat(taken: Iterable<number>): number {
  const set = new Set(taken);
  let seat = 0;
  while (set.has(seat)) seat++;
  return seat;
}
