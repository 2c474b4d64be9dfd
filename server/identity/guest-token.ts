import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Why a token was refused, in words a player can act on. */
export class GuestTokenError extends Error {
  readonly code = 'BAD_TOKEN' as const;
}

const VERSION = 'g1';
const Claims = z.object({ sub: z.string().uuid(), name: z.string().min(1).max(32), iat: z.number().int() });
export type GuestClaims = z.infer<typeof Claims>;

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${body}`).digest();
}

/** Signs a guest's identity: `g1.<claims, base64url JSON>.<HMAC-SHA256, base64url>`. */
export function signGuestToken(secret: string, playerId: string, name: string, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ sub: playerId, name, iat: Math.floor(now / 1000) } satisfies GuestClaims)).toString('base64url');
  return `${VERSION}.${body}.${mac(secret, body).toString('base64url')}`;
}

/** The claims of a token this server (or one sharing its secret) signed; throws `GuestTokenError` otherwise. */
export function verifyGuestToken(secret: string, token: string): GuestClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) throw new GuestTokenError('the token is not a guest token of this arena');
  const [, body, signature] = parts as [string, string, string];
  const expected = mac(secret, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new GuestTokenError('the token was not signed by this arena (was the server secret changed?)');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new GuestTokenError('the token is damaged');
  }
  const parsed = Claims.safeParse(claims);
  if (!parsed.success) throw new GuestTokenError('the token is damaged');
  return parsed.data;
}
