import type { LoggedControl } from '../../shared/control.schema.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';

/**
 * A fork: a new run with its own id that starts where a parent run's
 * checkpoint left off. Its log begins with the parent's controls up to the
 * checkpoint (so its run file replays from scratch) and goes on with its own.
 */
export function forkJob(
  parent: TrainJob,
  parentLog: readonly LoggedControl[],
  checkpointBytes: Uint8Array,
  runId: string,
  ownControls: readonly LoggedControl[] = [],
): { job: TrainJob; resumeFrom: Uint8Array } {
  const cp = decodeCheckpoint(checkpointBytes);
  if (parentLog.length < cp.controlsApplied) throw new Error(`the parent's log holds ${parentLog.length} controls but its checkpoint at step ${cp.step} follows ${cp.controlsApplied}: wait for the rest of its events`);
  const early = ownControls.find((c) => c.step < cp.step);
  if (early) throw new Error(`a fork from step ${cp.step} cannot take a control at step ${early.step}`);
  const job = TrainJob.parse({
    ...parent,
    runId,
    parent: { runId: parent.runId, step: cp.step },
    controls: [...parentLog.slice(0, cp.controlsApplied), ...ownControls],
  });
  return { job, resumeFrom: encodeCheckpoint({ ...cp, runId }) };
}
