import { describe, expect, it } from 'vitest';
import {
  bracketFirstRound,
  bracketNextRound,
  eliminationRanking,
  eliminationRounds,
  seedOrder,
  swissPairings,
  swissRanking,
  swissRounds,
  swissStandings,
  type MatchRecord,
  type Pairing,
} from './tournament.rules.ts';

/** Plays a round where the lower seat always wins, with accuracies that favour low seats. */
function play(round: number, pairings: readonly Pairing[], winner: (a: number, b: number) => number = Math.min): MatchRecord[] {
  return pairings.map(({ a, b }) =>
    b === null
      ? { round, a, b, winner: a, accuracy: { a: null, b: null } }
      : { round, a, b, winner: winner(a, b), accuracy: { a: 1 - a / 100, b: 1 - b / 100 } },
  );
}

describe('single elimination', () => {
  it('seeds so that the top two can meet only in the final', () => {
    expect(seedOrder(4)).toEqual([1, 4, 2, 3]);
    expect(seedOrder(8)).toEqual([1, 8, 4, 5, 2, 7, 3, 6]);
    expect(bracketFirstRound([10, 11, 12, 13])).toEqual([
      { a: 10, b: 13 },
      { a: 11, b: 12 },
    ]);
  });

  it('plays 4 players to a champion in two rounds, the final between the semi-final winners', () => {
    const seats = [0, 1, 2, 3];
    const r1 = play(1, bracketFirstRound(seats), (a, b) => (a === 0 ? a : Math.max(a, b))); // seat 2 upsets seat 1
    expect(r1.map((m) => m.winner)).toEqual([0, 2]);
    const final = bracketNextRound(r1);
    expect(final).toEqual([{ a: 0, b: 2 }]);
    const r2 = play(2, final, () => 2);
    expect(bracketNextRound(r2)).toEqual([]);
    expect(eliminationRounds(4)).toBe(2);
    // champion, finalist, then the semi-final losers by the accuracy of their lost match
    expect(eliminationRanking(seats, [...r1, ...r2])).toEqual([2, 0, 1, 3]);
  });

  it('gives byes to the top seeds when the count is not a power of two', () => {
    const seats = [0, 1, 2, 3, 4];
    const r1 = bracketFirstRound(seats);
    expect(r1).toEqual([
      { a: 0, b: null },
      { a: 3, b: 4 },
      { a: 1, b: null },
      { a: 2, b: null },
    ]);
    const m1 = play(1, r1);
    const r2 = bracketNextRound(m1);
    expect(r2).toEqual([
      { a: 0, b: 3 },
      { a: 1, b: 2 },
    ]);
    const m2 = play(2, r2);
    const m3 = play(3, bracketNextRound(m2));
    expect(eliminationRounds(5)).toBe(3);
    const ranking = eliminationRanking(seats, [...m1, ...m2, ...m3]);
    expect(ranking[0]).toBe(0);
    expect(ranking[1]).toBe(1);
    expect(ranking.at(-1)).toBe(4); // out in the first round
    expect(new Set(ranking).size).toBe(5);
  });

  it('refuses a bracket of one', () => {
    expect(() => bracketFirstRound([0])).toThrow(/at least 2 players/);
  });
});

describe('Swiss', () => {
  it('plays log2(n) rounds and never pairs the same two twice while another pairing exists', () => {
    const seats = [0, 1, 2, 3, 4, 5, 6, 7];
    expect(swissRounds(8)).toBe(3);
    const matches: MatchRecord[] = [];
    for (let round = 1; round <= 3; round++) matches.push(...play(round, swissPairings(seats, matches)));
    const pairs = matches.map((m) => [m.a, m.b].sort().join(':'));
    expect(new Set(pairs).size).toBe(pairs.length);
    const table = swissStandings(seats, matches);
    expect(table[0]).toMatchObject({ seat: 0, points: 3, wins: 3, losses: 0, rank: 1 });
    expect(table.map((s) => s.points)).toEqual([3, 2, 2, 2, 1, 1, 1, 0]);
  });

  it('pairs the first round top half against bottom half by table order, then winners with winners', () => {
    const seats = [0, 1, 2, 3];
    const r1 = swissPairings(seats, []);
    expect(r1).toEqual([
      { a: 0, b: 1 },
      { a: 2, b: 3 },
    ]);
    const m1 = play(1, r1);
    expect(swissPairings(seats, m1)).toEqual([
      { a: 0, b: 2 },
      { a: 1, b: 3 },
    ]);
  });

  it('breaks ties on points by Buchholz, then by accuracy, then by seed', () => {
    const seats = [0, 1, 2, 3];
    // 0 beats 1, 2 beats 3; then 0 beats 2, 3 beats 1 → 0: 2 pts; 2 and 3: 1 pt each; 1: 0
    const matches: MatchRecord[] = [
      { round: 1, a: 0, b: 1, winner: 0, accuracy: { a: 0.9, b: 0.8 } },
      { round: 1, a: 2, b: 3, winner: 2, accuracy: { a: 0.7, b: 0.6 } },
      { round: 2, a: 0, b: 2, winner: 0, accuracy: { a: 0.9, b: 0.7 } },
      { round: 2, a: 3, b: 1, winner: 3, accuracy: { a: 0.95, b: 0.5 } },
    ];
    const table = swissStandings(seats, matches);
    // 2 met 3 (1 pt) and 0 (2 pts): Buchholz 3; 3 met 2 (1) and 1 (0): Buchholz 1
    expect(table.map((s) => [s.seat, s.points, s.buchholz])).toEqual([
      [0, 2, 1],
      [2, 1, 3],
      [3, 1, 1],
      [1, 0, 3],
    ]);
    // equal points and Buchholz: the accuracy decides
    const even: MatchRecord[] = [
      { round: 1, a: 0, b: 1, winner: 0, accuracy: { a: 0.6, b: 0.5 } },
      { round: 1, a: 2, b: 3, winner: 2, accuracy: { a: 0.9, b: 0.5 } },
    ];
    expect(swissRanking(seats, even).slice(0, 2)).toEqual([2, 0]);
    // nothing played: seed order
    expect(swissRanking(seats, [])).toEqual([0, 1, 2, 3]);
  });

  it('gives the bye to the lowest-placed player without one, and a bye counts as a win', () => {
    const seats = [0, 1, 2, 3, 4];
    const r1 = swissPairings(seats, []);
    expect(r1.find((p) => p.b === null)).toEqual({ a: 4, b: null });
    expect(r1.filter((p) => p.b !== null)).toHaveLength(2);
    const m1 = play(1, r1);
    expect(swissStandings(seats, m1).find((s) => s.seat === 4)).toMatchObject({ points: 1, byes: 1, buchholz: 0 });
    const r2 = swissPairings(seats, m1);
    const bye2 = r2.find((p) => p.b === null)!.a;
    expect(bye2).not.toBe(4);
    const m2 = play(2, r2);
    const r3 = swissPairings(seats, [...m1, ...m2]);
    const bye3 = r3.find((p) => p.b === null)!.a;
    expect([4, bye2]).not.toContain(bye3);
    // everyone appears exactly once per round
    for (const r of [r1, r2, r3]) expect(r.flatMap((p) => (p.b === null ? [p.a] : [p.a, p.b])).sort()).toEqual(seats);
  });

  it('allows a rematch only when every other pairing is used up', () => {
    const seats = [0, 1];
    const m1 = play(1, swissPairings(seats, []));
    expect(swissPairings(seats, m1)).toEqual([{ a: 0, b: 1 }]);
  });
});
