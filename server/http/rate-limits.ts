import type express from 'express';
import { rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { ADMIN_COOKIE } from '../ops/admin-auth.ts';
import { describeWindow, type RateLimit } from './rate-limit-setting.ts';

/** The limits the HTTP edge applies, per client address; `undefined` turns one off. */
export interface HttpLimits {
  /** POST /api/guests: guest accounts made or renamed. */
  guests: RateLimit | undefined;
  /** Writes to /api/designs: designs saved, renamed or deleted. */
  designWrites?: RateLimit | undefined;
  /** Writes to /api/passkeys: passkeys registered, used to sign in, or removed (every request but GET). */
  passkeyWrites?: RateLimit | undefined;
  /** Every other /api request: reads, and token refreshes (POST /api/guests/refresh). */
  apiReads: RateLimit | undefined;
  /** /admin (and /metrics when it asks for the admin token): failed logins. */
  adminLogin: RateLimit | undefined;
}

/** Where the counts live. */
export interface RateLimitStoreOptions {
  /** With Redis the counts are shared by every server on it (under `prefix`); without, each process counts its own. */
  redis: Redis | undefined;
  /** Prefix of the Redis keys, e.g. `arena:ratelimit:arena-train:`; each limit adds its name. */
  prefix: string;
  logger: Logger;
}

/** How long a count may wait for Redis before its request passes uncounted, in ms. */
const REDIS_COUNT_TIMEOUT_MS = 500;
/** At most one line per limit in this long about a failing store (Redis away), in ms. */
const STORE_ERROR_LOG_INTERVAL_MS = 10_000;

/** Rejects when `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * rate-limit-redis on the server's Redis connection, but a count never waits for Redis: while the connection is
 * down, or Redis is slower than `REDIS_COUNT_TIMEOUT_MS`, the count fails and its request passes uncounted
 * (`passOnStoreError`) instead of hanging the API with it. Script loads still wait for the connection, so a
 * server that starts before Redis counts once Redis is there.
 */
class FailFastRedisStore extends RedisStore {
  private readonly redis: Redis;

  constructor(redis: Redis, prefix: string) {
    super({ prefix, sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply> });
    this.redis = redis;
  }

  override async increment(key: string): Promise<IncrementResponse> {
    if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
    return within(super.increment(key), REDIS_COUNT_TIMEOUT_MS, 'Redis');
  }

  override async decrement(key: string): Promise<void> {
    if (this.redis.status !== 'ready') return; // the count it would undo was never made
    await within(super.decrement(key), REDIS_COUNT_TIMEOUT_MS, 'Redis');
  }
}

/** express-rate-limit's logger: its complaints at `warn`, without stacks, at most one per interval per limit. */
function limiterLogger(log: Logger, name: string): { error: (err: unknown, message?: string) => void; warn: (err: unknown, message?: string) => void } {
  let last = 0;
  let suppressed = 0;
  const say = (err: unknown, message?: string) => {
    const now = Date.now();
    if (now - last < STORE_ERROR_LOG_INTERVAL_MS) {
      suppressed++;
      return;
    }
    log.warn({ limit: name, reason: err instanceof Error ? err.message : String(err), suppressed }, message ?? 'rate limit problem');
    last = now;
    suppressed = 0;
  };
  return { error: say, warn: say };
}

/** Redis keys of the rate limits of the servers that share `queue` (ARENA_QUEUE) on one Redis. */
export function rateLimitPrefix(queue: string): string {
  return `arena:ratelimit:${queue}:`;
}

/** The seconds until `req`'s window ends, at least 1. */
function secondsLeft(req: express.Request, windowMs: number): number {
  const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  const ms = reset ? reset.getTime() - Date.now() : windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * One limit as Express middleware. A refused request gets 429, `Retry-After` in seconds and the API's error
 * shape, `{"error":{"code":"RATE_LIMITED","message":"<what>: try again in N s"}}`; every counted response carries
 * the draft-8 `RateLimit` and `RateLimit-Policy` headers. When the store fails (Redis away or slow) requests
 * pass uncounted: a limit protects the server, it must not take the API down with it.
 *
 * @param name names the limit in Redis keys and the policy header (`guests`, `api-reads`, `admin-login`)
 * @param what says in words what was too much, e.g. "too many guest accounts made from your address"
 */
export function rateLimiter(
  name: string,
  setting: RateLimit,
  what: string,
  store: RateLimitStoreOptions,
  options: Partial<Pick<Options, 'skip' | 'skipSuccessfulRequests' | 'requestWasSuccessful'>> = {},
): express.RequestHandler {
  const redis = store.redis;
  const redisStore: Store | undefined = redis
    ? new FailFastRedisStore(redis, `${store.prefix}${name}:`)
    : undefined;
  return rateLimit({
    windowMs: setting.windowMs,
    limit: setting.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: name,
    passOnStoreError: true,
    logger: limiterLogger(store.logger, name),
    ...(redisStore ? { store: redisStore } : {}),
    ...options,
    handler: (req, res) => {
      const seconds = secondsLeft(req, setting.windowMs);
      res.set('Retry-After', String(seconds));
      res.status(429).json({
        error: { code: 'RATE_LIMITED', message: `${what} (at most ${setting.limit} in ${describeWindow(setting.windowMs)}): try again in ${seconds} s` },
      });
    },
  });
}

/** True when a request brings an admin credential: a bearer token, `?token=` or the admin cookie. */
function bringsAdminCredential(req: express.Request): boolean {
  return Boolean(req.headers.authorization) || req.query.token !== undefined || (req.headers.cookie ?? '').includes(`${ADMIN_COOKIE}=`);
}

/**
 * Mounts the HTTP limits on `app`, before the routes they guard: guest creation and renames, design writes, passkey
 * writes (registrations, sign-ins, removals), every other
 * request under /api (reads and token refreshes; /health, /metrics and the page are not under it), and failed
 * admin logins. An admin login counts only
 * when it brings a credential and is refused (401), so a right token (or the cookie it gave) is never held back by
 * its own use, and after too many wrong ones even the right token waits for the window to end.
 *
 * @param adminPaths the paths that take the admin token (`/admin`, and `/metrics` with METRICS_AUTH=admin)
 */
export function mountRateLimits(app: express.Application, limits: HttpLimits, store: RateLimitStoreOptions, adminPaths: string[]): void {
  if (limits.guests) app.post('/api/guests', rateLimiter('guests', limits.guests, 'too many guest accounts made or renamed from your address', store));
  if (limits.designWrites) {
    const designWrites = rateLimiter('design-writes', limits.designWrites, 'too many designs saved, renamed or deleted from your address', store, { skip: (req) => req.method === 'GET' });
    app.use('/api/designs', designWrites);
  }
  if (limits.passkeyWrites) {
    const passkeyWrites = rateLimiter('passkey-writes', limits.passkeyWrites, 'too many passkeys registered, used to sign in or removed from your address', store, { skip: (req) => req.method === 'GET' || req.method === 'OPTIONS' });
    app.use('/api/passkeys', passkeyWrites);
  }
  if (limits.apiReads) {
    const reads = rateLimiter('api-reads', limits.apiReads, 'too many API requests from your address', store, {
      // counted by the guests, design-writes and passkey-writes limits
      skip: (req) =>
        (req.method === 'POST' && req.path === '/guests') ||
        (limits.designWrites !== undefined && req.method !== 'GET' && req.path.startsWith('/designs/')) ||
        (limits.passkeyWrites !== undefined && req.method !== 'GET' && req.method !== 'OPTIONS' && req.path.startsWith('/passkeys/')),
    });
    app.use('/api', reads);
  }
  if (limits.adminLogin && adminPaths.length > 0) {
    const logins = rateLimiter('admin-login', limits.adminLogin, 'too many failed admin logins from your address', store, {
      skip: (req) => !bringsAdminCredential(req),
      skipSuccessfulRequests: true,
      // only a refused credential (401) is a failed login; a page's own 404 is not
      requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    });
    for (const p of adminPaths) app.use(p, logins);
  }
}
