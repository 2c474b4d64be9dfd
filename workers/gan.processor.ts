/**
 * The GAN half of the BullMQ processor: a job named `gan` trains a generator
 * against a discriminator. Frames and the result go to the run's telemetry
 * stream as trainer wire messages (`ganFrame`, `ganDone`); a cancel request on its controls stream
 * stops it. A GAN run is short and keeps no checkpoints: a worker that dies
 * loses it, and the room reports the failure.
 */
import { UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { GanJob, type GanResult } from '../shared/gan.schema.ts';
import { RUN_STATE_TTL_SEC, TELEMETRY_MAXLEN, telemetryKey } from '../contract/redis-keys.ts';
import type { FromTrainer } from '../contract/trainer.messages.ts';
import { streamFields } from '../contract/trainer.wire.ts';
import { runGan } from './engine/gan.ts';
import { moduleLogger } from './logger.ts';
import { RunState } from './run-state.ts';

/** Trains the GAN job in `data`, publishing to Redis through `writer`; `reader` blocks on the controls stream. */
export async function processGan(data: unknown, conn: { writer: Redis; reader: Redis }, signal?: AbortSignal): Promise<GanResult> {
  const parsed = GanJob.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`invalid GAN run: ${z.prettifyError(parsed.error)}`);
  const job = parsed.data;
  const key = telemetryKey(job.runId);
  let pending: Promise<unknown> = Promise.resolve();
  const publish = (msg: FromTrainer): void => {
    pending = pending
      .then(() => conn.writer.xadd(key, 'MAXLEN', '~', String(TELEMETRY_MAXLEN), '*', ...streamFields(msg)))
      .catch((err: unknown) => moduleLogger('gan').error({ runId: job.runId, err }, 'could not write to Redis'));
  };
  const stop = new AbortController();
  signal?.addEventListener('abort', () => stop.abort(signal.reason));
  let running = true;
  const readLoop = (async () => {
    let lastId = '0';
    while (running) {
      try {
        const r = await RunState.readControls(conn.reader, job.runId, lastId, 500);
        lastId = r.lastId;
        if (r.cancelled) stop.abort(new Error('cancelled'));
      } catch {
        await new Promise((res) => setTimeout(res, 200));
      }
    }
  })();
  try {
    const result = await runGan(job, { signal: stop.signal, onFrame: (frame) => publish({ type: 'ganFrame', frame }) });
    publish({ type: 'ganDone', result });
    pending = pending.then(() => conn.writer.expire(key, RUN_STATE_TTL_SEC));
    await pending;
    return result;
  } catch (err) {
    await pending;
    if (stop.signal.aborted) throw new UnrecoverableError('cancelled');
    throw err;
  } finally {
    running = false;
    await readLoop;
  }
}
