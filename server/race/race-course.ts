import { ErrorCode, type RoomNoticeMessage } from '../../shared/protocol.ts';
import { EntryStatus, RacePhase, type RaceCreateOptions, type RaceResultMessage } from '../../shared/race.messages.ts';
import type { RaceState } from '../../shared/race.state.ts';
import type { ArenaServices } from '../arena.services.ts';
import { moduleLogger } from '../logger.ts';
import type { DurableMatch } from '../match/durable-match.ts';
import { revealInState, revealOf } from '../match/fair-seed.ts';
import { announceUnlocks, raceMatchResult, runMatch, storeMatch, type Interventions, type MatchLifecycle, type RaceMatchConditions, type RaceMatchOutcome, type RunningRaceMatch } from '../match/index.ts';
import type { ResumedRuns } from '../match/match-runner.ts';
import { gainsOf, namedTieBreaks } from '../match/match-ending.ts';
import type { RaceSeats } from './race-seats.ts';

/** What a race's course needs of its room. */
export interface RaceHost {
  roomId: string;
  services: Pick<ArenaServices, 'trainer' | 'matches' | 'progression'>;
  state: RaceState;
  match: MatchLifecycle;
  options: RaceCreateOptions;
  seats: RaceSeats;
  interventions: Interventions;
  durable: DurableMatch;
  broadcast(type: 'notice' | 'error' | 'result', message: unknown, options?: { afterNextPatch: boolean }): void;
  /** Shows the race's phase in the lobby's listing. */
  list(phase: RacePhase): void;
}

/**
 * A race from the start to its result: every seat's entry trained through `runMatch` (or, after a
 * restart, followed again), mirrored into the seats, ranked, stored with its runs, ratings, XP and
 * achievements, and announced; or called off.
 */
export class RaceCourse {
  running?: RunningRaceMatch;
  startedAt = new Date();
  private readonly host: RaceHost;

  constructor(host: RaceHost) {
    this.host = host;
  }

  conditions(): RaceMatchConditions {
    const { task, budget, paceSeconds } = this.host.options;
    return { task, budget, seed: this.host.match.seed!, paceMs: paceSeconds * 1000 };
  }

  /** Trains every seat's entry (or, after a restart, follows their runs again); `heard` learns of each seat's first word. */
  launch(resume?: ResumedRuns, heard: (seat: number) => void = () => {}): void {
    const { seats, interventions, match, state } = this.host;
    const entries = match.entries().map(({ seat, playerId, spec }) => ({ seat, player: seats.bySeat(seat).player, playerId, spec: spec! }));
    const running = runMatch(this.host.services.trainer, this.conditions(), entries, {
      onFrame: (seat, frame) => (heard(seat), seats.applyFrame(seat, frame)),
      onEvent: (_seat, event) => interventions.onEvent(event),
      onSettled: ({ entry: { seat }, result, job }) => (heard(seat), seats.settled(seat, result), interventions.runEnded(job.runId)),
      notice: (notice) => this.host.broadcast('notice', notice),
    }, match, resume);
    this.running = running;
    state.checkpointEvery = running.jobs.values().next().value?.checkpointEverySteps ?? 0;
    for (const [seat, job] of running.jobs) seats.training(seat, job, resume !== undefined);
    for (const entry of state.entries.values()) if (!resume || entry.status === EntryStatus.Training) Object.assign(entry, { runId: running.jobs.get(entry.seat)!.runId, status: EntryStatus.Training });
    void running.done.then((outcomes) => (this.running === running ? this.finish(outcomes) : undefined));
  }

  /** Every run has ended: rank, store the match with its runs, ratings, XP and achievements, tell the room. */
  private async finish(outcomes: RaceMatchOutcome[]): Promise<void> {
    const { match, state, services, seats } = this.host;
    if (match.phase === 'running') match.transition('settling'); // a match carried on after a restart may be settling already
    revealInState(state.fairSeed, match.fairSeed!);
    const ranking = seats.rank(outcomes);
    const result = raceMatchResult(outcomes, { id: match.id, roomId: this.host.roomId, conditions: this.conditions(), fairSeed: match.fairSeed!, startedAt: this.startedAt, curves: seats.allCurves() });
    const stored = { tell: (n: RoomNoticeMessage) => this.host.broadcast('notice', n), what: 'the race result', forget: () => Promise.all(outcomes.map((o) => services.trainer.forget(o.job.runId))) };
    const unlocks = await storeMatch(match, result.match.id, (hooks) => services.matches.recordRace(result, hooks), (err) => {
      moduleLogger('race').error({ roomId: this.host.roomId, err }, 'could not store the match');
      this.host.broadcast('error', { code: ErrorCode.Internal, message: 'the result could not be stored' });
    }, stored);
    const matchId = match.phase === 'stored' ? result.match.id : null;
    state.matchId = matchId ?? '';
    this.host.list(RacePhase.Finished);
    this.host.durable.over();
    const gains = await gainsOf(services, matchId !== null, result.match.id, ranking, this.host.options.task.name, unlocks);
    const message: RaceResultMessage = { matchId, ranking, tieBreaks: namedTieBreaks(outcomes), gains, seedReveal: revealOf(match.fairSeed!), rated: match.fairSeed!.rated, unlocks: announceUnlocks(unlocks, new Map(ranking.map((r) => [r.playerId, r.player]))) };
    this.host.broadcast('result', message, { afterNextPatch: true });
  }

  /** Calls the race off (stored as aborted: no rating or XP moves) and tells everyone why. */
  async abort(reason: string): Promise<void> {
    const running = this.running;
    this.running = undefined;
    const stored = await this.host.durable.abort(running, reason);
    Object.assign(this.host.state, { matchId: stored ? this.host.match.id : '', abortReason: reason });
    revealInState(this.host.state.fairSeed, this.host.match.fairSeed!);
    this.host.list(RacePhase.Finished);
    this.host.broadcast('notice', { message: `the race was called off: ${reason}` });
  }
}
