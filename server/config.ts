import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_QUEUE } from '../contract/redis-keys.ts';
import { CorsOriginsSetting } from './http/cors.ts';
import { RateLimitSetting } from './http/rate-limit-setting.ts';
import { TrustProxySetting } from './http/trust-proxy.ts';
import { WebauthnOriginsSetting, webauthnProblem } from './identity/webauthn-setting.ts';
import { DEFAULT_GATE_LIMITS, type GateLimits } from './gate/message-gate.ts';

/** The server's settings, read from the environment and checked at start-up. */
export const ServerConfig = z.object({
  /** HTTP and WebSocket port (default 2567). */
  PORT: z.coerce.number().int().min(0).max(65535).default(2567),
  /** Postgres connection string; without it, PGlite in DATA_DIR. */
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL').optional(),
  /** Redis connection string; without it, training runs in worker threads of this process. */
  REDIS_URL: z.string().url('REDIS_URL must be a redis:// URL').optional(),
  /** Folder of the embedded database (default ./data/pglite). */
  DATA_DIR: z.string().default(path.join('data', 'pglite')),
  /**
   * Folder where the embedded trainer saves each running run's latest checkpoint and control log, so that
   * runs resume after the server process dies (default: `arena-runs` inside DATA_DIR). Unused with REDIS_URL.
   */
  RUN_STATE_DIR: z.string().min(1).optional(),
  /**
   * Folder of the results outbox (default DATA_DIR/outbox): finished matches that could not be stored while
   * the database was unreachable wait there, on local disk, until they are.
   */
  OUTBOX_DIR: z.string().min(1).optional(),
  /** Longest wait between two tries to store a waiting result, in ms (default 30000; the first retry is after 500 ms, then doubling). */
  OUTBOX_MAX_RETRY_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /**
   * After a restart, how long a running match may take to hear again from every run it trains before it is
   * stored as aborted (no rating or XP moves), in ms (default 120000).
   */
  MATCH_RESUME_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  /** BullMQ queue of training runs (default arena-train). */
  ARENA_QUEUE: z.string().min(1).default(DEFAULT_QUEUE),
  /** Training threads of the embedded trainer (default: one per core). */
  TRAINER_THREADS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
  /**
   * Niceness of the embedded trainer's threads, 0 (as the server's own thread) to 19 (default 10): above 0 the
   * thread that answers HTTP and WebSocket traffic gets the CPU first (workers/thread-priority.ts, Linux only).
   */
  TRAINER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * Secret that signs guest tokens (at least 32 characters). Several servers must share one; without it a
   * single server keeps a random one in SECRET_FILE.
   */
  ARENA_SECRET: z.string().min(32, 'ARENA_SECRET must be at least 32 characters').optional(),
  /**
   * The secret tokens were signed with before ARENA_SECRET was changed (at least 32 characters): tokens it
   * signed are still accepted and refreshed into the current secret, so rotating it signs nobody out.
   */
  ARENA_SECRET_PREVIOUS: z.string().min(32, 'ARENA_SECRET_PREVIOUS must be at least 32 characters').optional(),
  /** How long a guest token lives, in days (default 30); a token used after half its life is renewed. */
  GUEST_TOKEN_TTL_DAYS: z.coerce.number().positive('GUEST_TOKEN_TTL_DAYS must be more than 0').max(3650, 'GUEST_TOKEN_TTL_DAYS must be at most 3650').default(30),
  /** Where a single server keeps its generated secret (default ./data/arena-secret). */
  SECRET_FILE: z.string().default(path.join('data', 'arena-secret')),
  /** Token of the admin pages (/admin/queues, /admin/colyseus; at least 16 characters); without it they are off. */
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  /** Who may read /metrics: `open` (default, for Prometheus scrapers on a private network) or `admin` (ADMIN_TOKEN). */
  METRICS_AUTH: z.enum(['open', 'admin']).default('open'),
  /**
   * host:port where clients reach this process (e.g. arena-1.example.com:2567). Needed when several
   * servers share REDIS_URL: a room lives on one process and its players connect there.
   */
  PUBLIC_ADDRESS: z.string().min(1).optional(),
  /** Messages one connection may send a room in one second; more closes that connection (default 30; every room, the lobby too). */
  ROOM_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_GATE_LIMITS.messagesPerSecond),
  /** Largest WebSocket frame a client may send, in bytes (default 4096); a larger one closes the connection unread. */
  ROOM_MAX_MESSAGE_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(DEFAULT_GATE_LIMITS.maxBytes),
  /** Deepest nesting of a message's payload (default 8). */
  ROOM_MAX_DEPTH: z.coerce.number().int().min(2).max(64).default(DEFAULT_GATE_LIMITS.maxDepth),
  /** Most entries in one array or object of a message (default 256). */
  ROOM_MAX_ITEMS: z.coerce.number().int().min(8).max(100_000).default(DEFAULT_GATE_LIMITS.maxItems),
  /** Refused messages (unknown type, payload out of bounds) a connection may send; the last one closes it (default 2). */
  ROOM_OFFENCES_BEFORE_CLOSE: z.coerce.number().int().min(1).max(1000).default(DEFAULT_GATE_LIMITS.offencesBeforeClose),
  /** Folder of the built client (default dist/client). */
  CLIENT_DIR: z.string().default(path.join('dist', 'client')),
  /**
   * Which proxies in front of the server to believe about the client's address (X-Forwarded-For): the number of
   * proxies (`1`), or their addresses and subnets (`10.0.0.0/8,loopback`). Default off: the socket's address.
   */
  TRUST_PROXY: TrustProxySetting.default(false),
  /**
   * Origins whose pages may call this server from another origin, comma-separated
   * (`https://arena.example.com,http://localhost:5173`), answered with credentials; `*` lets any origin read the
   * API without credentials. Default: same origin only. /metrics and /admin never answer other origins.
   */
  CORS_ORIGINS: CorsOriginsSetting.default([]),
  /** Guest accounts made or renamed (POST /api/guests) per client address: `N/window` (s, m or h) or `off` (default 30/1m). */
  RATE_LIMIT_GUESTS: RateLimitSetting.prefault('30/1m'),
  /** Designs saved, renamed or deleted (PUT, PATCH, DELETE /api/designs/…) per client address (default 60/1m). */
  RATE_LIMIT_DESIGN_WRITES: RateLimitSetting.prefault('60/1m'),
  /** Passkeys registered, used to sign in or removed (POST, DELETE /api/passkeys/…) per client address (default 30/1m: a ceremony is two requests). */
  RATE_LIMIT_PASSKEY_WRITES: RateLimitSetting.prefault('30/1m'),
  /** Other /api requests (reads, token refreshes) per client address (default 300/1m); /health, /metrics and the page are never limited. */
  RATE_LIMIT_API_READS: RateLimitSetting.prefault('300/1m'),
  /** Failed admin logins (a wrong token or admin cookie) per client address (default 10/15m). */
  RATE_LIMIT_ADMIN_LOGIN: RateLimitSetting.prefault('10/15m'),
  /**
   * The WebAuthn relying party id of passkeys: the domain players open the arena on (default localhost).
   * Passkeys are bound to it: changing it later strands the ones already made.
   */
  WEBAUTHN_RP_ID: z.string().min(1).max(253).default('localhost'),
  /** The arena's name as authenticators show it beside a passkey (default Gradient Arena). */
  WEBAUTHN_RP_NAME: z.string().min(1).max(64).default('Gradient Arena'),
  /**
   * The origins whose pages may register and use passkeys, comma-separated (`https://arena.example.com`); each
   * on WEBAUTHN_RP_ID. Default: `http://localhost:<the port this server listens on>`.
   */
  WEBAUTHN_ORIGINS: WebauthnOriginsSetting.optional(),
  /** How long a passkey registration or sign-in may take, from its options to its answer, in seconds (default 300). */
  WEBAUTHN_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  /** How long a graceful shutdown (SIGTERM, SIGINT) may take before the process exits anyway, in ms (default 10000). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

/** The folder of the embedded trainer's saved runs (RUN_STATE_DIR). */
export function runStateDir(config: ServerConfig): string {
  return config.RUN_STATE_DIR ?? path.join(config.DATA_DIR, 'arena-runs');
}

/** Parses settings; a bad value stops start-up with a message naming it. */
export function readConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ServerConfig.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(`bad configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const passkeys = parsed.data.WEBAUTHN_ORIGINS && webauthnProblem(parsed.data.WEBAUTHN_RP_ID, parsed.data.WEBAUTHN_ORIGINS);
  if (passkeys) throw new Error(`bad configuration: ${passkeys}`);
  return parsed.data;
}

/** The message gate's limits from the ROOM_* settings. */
export function gateLimits(config: ServerConfig): GateLimits {
  return {
    ...DEFAULT_GATE_LIMITS,
    messagesPerSecond: config.ROOM_MESSAGES_PER_SECOND,
    maxBytes: config.ROOM_MAX_MESSAGE_BYTES,
    maxDepth: config.ROOM_MAX_DEPTH,
    maxItems: config.ROOM_MAX_ITEMS,
    offencesBeforeClose: config.ROOM_OFFENCES_BEFORE_CLOSE,
  };
}
