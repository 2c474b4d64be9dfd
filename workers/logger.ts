import { pino, type Logger } from 'pino';
import { logOptions } from '../contract/log-options.ts';

/**
 * A worker process's root logger: JSON lines on stdout, like the server's (see server/logger.ts).
 * Sandboxed processors run in worker threads and get their own instance, which writes to the same stdout.
 */
export const logger: Logger = pino(logOptions('worker'));

/** A child logger whose lines carry `module`. */
export function moduleLogger(module: string): Logger {
  return logger.child({ module });
}
