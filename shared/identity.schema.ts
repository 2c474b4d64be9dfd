import { z } from 'zod';

/** A player's display name, as guests choose it. */
export const PlayerName = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, 'name must not be empty')
  .max(32, 'name must be at most 32 characters');

/** POST /api/guests: a new guest account (or, with the guest's token, a new name for it). */
export const GuestRequest = z.object({ name: PlayerName });
export type GuestRequest = z.infer<typeof GuestRequest>;

/**
 * A guest account: the signed token the browser keeps and sends when it joins a room,
 * the account's current name, and when the token expires (ISO 8601; using it after
 * half its life, through `POST /api/guests/refresh`, gets a fresh one).
 */
export const GuestIdentity = z.object({
  token: z.string(),
  playerId: z.string().uuid(),
  name: z.string(),
  expiresAt: z.string(),
});
export type GuestIdentity = z.infer<typeof GuestIdentity>;

/** Who a room's client is, as `onAuth` established it. Spectators may be anonymous. */
export interface RoomIdentity {
  playerId: string | null;
  name: string;
}

/**
 * Why a guest token was refused (the `code` of a 401 from the HTTP API; a room's
 * 401 names it in parentheses): expired, signed with neither the current nor the
 * previous secret, not a token at all, or none sent.
 */
export const TokenErrorCode = {
  Expired: 'TOKEN_EXPIRED',
  BadSignature: 'BAD_SIGNATURE',
  BadToken: 'BAD_TOKEN',
  NoToken: 'NO_TOKEN',
} as const;
export type TokenErrorCode = (typeof TokenErrorCode)[keyof typeof TokenErrorCode];
