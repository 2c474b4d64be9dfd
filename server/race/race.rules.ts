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
 * The order of a race, best first, by these rules in turn:
 * 1. higher accuracy on the held-out split (exact, not as rounded for display);
 * 2. lower validation loss at the end of the run;
 * 3. the lower seat (who sat down first).
 * Failed entries come last, by seat.
 */
function byRules(a: EntryOutcome, b: EntryOutcome): number {
  if (!a.result || !b.result) return a.result ? -1 : b.result ? 1 : a.seat - b.seat;
  return b.result.heldOutAccuracy - a.result.heldOutAccuracy || a.result.final.valLoss - b.result.final.valLoss || a.seat - b.seat;
}

/** Final places, 1 for the winner, by the race's rules (see `byRules`). */
export function rankEntries(entries: readonly EntryOutcome[]): Map<number, number> {
  const sorted = [...entries].sort(byRules);
  return new Map(sorted.map((e, i) => [e.seat, i + 1]));
}

/** Held-out accuracy as the race shows it: a percentage with one decimal. */
export const shownAccuracy = (accuracy: number): string => `${(accuracy * 100).toFixed(1)}%`;

/** Two figures with as many significant digits as it takes to tell them apart (3 at least, 12 at most). */
function apart(a: number, b: number, format: (v: number, digits: number) => string): [string, string] {
  for (let digits = 3; digits < 12; digits++) if (format(a, digits) !== format(b, digits)) return [format(a, digits), format(b, digits)];
  return [format(a, 12), format(b, 12)];
}

/**
 * Why each entry finished right above the next when the held-out accuracy people see (one decimal) did not
 * separate them: the rule that did, with the figures. Pairs told apart by the shown accuracy, or by one
 * finishing and the other failing, need no reason and are left out.
 */
export function tieBreaks(entries: readonly EntryOutcome[]): Array<{ above: number; below: number; reason: string }> {
  const sorted = [...entries].sort(byRules);
  const out: Array<{ above: number; below: number; reason: string }> = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const [a, b] = [sorted[i]!, sorted[i + 1]!];
    const seats = `seat ${a.seat + 1} before seat ${b.seat + 1}`;
    if (!a.result && !b.result) out.push({ above: a.seat, below: b.seat, reason: `neither run finished: decided by seat (${seats})` });
    if (!a.result || !b.result) continue;
    const [ha, hb] = [a.result.heldOutAccuracy, b.result.heldOutAccuracy];
    const shown = shownAccuracy(ha);
    if (shown !== shownAccuracy(hb)) continue;
    const reason = (() => {
      if (ha !== hb) {
        const [x, y] = apart(ha * 100, hb * 100, (v, d) => `${v.toPrecision(d)}%`);
        return `both show ${shown} held-out accuracy: decided by the exact held-out accuracy (${x} vs ${y})`;
      }
      const [la, lb] = [a.result.final.valLoss, b.result.final.valLoss];
      if (la !== lb) {
        const [x, y] = apart(la, lb, (v, d) => v.toPrecision(d));
        return `tied at ${shown} held-out accuracy: decided by lower validation loss (${x} vs ${y})`;
      }
      return `tied at ${shown} held-out accuracy and validation loss ${la.toPrecision(3)}: decided by seat (${seats})`;
    })();
    out.push({ above: a.seat, below: b.seat, reason });
  }
  return out;
}

/** The lowest seat number not taken. */
export function freeSeat(taken: Iterable<number>): number {
  const set = new Set(taken);
  let seat = 0;
  while (set.has(seat)) seat++;
  return seat;
}
