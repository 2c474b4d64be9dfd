import { forkPointAt, forkPoints } from '../../contract/fork-points.ts';
import type { CheckpointInfo } from '../../contract/trainer.messages.ts';
import type { LoggedControl } from '../../shared/control.schema.ts';
import { appliedStep, newTrainJob, TrainJob, type RunEvent, type RunResult } from '../../shared/run.schema.ts';
import type { RunView } from '../runs/run-view.schema.ts';

/** Why a fork cannot start, in words for the owner. */
export class ForkRefused extends Error {}

/** Where a fork starts: its parent's job and log, the checkpoint, and whether the parent is stored already. */
export interface ForkSource {
  parent: TrainJob;
  log: LoggedControl[];
  point: CheckpointInfo;
  parentStored: boolean;
}

/** The room's current run, as a fork needs it. */
export interface CurrentRun {
  job: TrainJob;
  events: readonly RunEvent[];
  result?: RunResult;
  /** Whether it still trains. */
  live: boolean;
  /** The step its latest frame reported (an ended run: its last). */
  step: number;
}

/** A run's control log from its control events, each at the step it took effect. */
export function logOfEvents(events: readonly RunEvent[]): LoggedControl[] {
  return events.filter((e) => e.type === 'control' && e.control).map((e) => ({ step: appliedStep(e), control: e.control! }) as LoggedControl);
}

const listed = (points: readonly CheckpointInfo[]) => {
  const steps = points.map((p) => p.step);
  return steps.length > 12 ? `${steps.slice(0, 6).join(', ')}, …, ${steps.slice(-6).join(', ')}` : steps.join(', ') || 'none yet';
};

/**
 * The checkpoint `step` (the latest when absent) of the room's current run, live or ended: read from its log
 * (see `forkPoints`), so none of the engine's checkpoint bytes are needed. A live run's checkpoint counts
 * once a frame has come from past it (its controls up to it are in).
 */
export function forkOfCurrent(run: CurrentRun, step: number | undefined): ForkSource {
  const log = run.result ? run.result.controls : logOfEvents(run.events);
  const reached = run.result ? run.result.steps : run.step;
  const points = forkPoints(log, run.job.checkpointEverySteps, reached);
  const point = step === undefined ? points.at(-1) : points.find((p) => p.step === step);
  if (!point) throw new ForkRefused(step === undefined ? 'there is no checkpoint to fork from yet: wait a moment, or take one' : `the run has no checkpoint at step ${step}; its checkpoints: ${listed(points)}`);
  return { parent: run.job, log, point, parentStored: false }; // the room stores the fork once its current run is stored
}

/**
 * The checkpoint `step` of a stored run (`view`, from the database): its job rebuilt from its run file with the
 * room's pacing and probes. Only a run of this room's task and seed (one trained here) can be forked here:
 * the page draws the room's data.
 */
export function forkOfStored(view: RunView | undefined, room: { task: TrainJob['task']; seed: number; checkpointEverySteps: number; paceMs: number; probeIntervalMs: number }, step: number | undefined): ForkSource {
  if (!view) throw new ForkRefused('there is no stored run with that id');
  const file = view.runFile;
  if (file.seed !== room.seed || JSON.stringify(file.task) !== JSON.stringify(room.task)) throw new ForkRefused("that run was trained on other data (task or seed): only this room's runs fork here");
  if (view.status === 'failed') throw new ForkRefused('that run failed: its log is not kept, so it cannot be replayed');
  if (step === undefined) throw new ForkRefused("say which checkpoint of a stored run to fork from (its step)");
  const point = forkPointAt(file.controls, room.checkpointEverySteps, step);
  if (!point) throw new ForkRefused(`that run has no checkpoint at step ${step}: they are every ${room.checkpointEverySteps} steps and where it took one`);
  // The parent's own arithmetic (a stored run from before the second has none: 1), not the one new runs take.
  const parent = newTrainJob({ runId: view.id, spec: file.spec, task: file.task, seed: file.seed, budget: file.budget, arithmetic: file.arithmetic ?? 1, checkpointEverySteps: room.checkpointEverySteps, paceMs: room.paceMs, probeIntervalMs: room.probeIntervalMs, controls: [] });
  return { parent, log: file.controls, point, parentStored: true };
}
