import { parameterCount } from './model-spec.metrics.ts';
import type { ModelSpec } from './model-spec.schema.ts';
import { networkDims } from './network-dims.ts';
import type { TaskSpec } from './task.schema.ts';

/** Most checkpoints a run keeps in memory for rewinds, `keepBest` and the loss landscape's path (the first always stays). */
export const MAX_KEPT_CHECKPOINTS = 200;
/** Fewest it keeps, however large the network: the first and the latest few. */
export const MIN_KEPT_CHECKPOINTS = 8;
/** About what one run's kept checkpoints may take in memory: 64 MiB (a few tiny-net checkpoints are under a kilobyte, an MNIST one over a megabyte). */
export const KEPT_CHECKPOINT_BYTES = 64 * 2 ** 20;

/**
 * Bytes one checkpoint of `spec` on `task` takes, at most: the weights and two
 * optimizer slots (Adam's; a run that starts on SGD may switch to Adam), float32,
 * and the order of the training points.
 */
export function checkpointBytes(spec: ModelSpec, task: Pick<TaskSpec, 'name' | 'samples'>): number {
  const { inputDim, outputDim, image } = networkDims(spec, task);
  return 3 * 4 * parameterCount(spec, inputDim, outputDim, image) + 4 * task.samples;
}

/**
 * How many checkpoints a run keeps in memory: as many as fit in
 * KEPT_CHECKPOINT_BYTES, between MIN_KEPT_CHECKPOINTS and MAX_KEPT_CHECKPOINTS.
 * Past it the oldest is forgotten, but never the first or early stopping's best. A pure function of the job,
 * so the engine that keeps them and a server that lists them agree.
 */
export function keptCheckpointLimit(job: { spec: ModelSpec; task: Pick<TaskSpec, 'name' | 'samples'> }): number {
  const fit = Math.floor(KEPT_CHECKPOINT_BYTES / checkpointBytes(job.spec, job.task));
  return Math.max(MIN_KEPT_CHECKPOINTS, Math.min(MAX_KEPT_CHECKPOINTS, fit));
}

/**
 * How many checkpoints a list of a run's rewind targets (the playground's CheckpointBook) may show so that
 * each is one the engine still holds: its `keepCheckpoints`, one fewer when the spec stops early (the engine
 * also holds on to early stopping's best, which only it can score). Undefined: the job names no limit.
 */
export function listedCheckpointLimit(job: { keepCheckpoints?: number | undefined; spec: Pick<ModelSpec, 'earlyStopping'> }): number | undefined {
  if (job.keepCheckpoints === undefined) return undefined;
  return job.spec.earlyStopping ? job.keepCheckpoints - 1 : job.keepCheckpoints;
}

/**
 * The earliest step, after its first checkpoint (step 0, always kept), that a rewind can take a run back to when
 * it takes no manual checkpoints (a race's run): the engine holds its latest automatic checkpoints within its
 * limit (`listedCheckpointLimit`, or the old rule's 200), one every `checkpointEverySteps` steps up to the
 * highest step it has reached. A rewind lets go of the checkpoints after its step and keeps those before it,
 * so the oldest one kept never moves back: the highest step reached decides, not the current one.
 */
export function oldestRewindStep(job: { keepCheckpoints?: number | undefined; checkpointEverySteps: number; spec: Pick<ModelSpec, 'earlyStopping'> }, highestStep: number): number {
  const every = job.checkpointEverySteps;
  const latest = Math.floor(highestStep / every) * every;
  const automatic = (listedCheckpointLimit(job) ?? MAX_KEPT_CHECKPOINTS) - 1; // the first is one of those listed
  return Math.max(0, latest - (automatic - 1) * every);
}
