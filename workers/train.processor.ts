/**
 * BullMQ sandboxed processor: trains one run in a worker thread of a worker
 * process. Telemetry goes out as job progress; the result is the job's return
 * value. The run's checkpoints and applied controls are kept in Redis, so a
 * run whose worker dies is resumed by the next worker exactly where its last
 * checkpoint left it, and a worker shutting down hands its runs back.
 * A job whose payload is not a valid run fails for good.
 */
import { UnrecoverableError, WaitingError, type SandboxedJob } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Control } from '../shared/control.schema.ts';
import { TrainJob, type RunResult } from '../shared/run.schema.ts';
import { initBackend } from './engine/tf-backend.ts';
import { runTraining } from './engine/run-training.ts';
import { throttleFrames } from './frame-throttle.ts';
import { RunState } from './run-state.ts';
import { SHUTDOWN_REASON } from './shutdown.ts';

/** Least time between two telemetry frames sent through Redis (ms). */
const FRAME_INTERVAL_MS = 50;
/** How often a running job looks for controls and a cancel request (ms). */
const POLL_MS = 50;

let redis: Redis | undefined;
function connection(): Redis {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set in the worker thread');
  redis ??= new Redis(url, { maxRetriesPerRequest: null });
  return redis;
}

export default async function trainProcessor(job: SandboxedJob, token?: string, signal?: AbortSignal): Promise<RunResult> {
  const parsed = TrainJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid run: ${z.prettifyError(parsed.error)}`);
  await initBackend();
  const state = new RunState(connection(), parsed.data.runId);
  const saved = await state.load();
  // Resume: everything the run applied before, then what is left of the job's own schedule.
  const scheduledDone = saved.applied.filter((a) => a.source === 'scheduled').length;
  const run: TrainJob = saved.checkpoint
    ? { ...parsed.data, controls: [...saved.applied.map(({ step, control }) => ({ step, control })), ...parsed.data.controls.slice(scheduledDone)] }
    : parsed.data;
  let liveRead = saved.applied.filter((a) => a.source === 'live').length;

  const stop = new AbortController();
  signal?.addEventListener('abort', () => stop.abort(signal.reason));
  const inbox: Control[] = [];
  const poller = setInterval(() => {
    state.poll(liveRead).then(
      (p) => {
        liveRead += p.read;
        inbox.push(...p.controls);
        if (p.cancelled) stop.abort(new Error('cancelled'));
      },
      () => {}, // Redis briefly away: keep training, look again next time
    );
  }, POLL_MS);
  const frames = throttleFrames((frame) => void job.updateProgress(frame), FRAME_INTERVAL_MS);
  try {
    const result = await runTraining(run, {
      signal: stop.signal,
      resumeFrom: saved.checkpoint,
      checkpointOnAbort: true,
      onFrame: frames.push,
      pullControls: () => inbox.splice(0),
      onControlApplied: (logged, source) => state.appendApplied({ ...logged, source }),
      onCheckpoint: (bytes) => state.saveCheckpoint(bytes),
    });
    frames.flush();
    await state.clear();
    return result;
  } catch (err) {
    await state.flush();
    if (stop.signal.reason === SHUTDOWN_REASON) {
      // Hand the run back: the next worker resumes it from the checkpoint just saved.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (stop.signal.aborted) {
      await state.clear();
      throw new UnrecoverableError('cancelled');
    }
    throw err;
  } finally {
    clearInterval(poller);
  }
}
