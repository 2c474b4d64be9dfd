import { randomUUID } from 'node:crypto';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { ErrorCode, type RoomErrorMessage, type RoomNoticeMessage } from '../../shared/protocol.ts';
import { deriveSeed } from '../../contract/random.ts';
import { MatchStatus, PlayerStatus, type TournamentCreateOptions } from '../../shared/tournament.messages.ts';
import { MatchSide, TournamentMatch, type TournamentPlayer, type TournamentState } from '../../shared/tournament.state.ts';
import type { ArenaServices } from '../arena.services.ts';
import { moduleLogger } from '../logger.ts';
import { drawFairSeed, publishCommitment, revealInState } from '../match/fair-seed.ts';
import { MatchLifecycle, raceMatchResult, runMatch, storeMatch, type RunningRaceMatch } from '../match/index.ts';
import type { MatchRecord, Pairing } from './tournament.rules.ts';

/** What a tournament's matches need of their room. */
export interface TournamentHost {
  roomId: string;
  tournamentId: string;
  options: TournamentCreateOptions;
  /** The creator's seed (the tournament is then unrated); each match's seed derives from it. */
  customSeed?: number;
  state: TournamentState;
  services: Pick<ArenaServices, 'trainer' | 'matches'>;
  /** The player in a seat, with their account and current spec. */
  seat(seat: number): { player: TournamentPlayer; playerId: string; spec?: ModelSpec };
  broadcast(type: 'notice' | 'error', message: RoomNoticeMessage | RoomErrorMessage): void;
}

/**
 * A tournament's matches: each pairing is a `MatchLifecycle` of its own (kind `tournament`, with its
 * round), shown live in state, trained by `runMatch` on a seed of its own (committed to as it starts,
 * revealed as it ends) and stored as it finishes.
 */
export class TournamentMatches {
  /** Every match played or under way, in the order they started: each with its phase and log. */
  readonly all: MatchLifecycle[] = [];
  private readonly host: TournamentHost;
  private readonly running = new Set<RunningRaceMatch>();
  private cancelled = false;
  private readonly persisted = new Set<{ flush(): Promise<void>; stop(): void }>();

  constructor(host: TournamentHost) {
    this.host = host;
  }

  /** Plays one pairing (a bye is won at once) and returns its outcome; undefined when the room went away meanwhile. */
  async play(round: number, index: number, pairing: Pairing): Promise<MatchRecord | undefined> {
    const { host } = this;
    const seats = pairing.b === null ? [pairing.a] : [pairing.a, pairing.b];
    const view = Object.assign(new TournamentMatch(), { round, index });
    for (const seat of seats) view.sides.push(Object.assign(new MatchSide(), { seat, player: host.seat(seat).player.player }));
    host.state.matches.push(view);
    view.fairSeed.rated = host.state.rated;
    if (pairing.b === null) {
      Object.assign(view, { status: MatchStatus.Bye, winner: pairing.a });
      view.sides[0]!.status = 'bye';
      return { round, a: pairing.a, b: null, winner: pairing.a, accuracy: { a: null, b: null } };
    }
    view.status = MatchStatus.Racing;
    const fairSeed = drawFairSeed(host.customSeed === undefined ? undefined : deriveSeed(host.customSeed, `round:${round}:match:${index}`));
    publishCommitment(view.fairSeed, fairSeed);
    const tournament = { id: host.tournamentId, round };
    const match = new MatchLifecycle({ id: randomUUID(), kind: 'tournament', roomId: host.roomId, options: host.options, fairSeed, tournament });
    this.all.push(match);
    // Persisted as it goes: after a restart the next process finds it and stores it as aborted (tournaments are not carried on yet).
    const persisted = host.services.matches.persist(match);
    this.persisted.add(persisted);
    const entries = seats.map((seat) => {
      const { player: p, playerId, spec } = host.seat(seat);
      p.status = PlayerStatus.Racing;
      match.record({ type: 'join', role: 'player', playerId, name: p.player, seat });
      match.record({ type: 'spec', playerId, seat, spec: spec!, params: p.params, summary: p.summary });
      return { seat, player: p.player, playerId, spec: spec! }; // every seated player was ready, with a spec
    });
    match.transition('running');
    const conditions = { task: host.options.task, budget: host.options.budget, seed: fairSeed.seed };
    const startedAt = new Date();
    const sideOf = (seat: number) => view.sides.find((s) => s.seat === seat)!;
    const onFrame = (seat: number, f: { samples: number; loss: number; valAccuracy: number }) => Object.assign(sideOf(seat), { samples: f.samples, loss: f.loss, valAccuracy: f.valAccuracy });
    const running = runMatch(host.services.trainer, conditions, entries, { onFrame, notice: (notice) => host.broadcast('notice', notice) }, match);
    this.running.add(running);
    const outcomes = await running.done;
    this.running.delete(running);
    if (this.cancelled) return undefined;
    this.persisted.delete(persisted); // it stops by itself once the match is stored or aborted
    match.transition('settling');
    revealInState(view.fairSeed, fairSeed);
    for (const { entry, result } of outcomes) {
      Object.assign(sideOf(entry.seat), { status: result ? 'finished' : 'failed', heldOutAccuracy: result?.heldOutAccuracy ?? 0 });
      if (result) onFrame(entry.seat, { samples: result.samples, loss: result.final.loss, valAccuracy: result.final.valAccuracy });
      host.seat(entry.seat).player.status = PlayerStatus.Waiting;
    }
    const winner = outcomes.find((o) => o.rank === 1)!.entry.seat;
    const acc = (seat: number) => outcomes.find((o) => o.entry.seat === seat)?.result?.heldOutAccuracy ?? null;
    const result = raceMatchResult(outcomes, { id: match.id, roomId: host.roomId, conditions, fairSeed, startedAt, tournament });
    const saving = { tell: (n: RoomNoticeMessage) => host.broadcast('notice', n), what: `the result of round ${round}, match ${index + 1}`, forget: () => Promise.all(outcomes.map((o) => host.services.trainer.forget(o.job.runId))) };
    await storeMatch(match, result.match.id, (hooks) => host.services.matches.recordRace(result, hooks), (err) => {
      moduleLogger('tournament').error({ roomId: host.roomId, matchId: result.match.id, err }, 'could not store a match');
      host.broadcast('error', { code: ErrorCode.Internal, message: `a match of round ${round} could not be stored` });
    }, saving);
    if (match.phase === 'stored') view.matchId = result.match.id;
    Object.assign(view, { winner, status: MatchStatus.Finished });
    return { round, a: pairing.a, b: pairing.b, winner, accuracy: { a: acc(pairing.a), b: acc(pairing.b) } };
  }

  /**
   * Stops every match under way; their outcomes are never recorded here. Their logs stay in the database:
   * the next process that starts stores them as aborted (no rating or XP).
   */
  async cancel(): Promise<void> {
    this.cancelled = true;
    await Promise.all([...this.running].map((m) => m.cancel()));
    await Promise.all([...this.persisted].map((p) => p.flush()));
    for (const p of this.persisted) p.stop();
  }
}
