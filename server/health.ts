import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** `GET /health`'s answer. */
export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  db: z.enum(['pglite', 'postgres']),
  trainer: z.enum(['local', 'bullmq']),
  tfBackend: z.string(),
  version: z.string(),
  uptimeSec: z.number(),
  /** Finished matches waiting in the results outbox for the database (status is degraded while any do). */
  resultsWaiting: z.number().int().min(0),
});
export type Health = z.infer<typeof Health>;

/** The arena's version, from package.json. */
export const VERSION: string = z
  .object({ version: z.string() })
  .parse(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))).version;
