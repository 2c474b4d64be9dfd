/**
 * `npm run worker`: a worker process that takes runs from the BullMQ queue and
 * trains them in sandboxed worker threads.
 *
 * Environment: REDIS_URL (required), ARENA_QUEUE (default arena-train),
 * WORKER_CONCURRENCY (default: one per core; one per GPU on tfjs-node-gpu), WORKER_LOCK_MS (default 30000:
 * how long a run may go unheard of before another worker takes it over).
 *
 * SIGTERM: stop taking runs, checkpoint the ones in hand and put them back on
 * the queue, then exit. A worker that dies instead loses nothing either: its
 * runs' locks expire and another worker resumes them from their checkpoints.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { DEFAULT_QUEUE, workerHeartbeatKey } from '../shared/redis-keys.ts';
import { defaultConcurrency, gpuCount } from './concurrency.ts';
import { initBackend } from './engine/tf-backend.ts';
import { moduleLogger } from './logger.ts';
import { SHUTDOWN_REASON } from './shutdown.ts';

const Env = z.object({
  REDIS_URL: z.string().url('REDIS_URL must be a redis:// URL'),
  ARENA_QUEUE: z.string().min(1).default(DEFAULT_QUEUE),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
});
const log = moduleLogger('main');
const envResult = Env.safeParse(process.env);
if (!envResult.success) {
  log.fatal(`bad environment\n${z.prettifyError(envResult.error)}`);
  process.exit(1);
}
const env = envResult.data;

const backend = await initBackend();
const concurrency = env.WORKER_CONCURRENCY ?? defaultConcurrency(backend, availableParallelism(), backend === 'tfjs-node-gpu' ? gpuCount() : 0);
const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const processorFile = fileURLToPath(new URL('./train.processor.ts', import.meta.url));

const worker = new Worker(env.ARENA_QUEUE, processorFile, {
  connection: redis,
  concurrency,
  useWorkerThreads: true,
  lockDuration: env.WORKER_LOCK_MS,
  stalledInterval: Math.max(500, Math.round(env.WORKER_LOCK_MS / 2)),
});
worker.on('error', (err) => log.error({ err }, 'worker error'));
worker.on('failed', (job, err) => log.error({ runId: job?.id, err }, 'run failed'));

const beat = () =>
  redis
    .set(workerHeartbeatKey(workerId), JSON.stringify({ backend, concurrency, pid: process.pid }), 'EX', 30)
    .catch(() => {});
await beat();
const heartbeat = setInterval(beat, 10_000);
log.info({ worker: workerId, queue: env.ARENA_QUEUE, backend, concurrency }, 'worker ready');

async function shutdown(signal: string): Promise<void> {
  log.info({ signal }, 'handing runs back');
  clearInterval(heartbeat);
  const closing = worker.close(); // stop taking runs first
  worker.cancelAllJobs(SHUTDOWN_REASON);
  await closing;
  await redis.del(workerHeartbeatKey(workerId)).catch(() => {});
  redis.disconnect();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
