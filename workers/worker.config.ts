import { z } from 'zod';
import type { WorkerOptions } from 'bullmq';
import { DEFAULT_QUEUE } from '../contract/redis-keys.ts';

/**
 * A worker process's settings, read from the environment and checked at start-up.
 *
 * How soon a dead worker's runs go on elsewhere: its runs' locks lapse at most `WORKER_LOCK_MS`
 * after it died (BullMQ renews them every half of it), and a live worker finds them at its next
 * stalled check (every `WORKER_STALLED_INTERVAL_MS`). The server tells the runs' players as soon as
 * BullMQ moves them, so the defaults (3 s + 1 s) keep that under 5 s. Shorter locks notice sooner
 * but risk a run being taken from a worker that only paused (a run trains in a sandboxed thread,
 * so a worker's own event loop stays free to renew them).
 */
export const WorkerConfig = z
  .object({
    REDIS_URL: z.string().url('REDIS_URL must be a redis:// URL'),
    ARENA_QUEUE: z.string().min(1).default(DEFAULT_QUEUE),
    /** Runs trained at once (default: one per core; one per GPU on tfjs-node-gpu). */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
    /** How long a run's lock lasts without being renewed (ms, default 3000): how long a run may go unheard of before another worker takes it over. */
    WORKER_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(3000),
    /** How often this worker looks for runs whose worker died (ms, default 1000). */
    WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(200).max(600_000).default(1000),
    /** How many times a run may lose its worker and still be resumed; the next loss fails it (default 2). */
    WORKER_MAX_STALLED: z.coerce.number().int().min(0).max(100).default(2),
    /** A file the worker rewrites with its heartbeat every 10 s while it reaches Redis (container healthcheck). */
    HEALTH_FILE: z.string().min(1).optional(),
    /** How long a SIGTERM may take to hand the runs back (ms, default 10000). */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  })
  .refine((c) => c.WORKER_STALLED_INTERVAL_MS <= c.WORKER_LOCK_MS, {
    path: ['WORKER_STALLED_INTERVAL_MS'],
    message: 'WORKER_STALLED_INTERVAL_MS must not be longer than WORKER_LOCK_MS (a dead worker would be noticed later than its lock lapses)',
  });
export type WorkerConfig = z.infer<typeof WorkerConfig>;

/** The settings as read from `env` (empty values count as unset), or why they are wrong. */
export function readWorkerConfig(env: NodeJS.ProcessEnv): ReturnType<typeof WorkerConfig.safeParse> {
  return WorkerConfig.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
}

/** BullMQ's lock and stall settings from the worker's. */
export function stallOptions(c: WorkerConfig): Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> {
  return { lockDuration: c.WORKER_LOCK_MS, stalledInterval: c.WORKER_STALLED_INTERVAL_MS, maxStalledCount: c.WORKER_MAX_STALLED };
}
