import { PlayerStatus, TournamentFormat } from '../../shared/tournament.messages.ts';
import type { TournamentPlayer } from '../../shared/tournament.state.ts';
import {
  bracketFirstRound,
  bracketNextRound,
  eliminationRanking,
  eliminationRounds,
  swissPairings,
  swissRanking,
  swissRounds,
  swissStandings,
  type MatchRecord,
  type Pairing,
  type Standing,
} from './tournament.rules.ts';

/**
 * A tournament's course, by seat: the seeding fixed at the start, every decided pairing by round (in
 * bracket order), and from them the next round's pairings, the standings and the final ranking, for
 * either format. Plain bookkeeping over `tournament.rules.ts`; the room mirrors it into state.
 */
export class TournamentBracket {
  readonly format: TournamentFormat;
  /** Seats in seed order. */
  readonly seats: readonly number[];
  readonly totalRounds: number;
  private readonly byRound = new Map<number, MatchRecord[]>();

  constructor(format: TournamentFormat, seats: readonly number[], swissRoundsWanted?: number) {
    this.format = format;
    this.seats = [...seats];
    this.totalRounds = format === TournamentFormat.Swiss ? (swissRoundsWanted ?? swissRounds(seats.length)) : eliminationRounds(seats.length);
  }

  /** Every decided pairing so far. */
  get records(): MatchRecord[] {
    return [...this.byRound.values()].flatMap((r) => r.filter(Boolean));
  }

  /** The pairings of `round` (from 1). */
  pairings(round: number): Pairing[] {
    if (this.format === TournamentFormat.Swiss) return swissPairings(this.seats, this.records);
    if (round === 1) return bracketFirstRound(this.seats);
    return bracketNextRound(this.byRound.get(round - 1) ?? []);
  }

  /** Records the outcome of the pairing at `index` of its round. */
  record(index: number, rec: MatchRecord): void {
    const round = this.byRound.get(rec.round) ?? [];
    round[index] = rec;
    this.byRound.set(rec.round, round);
  }

  /** The table as it stands (wins, losses, points, tie-breaks, place). */
  standings(): Standing[] {
    return swissStandings(this.seats, this.records);
  }

  /** Seats from the champion down. */
  ranking(): number[] {
    return this.format === TournamentFormat.Swiss ? swissRanking(this.seats, this.records) : eliminationRanking(this.seats, this.records);
  }

  /** Mirrors the standings into the players (Swiss: the live place; elimination: out after a loss). */
  showStandings(playerOf: (seat: number) => TournamentPlayer): void {
    for (const line of this.standings()) {
      const p = playerOf(line.seat);
      Object.assign(p, { wins: line.wins, losses: line.losses, points: line.points, buchholz: line.buchholz });
      if (this.format === TournamentFormat.Swiss) p.rank = line.rank;
      else if (line.losses > 0) p.status = PlayerStatus.Out;
    }
  }

  /** Gives every player their final place, crowns the champion, and returns the players from the champion down. */
  showRanking(playerOf: (seat: number) => TournamentPlayer): TournamentPlayer[] {
    const players = this.ranking().map((seat, i) => Object.assign(playerOf(seat), { rank: i + 1 }));
    players[0]!.status = PlayerStatus.Champion;
    return players;
  }
}
