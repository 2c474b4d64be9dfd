import { pino, type Logger } from 'pino';
import { logOptions } from '../contract/log-options.ts';

/**
 * The server's root logger: one JSON line per record on stdout (pipe it through `npx pino-pretty` to read it
 * by eye). Level from LOG_LEVEL (default info; silent under tests unless LOG_LEVEL is set).
 */
export const logger: Logger = pino(logOptions('server'));

/** A child logger whose lines carry `module`, e.g. `moduleLogger('race')`. */
export function moduleLogger(module: string): Logger {
  return logger.child({ module });
}
