/**
 * `npm run worker` processes for integration tests: each on the test's own
 * queue (and Redis), with its output kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const WORKER = fileURLToPath(new URL('../../workers/worker.main.ts', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  log(): string;
  /** SIGKILL unless it has exited; resolves once it has. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a worker process on `queue` at `redisUrl`; extra environment (WORKER_CONCURRENCY, WORKER_LOCK_MS) in `env`. */
export function startWorkerProcess(redisUrl: string, queue: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, REDIS_URL: redisUrl, ARENA_QUEUE: queue, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = () => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r())));
  return {
    child,
    log: () => out,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited();
    },
  };
}

/** Deletes a test queue's BullMQ keys and the given runs' streams and state. */
export async function cleanupQueue(redis: Redis, queue: string, runIds: Iterable<string> = []): Promise<void> {
  const keys = [...(await redis.keys(`bull:${queue}:*`))];
  for (const id of runIds) keys.push(...(await redis.keys(`arena:run:${id}:*`)));
  if (keys.length) await redis.del(...keys);
}
