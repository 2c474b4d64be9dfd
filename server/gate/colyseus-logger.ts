import { moduleLogger } from '../logger.ts';

const log = moduleLogger('colyseus');

/** The first line of what Colyseus logs (its errors arrive as `error.stack` strings). */
function firstLine(args: unknown[]): string {
  const first = args[0];
  const text = typeof first === 'string' ? first : first instanceof Error ? `${first.name}: ${first.message}` : typeof first;
  return text.split('\n', 1)[0]!.slice(0, 300);
}

/** `ws` errors about what a client sent; `ArenaTransport` logs them once per connection. */
const CLIENT_FRAME_ERROR = /^(?:(?:Range)?Error: )?(?:Invalid WebSocket frame|Max payload size exceeded|RSV[123] must be clear|Invalid opcode|Invalid (?:UTF-8|close code|payload length)|Unsupported WebSocket frame|MASK must be|Control frames must)/;

/**
 * A logger for Colyseus (`new Server({ logger })`) that writes through pino, so
 * nothing Colyseus prints leaves the JSON log, and that keeps errors a client
 * can cause with bad frames at `debug` (the transport already logged them once
 * per connection at `warn`). Anything else Colyseus reports as an error stays an
 * error, with its stack in a field.
 */
export const colyseusLogger = {
  debug: (...args: unknown[]) => log.debug(firstLine(args)),
  trace: (...args: unknown[]) => log.trace(firstLine(args)),
  info: (...args: unknown[]) => log.info(firstLine(args)),
  warn: (...args: unknown[]) => log.warn(firstLine(args)),
  error: (...args: unknown[]) => {
    const line = firstLine(args);
    if (CLIENT_FRAME_ERROR.test(line)) return log.debug(line);
    const first = args[0];
    const stack = typeof first === 'string' ? first.slice(0, 4000) : first instanceof Error ? first.stack : undefined;
    log.error({ stack }, line);
  },
};
