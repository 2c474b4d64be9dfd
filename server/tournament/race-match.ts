/**
 * One race match, away from any room: every entry trains for real on the same
 * task, seed and budget through the trainer port, and the held-out split ranks
 * them. The tournament plays each of its matches with it; the race room could
 * launch its entries the same way (`runRaceMatch` for the training and ranking,
 * `raceMatchResult` for what `services.matches.recordRace` stores).
 */
import { randomUUID } from 'node:crypto';
import type { Match } from '../../shared/match.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { TrainJob, type RunEvent, type RunResult, type TelemetryFrame } from '../../shared/run.schema.ts';
import type { TaskSpec } from '../../shared/task.schema.ts';
import type { RaceResult } from '../progression/progression.service.ts';
import { revealOf, type FairSeed } from '../match/fair-seed.ts';
import { rankEntries } from '../race/race.rules.ts';
import { runRecordOf } from '../runs/run.record.ts';
import type { RecoveryInfo, Trainer } from '../trainer/trainer.port.ts';

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
}

/** How one entry did. `rank` is 1 for the winner; failed entries come last. */
export interface RaceMatchOutcome {
  entry: RaceMatchEntry;
  job: TrainJob;
  result?: RunResult;
  error?: string;
  events: RunEvent[];
  rank: number;
}

/** A match under way. */
export interface RunningRaceMatch {
  /** Every entry ranked, in seat order, once every run has finished or failed. */
  readonly done: Promise<RaceMatchOutcome[]>;
  /** Stops every run still training; `done` then never settles. */
  cancel(): Promise<void>;
}

/**
 * Launches every entry and resolves once all have finished or failed.
 * `onFrame` hears each entry's light telemetry (to mirror into room state).
 */
export function runRaceMatch(
  trainer: Trainer,
  conditions: RaceMatchConditions,
  entries: readonly RaceMatchEntry[],
  hooks: { onFrame?: (seat: number, frame: TelemetryFrame) => void; onRecovered?: (seat: number, info: RecoveryInfo) => void } = {},
): RunningRaceMatch {
  const outcomes = entries.map((entry) => ({
    entry,
    job: TrainJob.parse({ runId: randomUUID(), spec: entry.spec, task: conditions.task, seed: conditions.seed, budget: conditions.budget, probeIntervalMs: 0 }),
    events: [] as RunEvent[],
    rank: 0,
  })) as RaceMatchOutcome[];
  const done = new Promise<RaceMatchOutcome[]>((resolve) => {
    let open = outcomes.length;
    const settle = (): void => {
      if (--open > 0) return;
      const ranks = rankEntries(outcomes.map((o) => ({ seat: o.entry.seat, result: o.result })));
      for (const o of outcomes) o.rank = ranks.get(o.entry.seat)!;
      resolve([...outcomes].sort((a, b) => a.entry.seat - b.entry.seat));
    };
    for (const o of outcomes) {
      let settled = false;
      const finish = (apply: () => void): void => {
        if (settled) return;
        settled = true;
        apply();
        settle();
      };
      trainer
        .submit(o.job, {
          onFrame: (frame) => hooks.onFrame?.(o.entry.seat, frame),
          onEvent: (event) => o.events.push(event),
          onDone: (result) => finish(() => (o.result = result)),
          onFailed: (message) => finish(() => (o.error = message)),
          onRecovered: (info) => hooks.onRecovered?.(o.entry.seat, info),
        })
        .catch((err: unknown) => finish(() => (o.error = err instanceof Error ? err.message : String(err))));
    }
  });
  return {
    done,
    cancel: async () => {
      await Promise.all(outcomes.filter((o) => !o.result && !o.error).map((o) => trainer.cancel(o.job.runId)));
    },
  };
}

/** What `recordRace` stores for a finished match: the match with its ranked entries, their runs and events, rated or not, with its seed commitment and reveal. */
export function raceMatchResult(
  outcomes: readonly RaceMatchOutcome[],
  match: { id?: string; roomId: string; conditions: RaceMatchConditions; fairSeed: FairSeed; startedAt: Date; finishedAt?: Date; tournament?: { id: string; round: number } },
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
      samples: o.result?.samples ?? 0,
      weightsHash: o.result?.weightsHash ?? null,
      backend: o.result?.backend ?? null,
      error: o.error ?? null,
    })),
  };
  return {
    match: stored,
    runs: outcomes.map((o) => runRecordOf(o.job, { result: o.result, events: o.events, playerId: o.entry.playerId, matchId: stored.id, samplesIfFailed: 0 })),
    events: new Map(outcomes.map((o) => [o.job.runId, o.events])),
    ...(match.tournament ? { tournament: match.tournament } : {}),
  };
}
