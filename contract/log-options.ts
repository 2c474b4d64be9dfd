import { z } from 'zod';

/** pino's levels, most to least severe, and `silent`. */
export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
export type LogLevel = z.infer<typeof LogLevel>;

/** What a process's root logger is made from: its level and the fields every line carries. */
export interface LogOptions {
  level: LogLevel;
  base: { service: string; pid: number };
}

/**
 * Options for the root logger of the server or a worker process. The level comes from LOG_LEVEL
 * (default `info`); under a test runner (NODE_ENV=test or VITEST set) it is `silent` unless LOG_LEVEL
 * says otherwise. A bad LOG_LEVEL throws with a message that names it.
 */
export function logOptions(service: string, env: Record<string, string | undefined> = process.env): LogOptions {
  const testing = env.NODE_ENV === 'test' || Boolean(env.VITEST);
  const given = env.LOG_LEVEL?.trim();
  const parsed = LogLevel.safeParse(given || (testing ? 'silent' : 'info'));
  if (!parsed.success) throw new Error(`bad configuration: LOG_LEVEL must be one of ${LogLevel.options.join(', ')} (got "${given}")`);
  return { level: parsed.data, base: { service, pid: process.pid } };
}
