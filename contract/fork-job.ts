import type { LoggedControl } from '../shared/control.schema.ts';
import { TrainJob } from '../shared/run.schema.ts';
import type { CheckpointInfo } from './trainer.messages.ts';

/** Why a run cannot be forked now, in words for the player who asked (no checkpoint yet, say). */
export class ForkUnavailable extends Error {
  override readonly name = 'ForkUnavailable';
}

/**
 * The job of a fork: a new run with its own id that starts where a parent run's checkpoint
 * (`from`: told beside the checkpoint's bytes, never read from them) left off. Its log begins
 * with the parent's controls up to the checkpoint, so its run file replays from scratch, and
 * goes on with `ownControls`. Throws `ForkUnavailable` when the parent's log does not reach the
 * checkpoint yet or an own control comes before it.
 */
export function forkedJob(parent: TrainJob, parentLog: readonly LoggedControl[], from: CheckpointInfo, runId: string, ownControls: readonly LoggedControl[] = []): TrainJob {
  if (parentLog.length < from.controlsApplied) throw new ForkUnavailable(`the parent's log holds ${parentLog.length} controls but its checkpoint at step ${from.step} follows ${from.controlsApplied}: wait for the rest of its events`);
  const early = ownControls.find((c) => c.step < from.step);
  if (early) throw new ForkUnavailable(`a fork from step ${from.step} cannot take a control at step ${early.step}`);
  return TrainJob.parse({
    ...parent,
    runId,
    parent: { runId: parent.runId, step: from.step },
    controls: [...parentLog.slice(0, from.controlsApplied).map(({ step, control }) => ({ step, control })), ...ownControls],
  });
}

/**
 * The job of a fork that starts by replaying its parent (no checkpoint bytes needed: the parent may have
 * ended, its checkpoints gone with its trainer): `forkedJob`, and in `parent.controlsApplied` where the
 * replay hands over. The engine trains the parent's log silently up to `from.step` and carries on there.
 */
export function replayForkJob(parent: TrainJob, parentLog: readonly LoggedControl[], from: CheckpointInfo, runId: string): TrainJob {
  const job = forkedJob(parent, parentLog, from, runId);
  return { ...job, parent: { runId: parent.runId, step: from.step, controlsApplied: from.controlsApplied } };
}
