import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TokenErrorCode } from '../../shared/identity.schema.ts';

/** Why a token was refused, in words a player can act on, with a code that tells expired from forged. */
export class GuestTokenError extends Error {
  readonly code: TokenErrorCode;
  constructor(code: TokenErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The secrets a token may be signed with: new tokens are signed with `current`;
 * tokens signed with `previous` (ARENA_SECRET_PREVIOUS) are still accepted, so a
 * deployment can rotate the secret without signing everyone out.
 */
export interface GuestKeys {
  current: string;
  previous?: string | undefined;
}

/** How long tokens live: the same policy signs and verifies. */
export interface GuestTokenPolicy {
  keys: GuestKeys;
  /** A token's lifetime in seconds from when it was signed (GUEST_TOKEN_TTL_DAYS, default 30 days). */
  ttlSeconds: number;
}

const VERSION = 'g1';
/**
 * `exp` came later than the others: `g1` tokens signed before it have none,
 * and expire `ttlSeconds` after `iat`. `name` is the name when it was signed,
 * a hint only: rooms use the account's current name.
 */
const Claims = z.object({ sub: z.string().uuid(), name: z.string().min(1).max(32), iat: z.number().int(), exp: z.number().int().optional() });
export type GuestClaims = z.infer<typeof Claims>;

/** A token that passed: its claims, when it expires (Unix seconds) and whether it should be swapped for a fresh one. */
export interface VerifiedGuestToken {
  claims: GuestClaims;
  /** Unix seconds. */
  expiresAt: number;
  /** Signed with the previous secret, not the current one. */
  signedWithPrevious: boolean;
  /** Past half its life, signed with the previous secret, or without `exp`: the holder should get a fresh token. */
  stale: boolean;
}

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${body}`).digest();
}

function sameMac(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Signs a guest's identity: `g1.<claims, base64url JSON>.<HMAC-SHA256, base64url>`,
 * with claims `sub` (player id), `name`, `iat` and `exp` (Unix seconds).
 * `now` (ms, default the clock) lets tests sign a token that is already old.
 */
export function signGuestToken(policy: GuestTokenPolicy, playerId: string, name: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const claims: GuestClaims = { sub: playerId, name, iat, exp: iat + Math.round(policy.ttlSeconds) };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${VERSION}.${body}.${mac(policy.keys.current, body).toString('base64url')}`;
}

/**
 * The verified claims of a token signed with the current or the previous
 * secret that has not expired at `now` (ms); throws `GuestTokenError` otherwise:
 * `BAD_TOKEN` (not a token, damaged), `BAD_SIGNATURE` (neither secret signed it)
 * or `TOKEN_EXPIRED`. A token expires at its `exp`, or `iat + ttlSeconds` when
 * that comes first (so shortening GUEST_TOKEN_TTL_DAYS shortens tokens already out).
 */
export function verifyGuestToken(policy: GuestTokenPolicy, token: string, now = Date.now()): VerifiedGuestToken {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) throw new GuestTokenError(TokenErrorCode.BadToken, 'the token is not a guest token of this arena');
  const [, body, signature] = parts as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  const byCurrent = sameMac(given, mac(policy.keys.current, body));
  const byPrevious = !byCurrent && policy.keys.previous !== undefined && sameMac(given, mac(policy.keys.previous, body));
  if (!byCurrent && !byPrevious) {
    throw new GuestTokenError(TokenErrorCode.BadSignature, 'the token was not signed by this arena (was the server secret changed?)');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new GuestTokenError(TokenErrorCode.BadToken, 'the token is damaged');
  }
  const parsed = Claims.safeParse(raw);
  if (!parsed.success) throw new GuestTokenError(TokenErrorCode.BadToken, 'the token is damaged');
  const claims = parsed.data;
  const limit = claims.iat + Math.round(policy.ttlSeconds);
  const expiresAt = Math.min(claims.exp ?? limit, limit);
  const nowSec = now / 1000;
  if (nowSec >= expiresAt) {
    throw new GuestTokenError(TokenErrorCode.Expired, `the token expired on ${new Date(expiresAt * 1000).toISOString()} (guest tokens last ${describeSeconds(policy.ttlSeconds)} and are renewed when used)`);
  }
  const halfLife = claims.iat + (expiresAt - claims.iat) / 2;
  return { claims, expiresAt, signedWithPrevious: byPrevious, stale: byPrevious || claims.exp === undefined || nowSec >= halfLife };
}

/** "30 days", "12 hours": a lifetime in words. */
function describeSeconds(s: number): string {
  const days = s / 86_400;
  if (days >= 1) return `${Number(days.toFixed(2))} day${days === 1 ? '' : 's'}`;
  const hours = s / 3600;
  return hours >= 1 ? `${Number(hours.toFixed(2))} hours` : `${Math.round(s)} seconds`;
}
