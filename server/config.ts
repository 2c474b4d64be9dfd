import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_QUEUE } from '../shared/redis-keys.ts';

/** The server's settings, read from the environment and checked at start-up. */
export const ServerConfig = z.object({
  /** HTTP and WebSocket port (default 2567). */
  PORT: z.coerce.number().int().min(0).max(65535).default(2567),
  /** Postgres connection string; without it, PGlite in DATA_DIR. */
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL').optional(),
  /** Redis connection string; without it, training runs in worker threads of this process. */
  REDIS_URL: z.string().url('REDIS_URL must be a redis:// URL').optional(),
  /** Folder of the embedded database (default ./data/pglite). */
  DATA_DIR: z.string().default(path.join('data', 'pglite')),
  /** BullMQ queue of training runs (default arena-train). */
  ARENA_QUEUE: z.string().min(1).default(DEFAULT_QUEUE),
  /** Training threads of the embedded trainer (default: one per core). */
  TRAINER_THREADS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
  /** Folder of the built client (default dist/client). */
  CLIENT_DIR: z.string().default(path.join('dist', 'client')),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

/** Parses settings; a bad value stops start-up with a message naming it. */
export function readConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ServerConfig.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(`bad configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
