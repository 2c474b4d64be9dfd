import { randomUUID } from 'node:crypto';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { ErrorCode, type RoomErrorMessage, type RoomNoticeMessage } from '../../shared/protocol.ts';
import { deriveSeed } from '../../contract/random.ts';
import { MATCH_SIDE_CURVE_POINTS, MatchStatus, PlayerStatus, type TournamentCreateOptions } from '../../shared/tournament.messages.ts';
import { MatchSide, TournamentMatch, type TournamentPlayer, type TournamentState } from '../../shared/tournament.state.ts';
import type { ArenaServices } from '../arena.services.ts';
import { moduleLogger } from '../logger.ts';
import { drawFairSeed, publishCommitment, revealInState } from '../match/fair-seed.ts';
import { MatchLifecycle, raceMatchResult, runMatch, storeMatch, type RunningRaceMatch } from '../match/index.ts';
import type { ResumedRuns } from '../match/match-runner.ts';
import { namedTieBreaks } from '../match/match-ending.ts';
import { LiveCurve } from '../match/live-curve.ts';
import type { Unlock } from '../progression/progression.service.ts';
import { resumedRuns } from '../match/match-recovery.ts';
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
  /** A seat's run was heard from (a frame or its end). */
  heard?(seat: number): void;
  /** A pairing was decided: written to the tournament's own log (resolves once it is) before the match is stored. */
  decided?(index: number, rec: MatchRecord, matchId: string): Promise<void>;
}

/**
 * A tournament's matches: each pairing is a `MatchLifecycle` of its own (kind `tournament`, with its
 * round), shown live in state, trained by `runMatch` on a seed of its own (committed to as it starts,
 * revealed as it ends) and stored as it finishes.
 */
export class TournamentMatches {
  /** Every match played or under way, in the order they started: each with its phase and log. */
  readonly all: MatchLifecycle[] = [];
  /** Achievement tiers the matches stored by this process unlocked (for the ending's gains). */
  readonly unlocks: Unlock[] = [];
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
    const view = this.show(round, index, pairing);
    if (pairing.b === null) {
      Object.assign(view, { status: MatchStatus.Bye, winner: pairing.a });
      view.sides[0]!.status = 'bye';
      return { round, a: pairing.a, b: null, winner: pairing.a, accuracy: { a: null, b: null } };
    }
    const fairSeed = drawFairSeed(host.customSeed === undefined ? undefined : deriveSeed(host.customSeed, `round:${round}:match:${index}`));
    const match = new MatchLifecycle({ id: randomUUID(), kind: 'tournament', roomId: host.roomId, options: host.options, fairSeed, tournament: { id: host.tournamentId, round } });
    for (const seat of [pairing.a, pairing.b]) {
      const { player: p, playerId, spec } = host.seat(seat);
      match.record({ type: 'join', role: 'player', playerId, name: p.player, seat });
      match.record({ type: 'spec', playerId, seat, spec: spec!, params: p.params, summary: p.summary }); // every seated player was ready, with a spec
    }
    match.transition('running');
    return this.follow(view, match, index, pairing);
  }

  /** Carries on a match the previous server process was running (rebuilt from its log), its runs followed again from what the log heard. */
  resume(index: number, pairing: Pairing, match: MatchLifecycle): Promise<MatchRecord | undefined> {
    const view = this.show(match.tournament!.round, index, pairing);
    for (const entry of match.entries()) {
      const last = match.events.filter((e) => e.type === 'frame' && e.runId === entry.runId).at(-1);
      if (last?.type === 'frame') Object.assign(view.sides.find((s) => s.seat === entry.seat)!, { samples: last.samples, loss: last.loss ?? 0, valAccuracy: last.valAccuracy ?? 0 });
    }
    return this.follow(view, match, index, pairing, resumedRuns(match));
  }

  /** A decided pairing as the log of the tournament tells it (after a restart): shown, not played. */
  showDecided(index: number, rec: MatchRecord, matchId: string | null): void {
    const view = this.show(rec.round, index, rec);
    Object.assign(view, { winner: rec.winner, status: rec.b === null ? MatchStatus.Bye : MatchStatus.Finished, matchId: matchId ?? '', decidedBy: rec.decidedBy ?? '' });
    view.sides.forEach((side, i) => Object.assign(side, { status: rec.b === null ? 'bye' : 'finished', heldOutAccuracy: (i === 0 ? rec.accuracy.a : rec.accuracy.b) ?? 0 }));
  }

  /** The pairing's view in state, with its sides. */
  private show(round: number, index: number, pairing: Pairing): TournamentMatch {
    const view = Object.assign(new TournamentMatch(), { round, index });
    for (const seat of pairing.b === null ? [pairing.a] : [pairing.a, pairing.b]) view.sides.push(Object.assign(new MatchSide(), { seat, player: this.host.seat(seat).player.player }));
    this.host.state.matches.push(view);
    view.fairSeed.rated = this.host.state.rated;
    return view;
  }

  /** Trains a match (launched now, or carried on with `resume`), settles, stores it and returns its outcome. */
  private async follow(view: TournamentMatch, match: MatchLifecycle, index: number, pairing: Pairing, resume?: ResumedRuns): Promise<MatchRecord | undefined> {
    const { host } = this;
    const round = match.tournament!.round;
    const fairSeed = match.fairSeed!;
    view.status = MatchStatus.Racing;
    publishCommitment(view.fairSeed, fairSeed);
    this.all.push(match);
    // Persisted as it goes: after a restart the next process carries it on with the tournament.
    const persisted = host.services.matches.persist(match);
    this.persisted.add(persisted);
    const entries = match.entries().map(({ seat, playerId, name, spec }) => {
      host.seat(seat).player.status = PlayerStatus.Racing;
      return { seat, player: name, playerId, spec: spec! };
    });
    const conditions = { task: host.options.task, budget: host.options.budget, seed: fairSeed.seed, paceMs: host.options.paceSeconds * 1000 };
    const startedAt = new Date(match.events.find((e) => e.type === 'phase' && e.to === 'running')?.at ?? Date.now());
    const sideOf = (seat: number) => view.sides.find((s) => s.seat === seat)!;
    const curves = new Map(view.sides.map((side) => [side.seat, new LiveCurve({ samples: side.curveSamples, valAccuracy: side.curveValAccuracy }, MATCH_SIDE_CURVE_POINTS)]));
    // Each side's whole curve with its loss, stored with the match so that its page can draw and replay it (the
    // state's curve above keeps no loss, and only a downsampled view).
    const stored = new Map(view.sides.map((side) => [side.seat, [] as Array<{ samples: number; loss: number; valAccuracy: number }>]));
    const keep = (seat: number, p: { samples: number; loss: number | null; valAccuracy: number | null }) => {
      const series = stored.get(seat);
      if (!series || p.loss === null || p.valAccuracy === null || !Number.isFinite(p.loss) || !Number.isFinite(p.valAccuracy)) return;
      if (series.length > 0 && series.at(-1)!.samples >= p.samples) return; // a run's final report repeats its last frame
      series.push({ samples: p.samples, loss: p.loss, valAccuracy: p.valAccuracy });
    };
    // Carried on after a restart: the curve so far is the one the match's log heard.
    for (const { seat, runId } of match.entries()) {
      for (const e of match.events) {
        if (e.type !== 'frame' || e.runId !== runId) continue;
        if (e.valAccuracy !== null) curves.get(seat)?.add({ samples: e.samples, valAccuracy: e.valAccuracy });
        keep(seat, e);
      }
    }
    const onFrame = (seat: number, f: { samples: number; loss: number; valAccuracy: number }) => {
      host.heard?.(seat);
      Object.assign(sideOf(seat), { samples: f.samples, loss: f.loss, valAccuracy: f.valAccuracy });
      if (Number.isFinite(f.valAccuracy)) curves.get(seat)?.add({ samples: f.samples, valAccuracy: f.valAccuracy });
      keep(seat, f);
    };
    const running = runMatch(host.services.trainer, conditions, entries, { onFrame, onSettled: (o) => host.heard?.(o.entry.seat), notice: (notice) => host.broadcast('notice', notice) }, match, resume);
    this.running.add(running);
    const outcomes = await running.done;
    this.running.delete(running);
    if (this.cancelled) return undefined;
    this.persisted.delete(persisted); // it stops by itself once the match is stored or aborted
    if (match.phase === 'running') match.transition('settling'); // a match carried on after a restart may be settling already
    revealInState(view.fairSeed, fairSeed);
    for (const { entry, result } of outcomes) {
      sideOf(entry.seat).status = result ? 'finished' : 'failed';
      if (result) onFrame(entry.seat, { samples: result.samples, loss: result.final.loss, valAccuracy: result.final.valAccuracy });
      host.seat(entry.seat).player.status = PlayerStatus.Waiting;
    }
    const winner = outcomes.find((o) => o.rank === 1)!.entry.seat;
    const acc = (seat: number) => outcomes.find((o) => o.entry.seat === seat)?.result?.heldOutAccuracy ?? null;
    const decidedBy = namedTieBreaks(outcomes)[0]?.reason;
    const record: MatchRecord = { round, a: pairing.a, b: pairing.b, winner, accuracy: { a: acc(pairing.a), b: pairing.b === null ? null : acc(pairing.b) }, ...(decidedBy ? { decidedBy } : {}) };
    await host.decided?.(index, record, match.id); // in the tournament's log before the match is stored: a restart in between carries it on again
    const tournament = { id: host.tournamentId, round };
    const result = raceMatchResult(outcomes, { id: match.id, roomId: host.roomId, conditions, fairSeed, startedAt, tournament, curves: stored });
    const saving = { tell: (n: RoomNoticeMessage) => host.broadcast('notice', n), what: `the result of round ${round}, match ${index + 1}`, forget: () => Promise.all(outcomes.map((o) => host.services.trainer.forget(o.job.runId))) };
    const unlocks = await storeMatch(match, result.match.id, (hooks) => host.services.matches.recordRace(result, hooks), (err) => {
      moduleLogger('tournament').error({ roomId: host.roomId, matchId: result.match.id, err }, 'could not store a match');
      host.broadcast('error', { code: ErrorCode.Internal, message: `a match of round ${round} could not be stored` });
    }, saving);
    if (match.phase === 'stored') view.matchId = result.match.id;
    this.unlocks.push(...unlocks);
    // The held-out scores show with the match's end, in the same patch: the store above takes real time (the
    // database answers from its own thread), and a patch in between would reveal them while it still races.
    for (const { entry, result } of outcomes) sideOf(entry.seat).heldOutAccuracy = result?.heldOutAccuracy ?? 0;
    Object.assign(view, { winner, status: MatchStatus.Finished, decidedBy: decidedBy ?? '' });
    return record;
  }

  /** The matches under way (carried on after a restart or not) that have not ended. */
  get unfinished(): MatchLifecycle[] {
    return this.all.filter((m) => !m.ended);
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
