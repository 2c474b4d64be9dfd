import type { Control, LoggedControl } from '../../shared/control.schema.ts';
import { MAX_KEPT_CHECKPOINTS } from '../../shared/kept-checkpoints.ts';
import { landscapeFrameOf, type LandscapeFrame, type LandscapeRequest } from '../../shared/landscape.schema.ts';
import type { ProbeFrame, RunEvent, RunResult, TelemetryFrame, TrainJob } from '../../shared/run.schema.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import { ControlError } from './control-error.ts';
import { lossLandscape } from './landscape.ts';
import { probe } from './probes.ts';
import { SliceClock } from './slice-clock.ts';
import { TrainSession } from './training-session.ts';

/** What the owner of a run hears and tells while it trains. */
export interface TrainHooks {
  /** Each light telemetry frame: every `job.frameEverySteps` steps and at the end. */
  onFrame?: (frame: TelemetryFrame) => void;
  /** Each heavy probe: every `job.probeEverySteps` steps, or every `job.probeIntervalMs` when that is 0. */
  onProbe?: (probe: ProbeFrame) => void;
  /** Detector findings and the controls that took effect or were refused. */
  onEvent?: (event: RunEvent) => void;
  /** Each automatic checkpoint, serialised, e.g. to persist it for crash recovery, with the step it is of and how many controls of the run's log it follows (so the bytes need not be decoded to fork or resume from it). */
  onCheckpoint?: (bytes: Uint8Array, step: number, controlsApplied: number) => void;
  /** Live controls that arrived since the last call; applied before the next step. */
  pullControls?: () => Control[];
  /** Resume from this checkpoint (bytes from `onCheckpoint`) instead of the start. */
  resumeFrom?: Uint8Array;
  /** Aborting stops the run between two steps; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the finished session before it is freed (to export the model, say). */
  onFinish?: (session: TrainSession) => void | Promise<void>;
  /** Each control as it takes effect, and whether it came from the job's schedule or live. */
  onControlApplied?: (logged: LoggedControl, source: 'scheduled' | 'live') => void;
  /** When the run is aborted, hand a checkpoint of that moment to `onCheckpoint` first (graceful shutdown). */
  checkpointOnAbort?: boolean;
  /** Loss landscape requests that arrived since the last call; answered between two steps, paused or not, changing nothing. */
  pullLandscapeRequests?: () => LandscapeRequest[];
  /** Each answered landscape request (or why it could not be computed). */
  onLandscape?: (landscape: LandscapeFrame) => void;
}

/** How long a run computes before it lets its thread's event loop breathe (ms). */
const SLICE_MS = 8;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Nothing to pull: one shared empty list, so a step allocates none. */
const NONE: readonly never[] = [];

/**
 * Past the job's `keepCheckpoints`, drops the oldest kept checkpoints but the first and early stopping's best
 * so far (each found in one pass, without sorting), after each checkpoint and each control, so manual
 * checkpoints (a paused run takes no automatic ones) cannot pile up either, and early stopping still comes back
 * to its best however long its patience. A job that names no limit (`keep` undefined) keeps to the rule runs
 * had before: past MAX_KEPT_CHECKPOINTS, one dropped at each automatic checkpoint, the first alone kept.
 */
function forget(session: TrainSession, keep: number | undefined): void {
  const limit = keep ?? MAX_KEPT_CHECKPOINTS;
  const best = keep === undefined ? undefined : session.earlyStopBestStep;
  for (let drops = keep === undefined ? 1 : Infinity; drops > 0 && session.checkpoints.size > limit; drops--) {
    let first = Infinity;
    let second = Infinity;
    for (const step of session.checkpoints.keys()) {
      if (step === best) continue;
      if (step < first) [first, second] = [step, first];
      else if (step < second) second = step;
    }
    // The first is the smallest step of all: with the best left out, `first` is still it unless the best is the first.
    const drop = best !== undefined && best < first ? first : second;
    if (drop === Infinity) return;
    session.forgetCheckpoint(drop);
  }
}

/** How long to wait so the run keeps to `job.paceMs` (at most 100 ms at a time, so controls stay prompt). */
function paceWait(job: TrainJob, spent: number, pace: { start: number; fromSamples: number }): number {
  if (job.paceMs <= 0 || job.budget <= pace.fromSamples) return 0;
  const dueAt = pace.start + ((spent - pace.fromSamples) / (job.budget - pace.fromSamples)) * job.paceMs;
  return Math.min(100, Math.max(0, dueAt - performance.now()));
}

/**
 * Trains a job to the end of its budget (or until it diverges). Controls
 * scheduled in `job.controls` apply at their steps, live ones before the next
 * step; a live pause holds the run until a resume arrives. Between slices of
 * steps the loop yields, so several runs in one thread interleave fairly.
 */
export async function runTraining(job: TrainJob, hooks: TrainHooks = {}): Promise<RunResult> {
  const session = new TrainSession(job);
  const keep = job.keepCheckpoints;
  const emit = () => {
    if (session.hasEvents) for (const e of session.drainEvents()) hooks.onEvent?.(e);
  };
  try {
    let next = 0;
    if (hooks.resumeFrom) {
      const cp = decodeCheckpoint(hooks.resumeFrom);
      session.resumeFrom(cp);
      next = cp.controlsApplied;
    } else if (job.parent?.controlsApplied !== undefined) {
      next = await replayParent(session, job, { step: job.parent.step, controlsApplied: job.parent.controlsApplied }, hooks);
    }
    let paused = false;
    const slice = new SliceClock(SLICE_MS);
    let lastProbe = performance.now();
    let lastProbeStep = -1;
    const probeDue = (): boolean => {
      if (!hooks.onProbe) return false;
      if (job.probeEverySteps > 0) return session.stepCount % job.probeEverySteps === 0;
      if (job.probeIntervalMs > 0 && performance.now() - lastProbe >= job.probeIntervalMs) {
        lastProbe = performance.now();
        return true;
      }
      return false;
    };
    const sendProbe = () => {
      lastProbeStep = session.stepCount;
      hooks.onProbe!(probe(session));
    };
    let lastCheckpointStep = -1;
    const pace = { start: performance.now(), fromSamples: session.samplesSpent };
    while (!session.done) {
      if (hooks.signal?.aborted) {
        if (hooks.checkpointOnAbort) {
          const cp = session.keepCheckpoint();
          hooks.onCheckpoint?.(encodeCheckpoint(cp), cp.step, cp.controlsApplied);
        }
        hooks.signal.throwIfAborted();
      }
      while (next < job.controls.length && job.controls[next]!.step === session.stepCount) {
        const { control } = job.controls[next++]!;
        session.control(control); // a logged control applied once, so it applies again
        if (keep !== undefined) forget(session, keep); // a manual checkpoint counts too (as CheckpointBook counts it)
        hooks.onControlApplied?.(session.log.at(-1)!, 'scheduled');
        // A run resumed after a crash replays its live pause as scheduled: it stays paused until its resume (a finished log has both at one step).
        if (control.type === 'pause') paused = true;
        if (control.type === 'resume') paused = false;
      }
      for (const control of hooks.pullControls?.() ?? NONE) {
        try {
          session.control(control);
          if (keep !== undefined) forget(session, keep);
          hooks.onControlApplied?.(session.log.at(-1)!, 'live');
          if (control.type === 'pause') paused = true;
          if (control.type === 'resume') paused = false;
        } catch (err) {
          if (!(err instanceof ControlError)) throw err;
          session.event('controlRefused', err.message, control);
        }
      }
      for (const request of hooks.pullLandscapeRequests?.() ?? NONE) {
        const at = { runId: job.runId, step: session.stepCount, samples: session.samplesSpent };
        try {
          hooks.onLandscape?.(landscapeFrameOf(at, lossLandscape(session, request)));
        } catch (err) {
          hooks.onLandscape?.({ ...at, error: err instanceof Error ? err.message : String(err) });
        }
      }
      emit();
      if (session.done) break; // stopped by a control (stop, keepBest)
      if (paused) {
        const since = performance.now();
        await sleep(20);
        pace.start += performance.now() - since; // a paced run keeps its pace after a pause instead of catching up in a burst
        continue;
      }
      if (session.stepCount % job.checkpointEverySteps === 0 && session.stepCount !== lastCheckpointStep) {
        lastCheckpointStep = session.stepCount;
        const cp = session.keepCheckpoint();
        forget(session, keep);
        if (session.earlyStop(cp)) {
          hooks.onControlApplied?.(session.log.at(-1)!, 'live');
          emit();
          break;
        }
        hooks.onCheckpoint?.(encodeCheckpoint(cp), cp.step, cp.controlsApplied);
      }
      session.step();
      if (session.done) break;
      if (session.stepCount % job.frameEverySteps === 0) {
        const frame = session.frame(); // always measured: the detectors read every frame
        hooks.onFrame?.(frame);
      }
      if (probeDue()) sendProbe();
      emit();
      const wait = paceWait(job, session.samplesSpent, pace);
      if (wait > 0) {
        await sleep(wait);
        slice.restart();
      } else if (slice.due()) {
        await yieldToEventLoop();
        slice.restart();
      }
    }
    if (!session.diverged) {
      const frame = session.frame();
      hooks.onFrame?.(frame);
      // Someone listening sees the model as it ended, however short the run was next to the probe interval.
      const probing = job.probeEverySteps > 0 || job.probeIntervalMs > 0;
      if (hooks.onProbe && probing && lastProbeStep !== session.stepCount) sendProbe();
    }
    emit();
    const result = session.result();
    await hooks.onFinish?.(session);
    return result;
  } finally {
    session.dispose();
  }
}

/**
 * The steps the rewinds and keep-bests of a log name: the only checkpoints a replay of it needs. Undefined
 * when a keep-best names none (it scores every kept checkpoint, so the replay keeps them as the run did).
 */
function rewindTargets(log: readonly LoggedControl[]): Set<number> | undefined {
  const steps = new Set<number>();
  for (const { control } of log) {
    if (control.type === 'rewind') steps.add(control.toStep);
    else if (control.type === 'keepBest') {
      if (control.toStep === undefined) return undefined;
      steps.add(control.toStep);
    }
  }
  return steps;
}

/**
 * A fork with no checkpoint bytes (see `TrainJob.parent`): trains its parent's log again, exactly as the
 * parent ran it (controls at their steps, a frame measured every `frameEverySteps` steps for the detectors,
 * automatic checkpoints for the log's rewinds), telling nobody but `onControlApplied` (the trainer's copy of
 * the log), until the run stands at `to.step` with `to.controlsApplied` controls applied: where the parent
 * took that checkpoint. Then only that checkpoint is kept, as a fork resumed from its bytes has it. Returns
 * how many of the job's controls have been applied. Throws when the parent's log never gets there.
 */
async function replayParent(session: TrainSession, job: TrainJob, to: { step: number; controlsApplied: number }, hooks: TrainHooks): Promise<number> {
  if (to.controlsApplied > job.controls.length) throw new Error(`the fork's log holds ${job.controls.length} controls, fewer than the ${to.controlsApplied} its parent had applied at step ${to.step}`);
  const needed = rewindTargets(job.controls.slice(0, to.controlsApplied));
  let next = 0;
  let lastCheckpointStep = -1;
  const slice = new SliceClock(SLICE_MS);
  for (;;) {
    hooks.signal?.throwIfAborted();
    while (next < to.controlsApplied && job.controls[next]!.step === session.stepCount) {
      session.control(job.controls[next++]!.control);
      hooks.onControlApplied?.(session.log.at(-1)!, 'scheduled');
    }
    if (session.stepCount === to.step && next === to.controlsApplied) break;
    if (session.done) throw new Error(`the parent's run ended at step ${session.stepCount} without reaching its checkpoint at step ${to.step}`);
    if (session.stepCount % job.checkpointEverySteps === 0 && session.stepCount !== lastCheckpointStep) {
      lastCheckpointStep = session.stepCount;
      const cp = session.keepCheckpoint();
      // Only what the parent's log rewinds to is held, whatever rule the parent kept to (stored runs kept the old one).
      if (needed) for (const step of [...session.checkpoints.keys()]) if (!needed.has(step)) session.forgetCheckpoint(step);
      if (!needed) forget(session, undefined);
      if (session.earlyStop(cp)) throw new Error(`the parent's run stopped early (patience) at step ${cp.step}, before step ${to.step}`);
    }
    session.step();
    if (!session.done && session.stepCount % job.frameEverySteps === 0) session.frame();
    session.drainEvents(); // the parent's, told when it ran
    if (slice.due()) {
      await yieldToEventLoop();
      slice.restart();
    }
    if (session.stepCount > to.step && next === to.controlsApplied) {
      // past the step with every control of the parent's applied: no rewind is left to bring it back
      throw new Error(`the parent's log does not come back to step ${to.step} (at step ${session.stepCount} with ${next} controls applied)`);
    }
  }
  session.drainEvents();
  const cp = session.keepCheckpoint();
  for (const step of [...session.checkpoints.keys()]) if (step !== cp.step) session.forgetCheckpoint(step);
  return next;
}
