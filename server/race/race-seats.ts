import type { RoomIdentity } from '../../shared/identity.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { CURVE_POINTS, EntryStatus, type RaceResultMessage } from '../../shared/race.messages.ts';
import { RaceEntry, type RaceState } from '../../shared/race.state.ts';
import { oldestRewindStep } from '../../shared/kept-checkpoints.ts';
import type { RunResult, TelemetryFrame, TrainJob } from '../../shared/run.schema.ts';
import { LiveCurve, type MatchLifecycle, type RaceMatchOutcome } from '../match/index.ts';
import type { MatchCurves } from '../match/match-runner.ts';
import { freeSeat } from './race.rules.ts';

/**
 * A race's seats as the room's state shows them (by session), kept in step with its match's log (by
 * seat): who sits where, their spec, their live figures and curve, and their final place.
 */
export class RaceSeats {
  private readonly state: RaceState;
  private readonly match: MatchLifecycle;
  /** Each seat's whole learning curve (state shows it downsampled). */
  private readonly curves = new Map<number, LiveCurve<'samples' | 'loss' | 'valAccuracy'>>();
  /**
   * Each training seat's job, the highest step its frames have shown and the earliest checkpoint it can hold
   * (0; for a run resumed after a restart, the first it takes after its first frame): which checkpoints it still keeps (see `rewindFrom`).
   */
  private readonly checkpoints = new Map<number, { job: TrainJob; highest: number; since: number | undefined }>();

  constructor(state: RaceState, match: MatchLifecycle) {
    this.state = state;
    this.match = match;
  }

  /** Seats `who` (as `playerId`) in the lowest free seat, with `interventions` to use. */
  seat(sessionId: string, who: RoomIdentity, playerId: string, interventions: number): RaceEntry {
    const entry = Object.assign(new RaceEntry(), { seat: freeSeat([...this.state.entries.values()].map((e) => e.seat)), player: who.name, interventionsLeft: interventions });
    this.state.entries.set(sessionId, entry);
    this.curves.set(entry.seat, new LiveCurve({ samples: entry.curveSamples, loss: entry.curveLoss, valAccuracy: entry.curveValAccuracy }, CURVE_POINTS));
    this.match.record({ type: 'join', role: 'player', playerId, name: who.name, seat: entry.seat });
    return entry;
  }

  /**
   * Seats again everyone the log of a match carried on after a restart says had a seat (their sessions
   * are gone: each waits under `resumed:<seat>` until its player joins again), with their spec, run,
   * figures and curve so far, and the interventions they had left.
   */
  restore(interventions: number): void {
    for (const e of this.match.entries()) {
      const used = e.runId ? this.match.controls(e.runId).filter((c) => c.control.type !== 'spendBudget').length : 0;
      const entry = Object.assign(new RaceEntry(), {
        seat: e.seat,
        player: e.name,
        connected: false,
        interventionsLeft: Math.max(0, interventions - used),
        summary: e.summary ?? '',
        params: e.params ?? 0,
        runId: e.runId ?? '',
        status: e.result ? (e.result.status === 'failed' ? EntryStatus.Failed : EntryStatus.Finished) : e.runId ? EntryStatus.Training : EntryStatus.Ready,
      });
      this.state.entries.set(`resumed:${e.seat}`, entry);
      const curve = new LiveCurve({ samples: entry.curveSamples, loss: entry.curveLoss, valAccuracy: entry.curveValAccuracy }, CURVE_POINTS);
      this.curves.set(e.seat, curve);
      for (const f of this.match.events) {
        if (f.type !== 'frame' || f.runId !== e.runId) continue;
        entry.samples = f.samples;
        if (f.loss !== null) entry.loss = f.loss;
        if (f.valAccuracy !== null) entry.valAccuracy = f.valAccuracy;
        if (f.loss !== null && f.valAccuracy !== null) curve.add({ samples: f.samples, loss: f.loss, valAccuracy: f.valAccuracy });
      }
    }
  }

  /** A player coming back to the seat they hold (after a restart, or past the reconnection window) under a new session. */
  rejoin(sessionId: string, playerId: string): RaceEntry | undefined {
    const seat = this.match.entries().find((e) => e.playerId === playerId)?.seat;
    const held = [...this.state.entries].find(([, e]) => e.seat === seat);
    if (seat === undefined || !held) return undefined;
    const [oldSession, entry] = held;
    this.state.entries.delete(oldSession);
    this.state.entries.set(sessionId, entry);
    entry.connected = true;
    return entry;
  }

  unseat(sessionId: string, entry: RaceEntry, reason: string): void {
    this.match.record({ type: 'leave', role: 'player', playerId: this.logged(entry).playerId, seat: entry.seat, reason });
    this.state.entries.delete(sessionId);
    this.curves.delete(entry.seat);
  }

  /** What the log says of a seat: its player's id and spec. */
  logged(entry: RaceEntry): { playerId: string; spec?: ModelSpec } {
    return this.match.entries().find((e) => e.seat === entry.seat)!;
  }

  /** Player ids already seated. */
  playerIds(): string[] {
    return this.match.entries().map((e) => e.playerId);
  }

  bySeat(seat: number): RaceEntry {
    return [...this.state.entries.values()].find((e) => e.seat === seat)!;
  }

  /** A seat's run started, or was `resumed` after a restart (from a checkpoint of its own: it holds none from before). */
  training(seat: number, job: TrainJob, resumed: boolean): void {
    this.checkpoints.set(seat, { job, highest: 0, since: resumed ? undefined : 0 });
  }

  /** Mirrors a frame (or a result's final figures) into the seat's figures and curve. */
  applyFrame(seat: number, f: Pick<TelemetryFrame, 'samples' | 'step' | 'loss' | 'accuracy' | 'valAccuracy' | 'samplesPerSec'>): void {
    const entry = this.bySeat(seat);
    Object.assign(entry, { samples: f.samples, step: f.step, loss: f.loss, accuracy: f.accuracy, valAccuracy: f.valAccuracy, samplesPerSec: f.samplesPerSec });
    const kept = this.checkpoints.get(seat);
    if (kept) {
      const every = kept.job.checkpointEverySteps;
      kept.since ??= Math.ceil(f.step / every) * every;
      kept.highest = Math.max(kept.highest, f.step);
      entry.rewindFrom = Math.max(kept.since, oldestRewindStep(kept.job, kept.highest));
    }
    this.curves.get(seat)?.add({ samples: f.samples, loss: f.loss, valAccuracy: f.valAccuracy });
  }

  /** A seat's run ended. */
  settled(seat: number, result: RunResult | undefined): void {
    if (result) this.applyFrame(seat, { ...result.final, samples: result.samples, step: result.steps, samplesPerSec: result.samplesPerSec });
    this.bySeat(seat).status = result ? EntryStatus.Finished : EntryStatus.Failed;
  }

  /** Every curve in full, by seat, for storage. */
  allCurves(): MatchCurves {
    return new Map([...this.curves].map(([seat, curve]) => [seat, curve.points]));
  }

  /** Shows each seat's place and held-out score, and returns the ranking the result message carries. */
  rank(outcomes: readonly RaceMatchOutcome[]): RaceResultMessage['ranking'] {
    for (const o of outcomes) Object.assign(this.bySeat(o.entry.seat), { rank: o.rank, heldOutAccuracy: o.result?.heldOutAccuracy ?? 0 });
    return [...outcomes].sort((a, b) => a.rank - b.rank).map(({ entry: { player, playerId, seat } }) => {
      const { rank, valAccuracy, heldOutAccuracy } = this.bySeat(seat);
      return { player, playerId, seat, rank, valAccuracy, heldOutAccuracy };
    });
  }
}
