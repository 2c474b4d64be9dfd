import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

/** The header a request id comes in and goes back out in. */
export const REQUEST_ID_HEADER = 'X-Request-Id';
/** An incoming id is kept only when it is short and made of these characters (a UUID, a hex or base64 id). */
const SAFE_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;
/** Paths that are asked often by machines: their lines go out at `debug`, not `info`. */
const QUIET_PATHS = new Set(['/health', '/metrics']);
/**
 * Colyseus answers a matchmaking request it cannot serve with its own 52x codes: no such room type (520), bad
 * criteria (521), no such room (522), an expired seat (524), a refused token (525). These are the client's
 * mistakes, not the server's; 523 (the room threw) and 526 (application error) stay errors.
 */
const CLIENT_MATCHMAKE_CODES = new Set([520, 521, 522, 524, 525]);
const serverFault = (status: number): boolean => status >= 500 && !CLIENT_MATCHMAKE_CODES.has(status);
/** Query parameters that carry secrets (the admin login's `?token=`), never written to the log. */
const SECRET_PARAMS = /([?&]token=)[^&#]*/gi;

/** The request's id: the caller's `X-Request-Id` when short and safe, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
}

/** The client's address: Express's `req.ip` (after TRUST_PROXY) when Express handled the request, else the peer's. */
function clientIp(req: IncomingMessage): string | undefined {
  return (req as { ip?: string }).ip ?? req.socket.remoteAddress;
}

function pathOf(req: IncomingMessage): string {
  return ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/').split('?')[0]!;
}

/**
 * One log line per HTTP request, when its response is finished: `reqId`, `req.method`, `req.url` (with secrets
 * such as `?token=` blanked), `res.statusCode`, `responseTime` in ms and the client's address `ip` (after
 * TRUST_PROXY, for requests Express handled). Lines go out at `info`; `warn` for 429 and for a connection that
 * failed mid-answer; `error` for a 5xx (but not Colyseus's 52x answers to a client's matchmaking mistakes);
 * `debug` for /health and /metrics. The id is set on `req.id`, answered in `X-Request-Id`, and bound into `req.log`, so
 * a handler's own lines (the error middleware's) carry it too.
 *
 * @param logger the `http` module's logger
 */
export function requestLog(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage) => ({ method: req.method, url: (req.url ?? '').replace(SECRET_PARAMS, '$1…') }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    genReqId: (req, res) => {
      const id = requestIdOf(req);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customLogLevel: (req, res, err) => {
      if (serverFault(res.statusCode)) return 'error';
      if (err || res.statusCode === 429) return 'warn'; // err: the connection failed mid-answer
      return QUIET_PATHS.has(pathOf(req)) ? 'debug' : 'info';
    },
    customErrorMessage: (_req, res) => (serverFault(res.statusCode) ? 'request failed' : 'request completed'),
    customSuccessObject: (req, _res, value) => ({ ...value, ip: clientIp(req) }),
    // pino-http adds a made-up Error (with a stack) for any 5xx: the request line keeps only its facts, and a
    // real error is logged with its stack by the error handler, under the same reqId.
    customErrorObject: (req, _res, _err, value) => {
      const { err: _made, ...facts } = value as Record<string, unknown>;
      return { ...facts, ip: clientIp(req) };
    },
  });
}
