import type { LoggedControl } from '../../shared/control.schema.ts';
import { forkedJob } from '../../contract/fork-job.ts';
import type { TrainJob } from '../../shared/run.schema.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';

/**
 * A fork from a checkpoint's bytes (the engine's side of `forkedJob`): the fork's job, and the
 * checkpoint as the fork's own.
 */
export function forkJob(
  parent: TrainJob,
  parentLog: readonly LoggedControl[],
  checkpointBytes: Uint8Array,
  runId: string,
  ownControls: readonly LoggedControl[] = [],
): { job: TrainJob; resumeFrom: Uint8Array } {
  const cp = decodeCheckpoint(checkpointBytes);
  const job = forkedJob(parent, parentLog, { step: cp.step, controlsApplied: cp.controlsApplied }, runId, ownControls);
  return { job, resumeFrom: encodeCheckpoint({ ...cp, runId }) };
}
