/**
 * BullMQ sandboxed processor: trains one run in a worker thread of a worker
 * process. Telemetry goes out as job progress; the result is the job's return
 * value. A job whose payload is not a valid run fails for good.
 */
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { Control } from '../shared/control.schema.ts';
import { cancelKey, controlsKey } from '../shared/redis-keys.ts';
import { TrainJob, type RunResult } from '../shared/run.schema.ts';
import { initBackend } from './engine/tf-backend.ts';
import { runTraining } from './engine/run-training.ts';
import { throttleFrames } from './frame-throttle.ts';

/** Least time between two telemetry frames sent through Redis (ms). */
const FRAME_INTERVAL_MS = 50;
/** How often a running job looks for controls and a cancel request (ms). */
const POLL_MS = 100;

let redis: Redis | undefined;
/** Polls Redis for a cancel request and for controls sent to this run. */
function watchRun(runId: string, controller: AbortController, inbox: Control[]): () => void {
  const url = process.env.REDIS_URL;
  if (!url) return () => {};
  redis ??= new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  const client = redis;
  const timer = setInterval(() => {
    client
      .multi()
      .exists(cancelKey(runId))
      .lrange(controlsKey(runId), 0, -1)
      .del(controlsKey(runId))
      .exec()
      .then(
        (replies) => {
          if (Number(replies?.[0]?.[1]) > 0) controller.abort(new Error('cancelled'));
          for (const raw of (replies?.[1]?.[1] as string[] | undefined) ?? []) {
            const parsed = Control.safeParse(JSON.parse(raw));
            if (parsed.success) inbox.push(parsed.data);
          }
        },
        () => {}, // Redis briefly away: keep training, look again next time
      );
  }, POLL_MS);
  return () => clearInterval(timer);
}

export default async function trainProcessor(job: SandboxedJob): Promise<RunResult> {
  const parsed = TrainJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid run: ${z.prettifyError(parsed.error)}`);
  const run = parsed.data;
  await initBackend();
  const controller = new AbortController();
  const inbox: Control[] = [];
  const stopWatching = watchRun(run.runId, controller, inbox);
  const frames = throttleFrames((frame) => void job.updateProgress(frame), FRAME_INTERVAL_MS);
  try {
    const result = await runTraining(run, { onFrame: frames.push, signal: controller.signal, pullControls: () => inbox.splice(0) });
    frames.flush();
    return result;
  } catch (err) {
    if (controller.signal.aborted) throw new UnrecoverableError('cancelled');
    throw err;
  } finally {
    stopWatching();
  }
}
