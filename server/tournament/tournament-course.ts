import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { ErrorCode, type RoomNoticeMessage } from '../../shared/protocol.ts';
import { PlayerStatus, TournamentPhase, type TournamentCreateOptions, type TournamentErrorMessage, type TournamentResultMessage } from '../../shared/tournament.messages.ts';
import { TournamentPlayer, type TournamentState } from '../../shared/tournament.state.ts';
import type { ArenaServices } from '../arena.services.ts';
import { moduleLogger } from '../logger.ts';
import type { DurableMatch } from '../match/durable-match.ts';
import { announceUnlocks, attempt, type Countdown, type MatchLifecycle } from '../match/index.ts';
import { abortedResult } from '../match/match-recovery.ts';
import { gainsOf } from '../match/match-ending.ts';
import { championXpKey } from '../progression/match-gains.ts';
import { TournamentBracket } from './tournament-bracket.ts';
import type { TournamentMatches } from './tournament-matches.ts';
import type { MatchRecord, Pairing } from './tournament.rules.ts';

const log = moduleLogger('tournament');

/** What a tournament's course needs of its room. */
export interface CourseHost {
  roomId: string;
  tournamentId: string;
  options: TournamentCreateOptions;
  state: TournamentState;
  services: Pick<ArenaServices, 'tournaments' | 'matches' | 'progression'>;
  games: TournamentMatches;
  countdown: Countdown;
  /** The tournament's own log (round 0: players, specs, rounds, decided pairings), persisted and carried on across restarts. */
  durable: DurableMatch;
  /** Each player's account and current spec, by session (a seat's key `seat:N` until its player is back after a restart). */
  privates: Map<string, { playerId: string; spec?: ModelSpec }>;
  bySeat(seat: number): { player: TournamentPlayer; playerId: string; spec?: ModelSpec };
  broadcast(type: 'notice' | 'error' | 'result', message: unknown, options?: { afterNextPatch?: boolean }): void;
  list(patch: Record<string, unknown>): void;
  disposed(): boolean;
}

/**
 * A tournament's course once it starts: rounds, their pairings, standings and the final ranking, all in
 * the tournament's own log (a `MatchLifecycle` of round 0) as they happen, so a server that restarts
 * rebuilds the room from it and carries on the round under way with its matches (`carryOn`).
 */
export class TournamentCourse {
  private readonly host: CourseHost;
  private bracket?: TournamentBracket;

  constructor(host: CourseHost) {
    this.host = host;
  }

  private get log(): MatchLifecycle {
    return this.host.durable.match;
  }

  /** The players who are ready start: seeded by seat, the tournament stored as running, round 1 begins. */
  async start(): Promise<void> {
    const { state, options, services } = this.host;
    const seats = [...state.players.values()].map((p) => p.seat).sort((a, b) => a - b);
    for (const seat of seats) {
      const { player, playerId, spec } = this.host.bySeat(seat);
      this.log.record({ type: 'join', role: 'player', playerId, name: player.player, seat });
      this.log.record({ type: 'spec', playerId, seat, spec: spec!, params: player.params, summary: player.summary });
    }
    this.log.transition('running');
    this.host.durable.running();
    this.bracket = new TournamentBracket(options.format, seats, options.rounds);
    state.totalRounds = this.bracket.totalRounds;
    state.phase = TournamentPhase.Racing;
    this.host.list({ phase: TournamentPhase.Racing });
    const { title: name, format, task } = options;
    await attempt((hooks) => services.tournaments.open({ id: this.host.tournamentId, name, format, task }, hooks), (err) => {
      log.error({ roomId: this.host.roomId, err }, 'could not store the tournament');
      this.host.broadcast('error', { code: ErrorCode.Internal, message: 'the tournament could not be stored; its matches will not be either' } satisfies TournamentErrorMessage);
    }, this.saving('the tournament'));
    this.playRound();
  }

  /** A player's new spec once the tournament runs (it applies from their next match, after a restart too). */
  spec(seat: number, playerId: string, spec: ModelSpec, accepted: { params: number; summary: string }): void {
    if (this.log.phase === 'running') this.log.record({ type: 'spec', playerId, seat, spec, ...accepted });
  }

  private saving(what: string) {
    return { tell: (n: RoomNoticeMessage) => this.host.broadcast('notice', n), what };
  }

  /** Writes a decided pairing to the tournament's log, and waits until it is written. */
  async decided(index: number, rec: MatchRecord, matchId: string | null): Promise<void> {
    this.log.record({ type: 'bracket', index, round: rec.round, a: rec.a, b: rec.b, winner: rec.winner, accuracy: rec.accuracy, ...(rec.decidedBy ? { decidedBy: rec.decidedBy } : {}), matchId });
    await this.host.durable.flush();
  }

  private playRound(): void {
    if (this.host.disposed() || this.log.ended) return;
    const round = ++this.host.state.round;
    this.log.record({ type: 'round', round });
    this.showRound(round);
    for (const p of this.host.state.players.values()) if (p.status !== PlayerStatus.Out) p.status = PlayerStatus.Waiting;
    this.playAll(round, this.bracket!.pairings(round).map((pairing, index) => () => this.play(round, index, pairing)));
  }

  private async play(round: number, index: number, pairing: Pairing): Promise<MatchRecord | undefined> {
    const outcome = await this.host.games.play(round, index, pairing);
    if (outcome?.b === null) await this.decided(index, outcome, null); // a bye: a match's outcome is logged before it is stored
    return outcome;
  }

  private showRound(round: number): void {
    Object.assign(this.host.state, { round, phase: TournamentPhase.Racing });
    this.host.list({ phase: TournamentPhase.Racing, round });
  }

  /** Plays the pairings of a round (each given as the call that plays it) and ends the round once all are decided. */
  private playAll(round: number, plays: Array<() => Promise<MatchRecord | undefined>>): void {
    const played = plays.map(async (play, index) => {
      const outcome = await play();
      if (outcome) this.bracket!.record(index, outcome);
    });
    void Promise.all(played).then(() => this.endRound(round));
  }

  private endRound(round: number): void {
    const { state, options, countdown } = this.host;
    if (this.host.disposed() || this.log.ended || state.round !== round) return;
    this.bracket!.showStandings((seat) => this.host.bySeat(seat).player);
    if (state.round >= state.totalRounds) return void this.finish();
    if (options.breakSeconds === 0) return this.playRound();
    state.phase = TournamentPhase.Break;
    this.host.list({ phase: TournamentPhase.Break });
    countdown.start(options.breakSeconds, () => this.playRound());
  }

  private async finish(): Promise<void> {
    const { state, options, services, tournamentId } = this.host;
    const ranking = this.bracket!.showRanking((seat) => this.host.bySeat(seat).player).map(({ player, seat, rank, wins, losses, points }) => ({ player, playerId: this.host.bySeat(seat).playerId, seat, rank, wins, losses, points }));
    const champion = ranking[0]!;
    state.champion = champion.player;
    this.log.transition('settling');
    const { title: name, format, task } = options;
    const rated = state.rated;
    const unlocked = await attempt((hooks) => services.tournaments.finish({ id: tournamentId, name, format, task, ranking: ranking.map((r) => r.playerId), rated }, hooks), (err) => {
      log.error({ roomId: this.host.roomId, err }, 'could not store the result');
      this.host.broadcast('error', { code: ErrorCode.Internal, message: 'the result could not be stored' } satisfies TournamentErrorMessage);
    }, this.saving('the tournament result'));
    if (unlocked) this.log.record({ type: 'stored', matchId: tournamentId });
    else this.log.transition('aborted', 'the tournament result could not be stored');
    this.host.durable.over();
    state.phase = TournamentPhase.Finished;
    this.host.list({ phase: TournamentPhase.Finished });
    const matchIds = state.matches.map((m) => m.matchId).filter(Boolean);
    const unlocks = announceUnlocks(unlocked ?? [], new Map(ranking.map((r) => [r.playerId, r.player])));
    const gains = await gainsOf(services, unlocked !== undefined, matchIds, ranking, task.name, [...this.host.games.unlocks, ...(unlocked ?? [])], (playerId) => (playerId === champion.playerId ? [championXpKey(tournamentId)] : []));
    const message: TournamentResultMessage = { tournamentId, stored: unlocked !== undefined, champion: { player: champion.player, playerId: champion.playerId }, ranking, matchIds, rated, unlocks, gains };
    this.host.broadcast('result', message, { afterNextPatch: true });
  }

  /**
   * A tournament the previous server process was running, rebuilt from its log: its players in their seats
   * (each waiting for its player to join again), the standings and every decided pairing, and the round
   * under way, whose matches are carried on (`companions`, their runs followed again), played if they had
   * not started, or shown if decided. If the runs do not all answer within the resume timeout, the
   * tournament is called off: its matches under way are stored as aborted.
   */
  carryOn(companions: readonly MatchLifecycle[]): void {
    const { state, options, privates } = this.host;
    for (const entry of this.log.entries()) {
      const spec = this.log.events.filter((e) => e.type === 'spec' && e.seat === entry.seat).at(-1);
      const player = Object.assign(new TournamentPlayer(), { seat: entry.seat, player: entry.name, connected: false, status: PlayerStatus.Waiting });
      if (spec?.type === 'spec') Object.assign(player, { params: spec.params, summary: spec.summary });
      state.players.set(`seat:${entry.seat}`, player);
      privates.set(`seat:${entry.seat}`, { playerId: entry.playerId, ...(entry.spec ? { spec: entry.spec } : {}) });
    }
    this.bracket = new TournamentBracket(options.format, [...this.log.entries().map((e) => e.seat)].sort((a, b) => a - b), options.rounds);
    state.totalRounds = this.bracket.totalRounds;
    const round = this.log.events.reduce((r, e) => (e.type === 'round' ? e.round : r), 1);
    const decided = this.log.events.flatMap((e) => (e.type === 'bracket' ? [e] : []));
    for (const d of decided.filter((e) => e.round < round)) this.bracket.record(d.index, d), this.host.games.showDecided(d.index, d, d.matchId);
    const pairings = this.bracket.pairings(round); // from the rounds before this one (Swiss pairs on them)
    this.bracket.showStandings((seat) => this.host.bySeat(seat).player);
    this.showRound(round);
    this.host.durable.running();
    const carried = new Set<MatchLifecycle>();
    const resumed: number[] = [];
    const plays = pairings.map((pairing, index) => {
      const match = companions.find((m) => m.tournament?.round === round && m.entries().map((e) => e.seat).sort().join() === [pairing.a, pairing.b].sort().join());
      const done = decided.find((d) => d.round === round && d.index === index);
      if (!match && done) return () => (this.host.games.showDecided(index, done, done.matchId), Promise.resolve(done as MatchRecord));
      if (!match) return () => this.play(round, index, pairing); // not started before the restart: played now
      carried.add(match); // decided but not stored yet: carried on too, and stored once
      resumed.push(...match.entries().map((e) => e.seat));
      return () => this.host.games.resume(index, pairing, match);
    });
    for (const stray of companions.filter((m) => !carried.has(m))) void this.callOff(stray, 'the server restarted, and the match is not one of its tournament round under way');
    const heard = this.host.durable.awaitRuns(resumed, (reason) => void this.abort(reason));
    this.hear = heard;
    this.playAll(round, plays);
    this.host.broadcast('notice', { message: `the server restarted: the tournament goes on with round ${round}` });
  }

  /** Called when a seat's run is heard from (a frame or its end): the resume timeout waits for every one. */
  hear: (seat: number) => void = () => {};

  /** Stores a tournament match as aborted (no rating or XP) with the reason. */
  private async callOff(match: MatchLifecycle, reason: string): Promise<void> {
    try {
      if (match.entries().some((e) => e.job && 'spec' in e.job)) await this.host.services.matches.recordAborted(abortedResult(match, reason), reason);
    } catch (err) {
      log.error({ roomId: this.host.roomId, matchId: match.id, err }, 'could not store an aborted match');
    }
    if (!match.ended) match.transition('aborted', reason);
  }

  /** Calls the tournament off: its matches under way are stopped and stored as aborted (no rating or XP), and everyone is told why. */
  async abort(reason: string): Promise<void> {
    if (this.log.ended) return;
    const unfinished = this.host.games.unfinished;
    this.log.transition('aborted', reason);
    await this.host.games.cancel();
    await Promise.all(unfinished.map((m) => this.callOff(m, reason)));
    await this.host.services.tournaments.abort(this.host.tournamentId).catch((err: unknown) => log.error({ roomId: this.host.roomId, err }, 'could not close the tournament as aborted'));
    this.host.durable.over();
    this.host.state.phase = TournamentPhase.Finished;
    this.host.list({ phase: TournamentPhase.Finished });
    this.host.broadcast('notice', { message: `the tournament was called off: ${reason}` });
  }

  /** A player back after a restart takes their seat again (under their new session); undefined if they had none. */
  rejoin(sessionId: string, playerId: string): TournamentPlayer | undefined {
    const { state, privates } = this.host;
    const key = [...privates].find(([k, p]) => k.startsWith('seat:') && p.playerId === playerId)?.[0];
    if (!key) return undefined;
    const player = state.players.get(key)!.clone();
    player.connected = true;
    state.players.delete(key);
    state.players.set(sessionId, player);
    privates.set(sessionId, privates.get(key)!);
    privates.delete(key);
    return player;
  }
}
