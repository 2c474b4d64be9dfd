/**
 * BullMQ sandboxed processor: trains one run in a worker thread of a worker
 * process. Telemetry, events and the result go to the run's Redis stream;
 * controls come in on another, read as they arrive. The run's checkpoints and
 * applied controls are kept in Redis, so a run whose worker dies is resumed
 * by the next worker exactly where its last checkpoint left it, and a worker
 * shutting down hands its runs back. A job whose payload is not a valid run
 * fails for good.
 */
import { UnrecoverableError, WaitingError, type SandboxedJob } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Control } from '../shared/control.schema.ts';
import type { LandscapeRequest } from '../shared/landscape.schema.ts';
import type { GanResult } from '../shared/gan.schema.ts';
import { TrainJob, type RunResult } from '../shared/run.schema.ts';
import { initBackend } from './engine/tf-backend.ts';
import { decodeCheckpoint } from './engine/checkpoint.ts';
import { processGan } from './gan.processor.ts';
import { runTraining } from './engine/training-loop.ts';
import { throttleFrames } from './frame-throttle.ts';
import { logRedisOutages } from '../contract/redis-outage.ts';
import { RunState } from './run-state.ts';
import { SHUTDOWN_REASON } from './shutdown.ts';

/** Least time between two telemetry frames sent through Redis (ms): rooms patch 20 times a second. */
const FRAME_INTERVAL_MS = 50;
/** How long one blocking read of the controls stream waits (ms). */
const CONTROL_BLOCK_MS = 500;

let writer: Redis | undefined;
let reader: Redis | undefined;
function connections(): { writer: Redis; reader: Redis } {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set in the worker thread');
  // maxRetriesPerRequest null: while Redis is away, writes and reads wait for it to come back instead of failing.
  writer ??= logRedisOutages(new Redis(url, { maxRetriesPerRequest: null }), 'run writer');
  reader ??= logRedisOutages(new Redis(url, { maxRetriesPerRequest: null }), 'controls reader'); // blocking reads need a connection of their own
  return { writer, reader };
}

export default async function trainProcessor(job: SandboxedJob, token?: string, signal?: AbortSignal): Promise<RunResult | GanResult> {
  if (job.name === 'gan') {
    await initBackend();
    return processGan(job.data, connections(), signal);
  }
  const parsed = TrainJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid run: ${z.prettifyError(parsed.error)}`);
  await initBackend();
  const conn = connections();
  const runId = parsed.data.runId;
  const state = new RunState(conn.writer, runId);
  const saved = await state.load();
  // Not its first start: its last worker died (BullMQ found the job stalled), failed, or handed it back. A fork's first start is not one.
  if (job.attemptsStarted > 1 || job.stalledCounter > 0) {
    const reason = job.stalledCounter > 0 ? 'training worker crashed' : job.attemptsMade > 0 ? 'training attempt failed' : 'training worker shut down';
    const fromStep = saved.checkpoint ? (saved.checkpointInfo?.step ?? decodeCheckpoint(saved.checkpoint).step) : 0;
    state.recovered({ fromStep, reason }, job.stalledCounter);
  }
  // Resume: everything the run applied before, then what is left of the job's own schedule.
  const scheduledDone = saved.applied.filter((a) => a.source === 'scheduled').length;
  const run: TrainJob = saved.checkpoint
    ? { ...parsed.data, controls: [...saved.applied.map(({ step, control }) => ({ step, control })), ...parsed.data.controls.slice(scheduledDone)] }
    : parsed.data;

  const stop = new AbortController();
  signal?.addEventListener('abort', () => stop.abort(signal.reason));
  const inbox: Control[] = [];
  const landscapes: LandscapeRequest[] = [];
  const streamIds = new WeakMap<Control, string>();
  let running = true;
  const readLoop = (async () => {
    let lastId = saved.applied.filter((a) => a.streamId).at(-1)?.streamId ?? '0';
    while (running) {
      try {
        const r = await RunState.readControls(conn.reader, runId, lastId, CONTROL_BLOCK_MS);
        lastId = r.lastId;
        for (const c of r.controls) {
          streamIds.set(c.control, c.streamId);
          inbox.push(c.control);
        }
        landscapes.push(...r.landscapes);
        if (r.cancelled) stop.abort(new Error('cancelled'));
      } catch {
        await new Promise((res) => setTimeout(res, 200)); // Redis briefly away: keep training, read again soon
      }
    }
  })();
  const frames = throttleFrames((frame) => state.frame(frame), FRAME_INTERVAL_MS);
  try {
    const result = await runTraining(run, {
      signal: stop.signal,
      resumeFrom: saved.checkpoint,
      checkpointOnAbort: true,
      onFrame: frames.push,
      onEvent: (e) => state.event(e),
      onProbe: (p) => state.probe(p),
      pullLandscapeRequests: () => landscapes.splice(0),
      onLandscape: (l) => state.landscape(l),
      pullControls: () => inbox.splice(0),
      onControlApplied: (logged, source) => state.appendApplied({ ...logged, source, ...(streamIds.has(logged.control) ? { streamId: streamIds.get(logged.control)! } : {}) }),
      onCheckpoint: (bytes, step, controlsApplied) => state.saveCheckpoint(bytes, { step, controlsApplied }),
    });
    frames.flush();
    state.done(result);
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
      state.failed('cancelled');
      await state.clear();
      throw new UnrecoverableError('cancelled');
    }
    // Its last attempt: the server hears why on the run's stream (BullMQ's failed event is its fallback).
    if (err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
      state.failed(err instanceof Error ? err.message : String(err));
      await state.flush();
    }
    throw err;
  } finally {
    running = false;
    await readLoop;
  }
}
