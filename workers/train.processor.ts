/**
 * BullMQ sandboxed processor: trains one run in a worker thread of a worker
 * process. Telemetry goes out as job progress; the result is the job's return
 * value. A job whose payload is not a valid run fails for good.
 */
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { cancelKey } from '../shared/redis-keys.ts';
import { TrainJob, type RunResult } from '../shared/run.schema.ts';
import { initBackend } from './engine/tf-backend.ts';
import { runTraining } from './engine/run-training.ts';
import { throttleFrames } from './frame-throttle.ts';

/** Least time between two telemetry frames sent through Redis (ms). */
const FRAME_INTERVAL_MS = 50;
/** How often a running job looks for a cancel request (ms). */
const CANCEL_POLL_MS = 250;

let redis: Redis | undefined;
function cancelWatcher(runId: string, controller: AbortController): () => void {
  const url = process.env.REDIS_URL;
  if (!url) return () => {};
  redis ??= new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  const client = redis;
  const timer = setInterval(() => {
    client.exists(cancelKey(runId)).then(
      (n) => n > 0 && controller.abort(new Error('cancelled')),
      () => {}, // Redis briefly away: keep training, look again next time
    );
  }, CANCEL_POLL_MS);
  return () => clearInterval(timer);
}

export default async function trainProcessor(job: SandboxedJob): Promise<RunResult> {
  const parsed = TrainJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid run: ${z.prettifyError(parsed.error)}`);
  const run = parsed.data;
  await initBackend();
  const controller = new AbortController();
  const stopWatching = cancelWatcher(run.runId, controller);
  const frames = throttleFrames((frame) => void job.updateProgress(frame), FRAME_INTERVAL_MS);
  try {
    const result = await runTraining(run, { onFrame: frames.push, signal: controller.signal });
    frames.flush();
    return result;
  } catch (err) {
    if (controller.signal.aborted) throw new UnrecoverableError('cancelled');
    throw err;
  } finally {
    stopWatching();
  }
}
