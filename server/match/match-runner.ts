/**
 * One race match through the trainer port, away from any room: every entry trains for real on the same
 * task, seed and budget (paced over the same wall clock), the held-out split ranks them, and the match's
 * lifecycle logs each launch, control, frame summary and result. The race room and each tournament
 * match launch their entries with `runMatch`; `raceMatchResult` is what `services.matches.recordRace` stores.
 */
import { randomUUID } from 'node:crypto';
import type { Match } from '../../shared/match.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { Control } from '../../shared/control.schema.ts';
import { appliedStep, newTrainJob, TrainJob, type RunEvent, type RunResult, type TelemetryFrame } from '../../shared/run.schema.ts';
import type { TaskSpec } from '../../shared/task.schema.ts';
import type { RaceResult } from '../progression/progression.service.ts';
import { rankEntries } from '../race/race.rules.ts';
import { runRecordOf, storedCurve } from '../runs/run.record.ts';
import { recoveryNotice, type RecoveryInfo, type RunListener, type Trainer } from '../trainer/trainer.port.ts';
import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import { revealOf, type FairSeed } from './fair-seed.ts';
import type { MatchLifecycle } from './lifecycle.ts';
import { figure } from './match-events.ts';

/** Least time between two frame summaries of one run in the match's log (ms). */
export const FRAME_SUMMARY_MS = 1000;

/** An entry of a match: who, in which seat, with which network. */
export interface RaceMatchEntry {
  seat: number;
  player: string;
  playerId: string;
  spec: ModelSpec;
}

/** What the match's conditions are; the same for every entry. */
export interface RaceMatchConditions {
  task: TaskSpec;
  /** Training samples per entry. */
  budget: number;
  seed: number;
  /** Wall-clock time every run is stretched over, for spectators (ms; 0, the default: as fast as it trains). */
  paceMs?: number;
}

/** How one entry did. `rank` is 1 for the winner; failed entries come last. */
export interface RaceMatchOutcome {
  entry: RaceMatchEntry;
  job: TrainJob;
  result?: RunResult;
  error?: string;
  events: RunEvent[];
  /** Samples of the last frame heard (what a failed entry got through). */
  samples: number;
  rank: number;
}

/** The runs of a match carried on after a restart: each seat's job as launched, and the samples its log heard up to. */
export interface ResumedRuns {
  jobs: ReadonlyMap<number, TrainJob>;
  heard: ReadonlyMap<number, number>;
}

function controlKey(runId: string, step: number, control: Control): string {
  return `${runId}@${step}:${JSON.stringify(control)}`;
}

/** A match under way. */
export interface RunningRaceMatch {
  /** The entries' jobs, by seat, as launched. */
  readonly jobs: ReadonlyMap<number, TrainJob>;
  /** Every entry ranked, in seat order, once every run has finished or failed. */
  readonly done: Promise<RaceMatchOutcome[]>;
  /** Stops every run still training; `done` then never settles. */
  cancel(): Promise<void>;
}

/** What a room hears of a match under way. */
export interface MatchHooks {
  /** An entry's light telemetry (to mirror into room state). */
  onFrame?: (seat: number, frame: TelemetryFrame) => void;
  /** An event of an entry's run (controls and their refusals among them). */
  onEvent?: (seat: number, event: RunEvent) => void;
  /** An entry's run ended (finished, diverged or failed); `done` resolves once all have. */
  onSettled?: (outcome: RaceMatchOutcome) => void;
  /** A run was resumed elsewhere after losing its thread or worker: the notice for the room. */
  notice?: (notice: RoomNoticeMessage) => void;
}

/**
 * Launches every entry and resolves once all have finished or failed. With `match`, the lifecycle logs
 * each launch (with its job), every control that took effect (with its step), a frame summary at most
 * every FRAME_SUMMARY_MS per run, and each result.
 */
export function runMatch(trainer: Trainer, conditions: RaceMatchConditions, entries: readonly RaceMatchEntry[], hooks: MatchHooks = {}, match?: MatchLifecycle, resume?: ResumedRuns): RunningRaceMatch {
  const outcomes: RaceMatchOutcome[] = entries.map((entry) => ({
    entry,
    job: resume?.jobs.get(entry.seat) ?? newTrainJob({ runId: randomUUID(), spec: entry.spec, task: conditions.task, seed: conditions.seed, budget: conditions.budget, probeIntervalMs: 0, paceMs: conditions.paceMs ?? 0 }), // race views draw no probes
    events: [],
    samples: resume?.heard.get(entry.seat) ?? 0,
    rank: 0,
  }));
  if (!resume) for (const o of outcomes) match?.record({ type: 'launch', runId: o.job.runId, seat: o.entry.seat, playerId: o.entry.playerId, job: o.job });
  // Controls already in the log: a resumed run takes them again after its checkpoint, and they are logged once.
  const logged = new Map<string, number>();
  if (resume && match) for (const e of match.events) if (e.type === 'control') logged.set(controlKey(e.runId, e.step, e.control), (logged.get(controlKey(e.runId, e.step, e.control)) ?? 0) + 1);
  const firstTime = (runId: string, step: number, control: Control): boolean => {
    const key = controlKey(runId, step, control);
    const n = logged.get(key) ?? 0;
    if (n > 0) logged.set(key, n - 1);
    return n === 0;
  };
  const done = new Promise<RaceMatchOutcome[]>((resolve) => {
    let open = outcomes.length;
    const settle = (): void => {
      if (--open > 0) return;
      const ranks = rankEntries(outcomes.map((o) => ({ seat: o.entry.seat, result: o.result })));
      for (const o of outcomes) o.rank = ranks.get(o.entry.seat)!;
      resolve([...outcomes].sort((a, b) => a.entry.seat - b.entry.seat));
    };
    for (const o of outcomes) {
      const { seat, player, playerId } = o.entry;
      let settled = false;
      let summarisedAt = -Infinity;
      const finish = (apply: () => void): void => {
        if (settled) return;
        settled = true;
        apply();
        const r = o.result;
        match?.record({
          type: 'result',
          runId: o.job.runId,
          status: r?.status ?? 'failed',
          samples: r?.samples ?? o.samples,
          loss: figure(r?.final.loss),
          valAccuracy: figure(r?.final.valAccuracy),
          heldOutAccuracy: figure(r?.heldOutAccuracy),
          weightsHash: r?.weightsHash ?? null,
          ...(o.error ? { error: o.error } : {}),
        });
        hooks.onSettled?.(o);
        settle();
      };
      const listener: RunListener = {
        onFrame: (frame) => {
          o.samples = frame.samples;
          if (match && Date.now() - summarisedAt >= FRAME_SUMMARY_MS) {
            summarisedAt = Date.now();
            match.record({ type: 'frame', runId: o.job.runId, samples: frame.samples, loss: figure(frame.loss), valAccuracy: figure(frame.valAccuracy) });
          }
          hooks.onFrame?.(seat, frame);
        },
        onEvent: (event) => {
          if (settled) return;
          o.events.push(event);
          const control = event.type === 'control' ? Control.safeParse(event.control) : undefined;
          // Logged at the step it took effect, as the run's own log has it (a rewind's event stands at the step it went back to).
          const at = appliedStep(event);
          if (control?.success && firstTime(o.job.runId, at, control.data)) match?.record({ type: 'control', runId: o.job.runId, playerId, control: control.data, step: at });
          hooks.onEvent?.(seat, event);
        },
        onDone: (result) => finish(() => (o.result = result)),
        onFailed: (message) => finish(() => (o.error = message)),
        onRecovered: (info: RecoveryInfo) => hooks.notice?.(recoveryNotice(info, player)),
      };
      // A resumed match follows its runs again from what its log heard of them (a run that had ended answers at once, or trains again).
      (resume ? trainer.attach(o.job, listener, { afterSamples: o.samples }) : trainer.submit(o.job, listener))
        .catch((err: unknown) => finish(() => (o.error = err instanceof Error ? err.message : String(err))));
    }
  });
  return {
    jobs: new Map(outcomes.map((o) => [o.entry.seat, o.job])),
    done,
    cancel: async () => {
      await Promise.all(outcomes.filter((o) => !o.result && !o.error).map((o) => trainer.cancel(o.job.runId)));
    },
  };
}

/** A learning curve as the room saw it (its whole series), by seat, for storage. */
export type MatchCurves = ReadonlyMap<number, ReadonlyArray<{ samples: number; loss: number; valAccuracy: number }>>;

/** What `recordRace` stores for a finished match: the match with its ranked entries, their runs (with curves) and events, rated or not, with its seed commitment and reveal. */
export function raceMatchResult(
  outcomes: readonly RaceMatchOutcome[],
  match: { id?: string; roomId: string; conditions: RaceMatchConditions; fairSeed: FairSeed; startedAt: Date; finishedAt?: Date; tournament?: { id: string; round: number }; curves?: MatchCurves },
): RaceResult {
  if (match.fairSeed.seed !== match.conditions.seed) throw new Error(`the match trained on seed ${match.conditions.seed} but committed to another`);
  const stored: Match = {
    id: match.id ?? randomUUID(),
    roomId: match.roomId,
    kind: 'race',
    task: match.conditions.task,
    seed: match.conditions.seed,
    rated: match.fairSeed.rated,
    seedReveal: revealOf(match.fairSeed),
    budget: match.conditions.budget,
    startedAt: match.startedAt.toISOString(),
    finishedAt: (match.finishedAt ?? new Date()).toISOString(),
    entries: outcomes.map((o) => ({
      seat: o.entry.seat,
      player: o.entry.player,
      playerId: o.entry.playerId,
      runId: o.job.runId,
      spec: o.entry.spec,
      status: o.result ? 'finished' : 'failed',
      rank: o.rank,
      heldOutAccuracy: o.result?.heldOutAccuracy ?? null,
      valAccuracy: o.result?.final.valAccuracy ?? null,
      loss: o.result?.final.loss ?? null,
      samples: o.result?.samples ?? o.samples,
      weightsHash: o.result?.weightsHash ?? null,
      backend: o.result?.backend ?? null,
      error: o.error ?? null,
    })),
  };
  return {
    match: stored,
    runs: outcomes.map((o) => {
      const run = runRecordOf(o.job, { result: o.result, events: o.events, playerId: o.entry.playerId, matchId: stored.id, samplesIfFailed: 0 });
      const curve = match.curves?.get(o.entry.seat);
      return curve ? { ...run, curve: storedCurve(curve) } : run;
    }),
    events: new Map(outcomes.map((o) => [o.job.runId, o.events])),
    ...(match.tournament ? { tournament: match.tournament } : {}),
  };
}
