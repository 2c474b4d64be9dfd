/**
 * Whether an error from a query only says the database cannot be reached right now (down, restarting,
 * the connection cut mid-transaction), so the same write is worth trying again later, rather than a
 * statement the database refused. Postgres's class 08 (connection exception) and 57P01–57P03 (shut down,
 * starting up), the socket errors `pg` passes on, and its messages for a connection that broke.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (/^08/.test(code) || /^57P0[123]$/.test(code) || SOCKET_CODES.has(code))) return true;
    const message = e instanceof Error ? e.message : '';
    if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)/i.test(message)) return true;
    // Node reports a refused connection to a host with several addresses as an AggregateError of them.
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnreachable(inner))) return true;
  }
  return false;
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** A short, player-safe reason for a result that waits: never the error's own text. */
export const DATABASE_UNREACHABLE = 'the database is unreachable';
