/**
 * Tournament rules as plain functions: single-elimination brackets and Swiss
 * pairings, standings and final rankings. Players are known by their seat;
 * seats in seed order are the seeding (seat 0 is the top seed).
 */

/** Two seats to race each other; `b` null is a bye (a free win for `a`). */
export interface Pairing {
  a: number;
  b: number | null;
}

/** A decided pairing. `accuracy` holds each side's held-out accuracy (null: failed, or a bye). */
export interface MatchRecord {
  round: number;
  a: number;
  b: number | null;
  winner: number;
  accuracy: { a: number | null; b: number | null };
  /** The tie-break that decided it, when the shown held-out accuracy did not (see `tieBreaks`). */
  decidedBy?: string;
}

/** One player's line in a Swiss table. */
export interface Standing {
  seat: number;
  /** 1 per win (a bye is a win), 0 per loss. */
  points: number;
  wins: number;
  losses: number;
  byes: number;
  /** Sum of the points of every opponent met (byes add nothing): the first tie-break. */
  buchholz: number;
  /** Sum of this player's held-out accuracies over the matches raced: the second tie-break. */
  accuracy: number;
  /** Place in the table, 1 first. */
  rank: number;
}

/** The smallest power of two at least `n`. */
export function bracketSize(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/**
 * Seed positions of a bracket of `size` (a power of two), top to bottom, such
 * that seed 1 can meet seed 2 only in the final: [1, 4, 2, 3] for 4.
 */
export function seedOrder(size: number): number[] {
  let order = [1];
  while (order.length < size) {
    const n = order.length * 2;
    order = order.flatMap((s) => [s, n + 1 - s]);
  }
  return order;
}

/**
 * The first round of a single-elimination bracket over `seats` in seed order.
 * The bracket is padded to a power of two with byes, which go to the top
 * seeds; pairings come in bracket order, so winners of pairings 2k and 2k+1 meet next.
 */
export function bracketFirstRound(seats: readonly number[]): Pairing[] {
  if (seats.length < 2) throw new Error(`a bracket needs at least 2 players, not ${seats.length}`);
  const order = seedOrder(bracketSize(seats.length));
  const pairings: Pairing[] = [];
  for (let i = 0; i < order.length; i += 2) {
    const a = seats[order[i]! - 1];
    const b = seats[order[i + 1]! - 1];
    // the higher seed of a pair always exists: seeds beyond the player count are the lower ones
    pairings.push({ a: a!, b: b ?? null });
  }
  return pairings;
}

/** The next round of a bracket: the winners of the last round's pairings, two by two in bracket order; empty once the final is played. */
export function bracketNextRound(lastRound: readonly MatchRecord[]): Pairing[] {
  if (lastRound.length <= 1) return [];
  const pairings: Pairing[] = [];
  for (let i = 0; i < lastRound.length; i += 2) pairings.push({ a: lastRound[i]!.winner, b: lastRound[i + 1]?.winner ?? null });
  return pairings;
}

/** Rounds a single-elimination bracket of `n` players takes. */
export function eliminationRounds(n: number): number {
  return Math.log2(bracketSize(n));
}

/**
 * Final places of a single-elimination tournament: the champion, then the
 * finalist, then each earlier round's losers; players out in the same round
 * are ordered by their held-out accuracy in the match they lost, then by seed.
 */
export function eliminationRanking(seats: readonly number[], matches: readonly MatchRecord[]): number[] {
  const out = new Map<number, { round: number; accuracy: number }>();
  for (const m of matches) {
    if (m.b === null) continue;
    const loser = m.winner === m.a ? m.b : m.a;
    const acc = loser === m.a ? m.accuracy.a : m.accuracy.b;
    out.set(loser, { round: m.round, accuracy: acc ?? -1 });
  }
  const seed = new Map(seats.map((s, i) => [s, i]));
  return [...seats].sort((x, y) => {
    const ox = out.get(x);
    const oy = out.get(y);
    if (!ox || !oy) return ox ? 1 : oy ? -1 : seed.get(x)! - seed.get(y)!; // still in: the champion
    return oy.round - ox.round || oy.accuracy - ox.accuracy || seed.get(x)! - seed.get(y)!;
  });
}

/** Rounds a Swiss tournament of `n` players plays by default: enough for one unbeaten player. */
export function swissRounds(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(n)));
}

/**
 * The Swiss table after `matches`: by points, then Buchholz (the strength of
 * the opponents met), then total held-out accuracy, then seed.
 */
export function swissStandings(seats: readonly number[], matches: readonly MatchRecord[]): Standing[] {
  const lines = new Map<number, Standing>(seats.map((seat) => [seat, { seat, points: 0, wins: 0, losses: 0, byes: 0, buchholz: 0, accuracy: 0, rank: 0 }]));
  const opponents = new Map<number, number[]>(seats.map((s) => [s, []]));
  for (const m of matches) {
    const a = lines.get(m.a)!;
    if (m.b === null) {
      a.points++;
      a.wins++;
      a.byes++;
      continue;
    }
    const b = lines.get(m.b)!;
    const [w, l] = m.winner === m.a ? [a, b] : [b, a];
    w.points++;
    w.wins++;
    l.losses++;
    a.accuracy += m.accuracy.a ?? 0;
    b.accuracy += m.accuracy.b ?? 0;
    opponents.get(m.a)!.push(m.b);
    opponents.get(m.b)!.push(m.a);
  }
  for (const line of lines.values()) line.buchholz = opponents.get(line.seat)!.reduce((sum, o) => sum + lines.get(o)!.points, 0);
  const seed = new Map(seats.map((s, i) => [s, i]));
  const table = [...lines.values()].sort(
    (x, y) => y.points - x.points || y.buchholz - x.buchholz || y.accuracy - x.accuracy || seed.get(x.seat)! - seed.get(y.seat)!,
  );
  table.forEach((line, i) => (line.rank = i + 1));
  return table;
}

/**
 * Pairings for the next Swiss round: players in table order, each paired
 * with the highest-placed player below them they have not met yet
 * (backtracking when that leaves someone without an opponent; a rematch only
 * when nothing else works). With an odd count, the lowest-placed player who
 * has not had a bye yet sits this round out with a bye.
 */
export function swissPairings(seats: readonly number[], matches: readonly MatchRecord[]): Pairing[] {
  const table = swissStandings(seats, matches).map((s) => s.seat);
  const met = new Set(matches.filter((m) => m.b !== null).map((m) => key(m.a, m.b!)));
  const pairings: Pairing[] = [];
  let pool = table;
  if (pool.length % 2 === 1) {
    const byes = new Set(matches.filter((m) => m.b === null).map((m) => m.a));
    const bye = [...pool].reverse().find((s) => !byes.has(s)) ?? pool[pool.length - 1]!;
    pool = pool.filter((s) => s !== bye);
    pairings.push({ a: bye, b: null });
  }
  const paired = pairUp(pool, met) ?? pairUp(pool, new Set()); // rematches only when there is no other way
  return [...paired!, ...pairings];
}

function key(a: number, b: number): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

function pairUp(pool: readonly number[], met: ReadonlySet<string>): Pairing[] | undefined {
  if (pool.length === 0) return [];
  const [first, ...rest] = pool;
  for (let i = 0; i < rest.length; i++) {
    if (met.has(key(first!, rest[i]!))) continue;
    const tail = pairUp([...rest.slice(0, i), ...rest.slice(i + 1)], met);
    if (tail) return [{ a: first!, b: rest[i]! }, ...tail];
  }
  return undefined;
}

/** Final places of a Swiss tournament: the table's order. */
export function swissRanking(seats: readonly number[], matches: readonly MatchRecord[]): number[] {
  return swissStandings(seats, matches).map((s) => s.seat);
}
