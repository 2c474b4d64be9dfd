import { randomUUID } from 'node:crypto';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { bestTrial, planSweep, sweepBaseProblem, trialSpec } from '../../shared/sweep.plan.ts';
import type { SweepRequest } from '../../shared/sweep.schema.ts';
import { SweepTrial, type PlaygroundSweep } from '../../shared/sweep.state.ts';
import type { TaskSpec } from '../../shared/task.schema.ts';
import { newTrainJob, TrainJob, type RunEvent, type RunResult, type TelemetryFrame } from '../../shared/run.schema.ts';
import { checkSpecSize } from '../../shared/validation.ts';
import { ArraySchema } from '@colyseus/schema';
import type { Trainer } from '../trainer/trainer.port.ts';
import { moduleLogger } from '../logger.ts';

/** Steps between two frames of a trial: enough for its progress, few enough to cost nothing. */
const TRIAL_FRAME_EVERY = 25;

/** The job of one trial: background priority, no probes (nobody watches a trial's boundary), a frame every few steps. */
export function sweepTrialJob(runId: string, spec: ModelSpec, task: TaskSpec, seed: number, budget: number): TrainJob {
  return newTrainJob({ runId, spec, task, seed, budget, priority: 'background', frameEverySteps: TRIAL_FRAME_EVERY, probeEverySteps: 0, probeIntervalMs: 0 });
}

/** Why a sweep could not start, in words for the owner. */
export class SweepRefused extends Error {}

/** A trial as planned: its network and its job. */
interface PlannedTrial {
  spec: ModelSpec;
  job: TrainJob;
}

/**
 * A playground's hyperparameter sweep: plans its trials from the request and the room's current network,
 * queues each on the trainer at `background` priority (so live runs go first: see `TrainJob.priority`),
 * and mirrors every trial's progress and final validation and held-out figures into state. Trials are not
 * stored as runs; the network of any of them can be trained as the playground's next run (`specOf`).
 */
export class SweepRunner {
  private readonly state: PlaygroundSweep;
  private readonly trainer: Trainer;
  private planned: PlannedTrial[] = [];
  private results: Array<RunResult | undefined> = [];
  /** Bumped by every start and cancel: a listener of an older sweep changes nothing. */
  private generation = 0;

  constructor(state: PlaygroundSweep, trainer: Trainer) {
    this.state = state;
    this.trainer = trainer;
  }

  get running(): boolean {
    return this.state.phase === 'running';
  }

  /** The network of trial `index` of the current (or last) sweep. */
  specOf(index: number): ModelSpec {
    const trial = this.planned[index];
    if (!trial) throw new SweepRefused(this.planned.length ? `there is no trial ${index}: the sweep had ${this.planned.length} (0 to ${this.planned.length - 1})` : 'there is no sweep yet: start one first');
    return trial.spec;
  }

  /**
   * Plans and queues a sweep over `base` on `task`; refuses (SweepRefused, in words) while one runs, or
   * when a trial's network would not fit the task.
   */
  start(request: SweepRequest, base: ModelSpec, baseSummary: string, task: TaskSpec, roomSeed: number): void {
    if (this.running) throw new SweepRefused(`a sweep is running (${this.state.done} of ${this.state.total} trials done): cancel it first`);
    const baseProblem = sweepBaseProblem(base);
    if (baseProblem) throw new SweepRefused(baseProblem);
    const seed = request.seed ?? roomSeed;
    const points = planSweep(request, seed);
    const sweepId = randomUUID();
    const planned = points.map((point, i) => {
      const spec = trialSpec(base, point);
      const tooLarge = checkSpecSize(spec, task);
      if (tooLarge) throw new SweepRefused(`trial ${i} (width ${point.width}) does not fit: ${tooLarge.message}`);
      const job = sweepTrialJob(`sweep-${sweepId}-${i}`, spec, task, seed, request.budgetPerTrial);
      return { spec, job, point };
    });
    const generation = ++this.generation;
    this.planned = planned;
    this.results = planned.map(() => undefined);
    Object.assign(this.state, { phase: 'running', method: request.method, seed, budgetPerTrial: request.budgetPerTrial, base: baseSummary, total: planned.length, done: 0, best: -1 });
    this.state.trials = new ArraySchema(...planned.map(({ point }, index) => new SweepTrial().assign({ index, ...point, status: 'queued' })));
    for (const [i, { job }] of planned.entries()) {
      const mine = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => void (this.generation === generation && fn(...a));
      const trial = this.state.trials[i]!;
      this.trainer
        .submit(job, {
          onFrame: mine((f: TelemetryFrame) => {
            if (trial.status === 'queued') trial.status = 'training';
            Object.assign(trial, { samples: f.samples, valAccuracy: f.valAccuracy, valLoss: f.valLoss });
          }),
          onEvent: mine((e: RunEvent) => {
            const type = e.type === 'control' ? (e.control as { type?: string } | undefined)?.type : undefined;
            if (type === 'pause') trial.status = 'held';
            else if (type === 'resume') trial.status = 'training';
          }),
          onDone: mine((r: RunResult) => this.ended(i, r)),
          onFailed: mine((message: string) => this.ended(i, undefined, message)),
        })
        .catch((err: unknown) => this.generation === generation && this.ended(i, undefined, err instanceof Error ? err.message : String(err)));
    }
  }

  private ended(i: number, result?: RunResult, message?: string): void {
    const trial = this.state.trials[i]!;
    if (result) {
      this.results[i] = result;
      Object.assign(trial, {
        status: result.status,
        samples: result.samples,
        valAccuracy: result.final.valAccuracy,
        valLoss: result.final.valLoss,
        heldOutAccuracy: result.heldOutAccuracy,
        weightsHash: result.weightsHash,
        durationMs: Math.round(result.durationMs),
      });
    } else Object.assign(trial, { status: 'failed', message: message ?? 'failed' });
    this.state.done += 1;
    // Ranked on validation only: the held-out split judges the chosen network, it does not choose it.
    const ranked = this.results.map((r) => (r?.status === 'finished' && Number.isFinite(r.final.valAccuracy) ? { valAccuracy: r.final.valAccuracy, valLoss: Number.isFinite(r.final.valLoss) ? r.final.valLoss : Infinity } : undefined));
    this.state.best = bestTrial(ranked);
    if (this.state.done >= this.state.total) {
      this.state.phase = 'finished';
      void Promise.all(this.planned.map(({ job }) => this.trainer.forget(job.runId))).catch(() => {});
    }
  }

  /** Stops every trial that has not ended. */
  async cancel(): Promise<void> {
    if (!this.running) return;
    this.generation++;
    this.state.phase = 'cancelled';
    const open = this.planned.filter((_, i) => !this.results[i] && !['failed'].includes(this.state.trials[i]?.status ?? ''));
    for (const [i, t] of this.state.trials.entries()) if (t.status === 'queued' || t.status === 'training' || t.status === 'held') this.state.trials[i]!.status = 'cancelled';
    await Promise.all(open.map(({ job }) => this.trainer.cancel(job.runId))).catch((err: unknown) => moduleLogger('playground').warn({ err }, 'could not cancel a sweep trial'));
  }
}
