/** The part of an ioredis connection that `logRedisOutages` needs (contract/ imports no client library). */
interface RedisEvents {
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * Reports a Redis connection going away once, and its return once, instead
 * of an "[ioredis] Unhandled error event" line for every reconnect attempt.
 * ioredis keeps retrying (and, with `maxRetriesPerRequest: null`, keeps
 * commands queued) meanwhile; this only listens.
 */
export function logRedisOutages<T extends RedisEvents>(conn: T, name: string, log: (line: string) => void = (l) => console.error(l)): T {
  let down = false;
  conn.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log(`${name}: Redis unreachable (${err.message}); retrying`);
  });
  conn.on('ready', () => {
    if (!down) return;
    down = false;
    log(`${name}: Redis is back`);
  });
  return conn;
}

/** Whether an error only says Redis cannot be reached right now (the connection retries by itself). */
export function isRedisUnreachable(err: Error): boolean {
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|Connection is closed|Socket closed unexpectedly/.test(err.message);
}
