/**
 * Words for anything a command may throw, so that `arena <command>: …` never ends empty. Libraries do throw
 * errors without a message: @colyseus/sdk rejects a join whose WebSocket failed before it opened with
 * `MatchMakeError('')` (it passes on the error event's missing `code` and `reason`), and a fetch that fails says
 * only "fetch failed" and keeps the reason in its `cause`.
 */

/** Longest description printed: what a server sent is untrusted and is not echoed without a bound. */
export const MAX_DESCRIPTION = 1000;

/** Deepest `cause` chain followed. */
const MAX_CAUSES = 4;

/**
 * WebSocket close codes by name: the standard ones (RFC 6455) and Colyseus's (`CloseCode` of
 * @colyseus/shared-types 0.18, which a test checks this table against).
 */
export const CLOSE_CODES: Readonly<Record<number, string>> = {
  1000: 'normal closure',
  1001: 'going away',
  1005: 'no status received',
  1006: 'abnormal closure: the connection dropped without a close frame',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'internal error',
  4000: 'left by consent',
  4001: 'the server is shutting down',
  4002: 'closed with an error',
  4003: 'failed to reconnect',
  4010: 'may try to reconnect',
};

/** Colyseus matchmaking error codes (`ErrorCode` of @colyseus/shared-types 0.18) by name. */
const MATCHMAKE_CODES: Readonly<Record<number, string>> = {
  520: 'no such room type',
  521: 'invalid criteria',
  522: 'no such room',
  523: 'unhandled matchmaking error',
  524: 'the seat reservation expired',
  525: 'authentication failed',
  526: 'the application refused it',
  4217: 'invalid payload',
};

/** What a `code` says: an HTTP status, a WebSocket close code, a matchmaking code or an errno such as ECONNREFUSED. */
function describeCode(code: unknown): string | undefined {
  if (typeof code === 'string' && code) return code;
  if (typeof code !== 'number' || !Number.isFinite(code)) return undefined;
  if (MATCHMAKE_CODES[code]) return `matchmaking error ${code}: ${MATCHMAKE_CODES[code]}`;
  if (code >= 1000 && code <= 4999) return `WebSocket closed with code ${code}${CLOSE_CODES[code] ? ` (${CLOSE_CODES[code]})` : ''}`;
  if (code >= 100 && code <= 599) return `the server answered ${code}`;
  return `code ${code}`;
}

/** One error's own words, without its cause. */
function describeOne(err: unknown): string {
  if (err === undefined || err === null) return `${String(err)} was thrown, with no reason`;
  if (typeof err === 'string') return err.trim() || 'an empty string was thrown';
  if (typeof err !== 'object') return String(err);
  const e = err as { name?: unknown; message?: unknown; code?: unknown; reason?: unknown; errors?: unknown };
  const message = typeof e.message === 'string' ? e.message.trim() : '';
  const code = describeCode(e.code);
  const reason = typeof e.reason === 'string' ? e.reason.trim() : '';
  if (err instanceof AggregateError && Array.isArray(e.errors) && e.errors.length > 0) {
    return `${message || 'several errors'}: ${e.errors.slice(0, 3).map((x) => describeError(x)).join('; ')}`;
  }
  // a number says something the message may not (which status, which close code); a string code (USAGE,
  // ECONNREFUSED) is a label the message already explains
  if (message) return code && typeof e.code === 'number' && !message.includes(String(e.code)) ? `${message} (${code})` : message;
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : undefined;
  const detail = [code, reason].filter(Boolean).join(': ');
  if (detail) return err instanceof Error && !reason ? `${detail} with no message${name ? ` (${name})` : ''}` : detail;
  if (typeof e.name === 'string' && e.name) return `${e.name} with no message`;
  try {
    const json = JSON.stringify(err);
    if (json && json !== '{}') return json;
  } catch {
    // a cycle or a BigInt: fall through
  }
  return `${Object.prototype.toString.call(err)} with no message`;
}

/**
 * Turns any thrown value into a non-empty sentence: the message, else what its name, `code` (HTTP status,
 * WebSocket close code, matchmaking code, errno) and `reason` say; then the causes it wraps, each once
 * ("fetch failed: connect ECONNREFUSED 127.0.0.1:1"). At most MAX_DESCRIPTION characters.
 */
export function describeError(err: unknown): string {
  const parts: string[] = [describeOne(err)];
  let cause = err instanceof Error ? err.cause : undefined;
  for (let i = 0; i < MAX_CAUSES && cause !== undefined && cause !== null; i++) {
    const words = describeOne(cause);
    const saysNothing = words.endsWith(' with no message'); // the outer error already said more
    if (!saysNothing && !parts.some((p) => p.includes(words))) parts.push(words);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const text = parts.join(': ');
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}
