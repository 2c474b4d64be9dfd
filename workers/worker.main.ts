/**
 * `npm run worker`: a worker process that takes runs from the BullMQ queue and
 * trains them in sandboxed worker threads.
 *
 * Environment: REDIS_URL (required), ARENA_QUEUE (default arena-train),
 * WORKER_CONCURRENCY (default: one per core; one per GPU on tfjs-node-gpu), WORKER_LOCK_MS (default 3000:
 * how long a run may go unheard of before another worker takes it over), WORKER_STALLED_INTERVAL_MS (default
 * 1000: how often this worker looks for runs whose worker died), WORKER_MAX_STALLED (default 2: losses a run
 * survives; see worker.config.ts), TF_BACKEND (default: the best that
 * loads; a backend asked for that does not load stops the worker), HEALTH_FILE (default none: a file the
 * worker rewrites with its heartbeat every 10 s while it reaches Redis, for a container healthcheck),
 * SHUTDOWN_TIMEOUT_MS (default 10000).
 *
 * SIGTERM or SIGINT: stop taking runs, checkpoint the ones in hand and put them back on
 * the queue, then exit; past SHUTDOWN_TIMEOUT_MS it exits anyway. A worker that dies instead loses
 * nothing either: its runs' locks expire and another worker resumes them from their checkpoints.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { workerHeartbeatKey } from '../contract/redis-keys.ts';
import type { WorkerHeartbeat } from '../contract/worker-heartbeat.schema.ts';
import { defaultConcurrency, gpuCount } from './concurrency.ts';
import { backendProblem, initBackend, type BackendChoice } from './engine/tf-backend.ts';
import { moduleLogger } from './logger.ts';
import { SHUTDOWN_REASON } from './shutdown.ts';
import { readWorkerConfig, stallOptions } from './worker.config.ts';

const log = moduleLogger('main');
const envResult = readWorkerConfig(process.env);
if (!envResult.success) {
  log.fatal(`bad environment\n${z.prettifyError(envResult.error)}`);
  process.exit(1);
}
const env = envResult.data;

let backend: BackendChoice;
try {
  backend = await initBackend();
} catch (err) {
  // Loud and early: a worker on a backend nobody asked for would train at another speed, or not at all.
  log.fatal(`${(err as Error).message} (tfjs-node and tfjs-node-gpu are optional dependencies: they install only where libtensorflow downloads)`);
  process.exit(1);
}
const problem = backendProblem(backend);
if (problem) log.warn({ backend, problem }, 'the TensorFlow.js backend is not what it should be: /health reports degraded');
const concurrency = env.WORKER_CONCURRENCY ?? defaultConcurrency(backend, availableParallelism(), backend === 'tfjs-node-gpu' ? gpuCount() : 0);
const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const processorFile = fileURLToPath(new URL('./train.processor.ts', import.meta.url));

const worker = new Worker(env.ARENA_QUEUE, processorFile, {
  connection: redis,
  concurrency,
  useWorkerThreads: true,
  ...stallOptions(env),
});
worker.on('error', (err) => log.error({ err }, 'worker error'));
worker.on('failed', (job, err) => log.error({ runId: job?.id, err }, 'run failed'));

const heartbeat: WorkerHeartbeat = { backend, wanted: process.env.TF_BACKEND || 'auto', ...(problem ? { problem } : {}), concurrency, pid: process.pid };
/** Refreshes the Redis heartbeat and, once Redis took it, the health file: a stale file means no Redis or a stuck process. */
const beat = () =>
  redis
    .set(workerHeartbeatKey(workerId), JSON.stringify(heartbeat), 'EX', 30)
    .then(() => (env.HEALTH_FILE ? writeFile(env.HEALTH_FILE, JSON.stringify({ ...heartbeat, worker: workerId, at: new Date().toISOString() })) : undefined))
    .catch((err) => log.warn({ err }, 'heartbeat failed'));
await beat();
const beating = setInterval(beat, 10_000);
log.info({ worker: workerId, queue: env.ARENA_QUEUE, backend, concurrency }, 'worker ready');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return; // Ctrl-C reaches node twice under npm: from the terminal and forwarded by npm
  stopping = true;
  log.info({ signal, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'handing runs back');
  setTimeout(() => {
    log.error({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, `shutdown took longer than ${env.SHUTDOWN_TIMEOUT_MS} ms: exiting anyway (the runs' locks expire and another worker resumes them)`);
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS).unref();
  clearInterval(beating);
  const closing = worker.close(); // stop taking runs first
  worker.cancelAllJobs(SHUTDOWN_REASON);
  await closing;
  await redis.del(workerHeartbeatKey(workerId)).catch(() => {});
  if (env.HEALTH_FILE) await rm(env.HEALTH_FILE, { force: true });
  redis.disconnect();
  log.info('worker stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
