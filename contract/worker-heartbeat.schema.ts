import { z } from 'zod';

/**
 * What a worker process says about itself every 10 s (Redis key `workerHeartbeatKey`, and its
 * HEALTH_FILE when it has one); the server's /health reports the workers' backends from it.
 */
export const WorkerHeartbeat = z.object({
  /** The TensorFlow.js backend that loaded. */
  backend: z.string(),
  /** The backend TF_BACKEND asked for, or `auto` (the best that loads). */
  wanted: z.string().optional(),
  /** Something wrong with that backend, in words (a GPU backend that found no GPU); /health is `degraded` while one is reported. */
  problem: z.string().optional(),
  concurrency: z.number(),
  pid: z.number(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;

/**
 * How the trainer's backend description (`Trainer.backend()`, /health's `tfBackend`) begins while a
 * worker reports a problem; /health's status is then `degraded`.
 */
export const BACKEND_DEGRADED = 'degraded: ';
