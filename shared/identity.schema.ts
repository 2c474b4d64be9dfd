import { z } from 'zod';

/** A player's display name, as guests choose it. */
export const PlayerName = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, 'name must not be empty')
  .max(32, 'name must be at most 32 characters');

/**
 * POST /api/guests: a new guest account (or, with the guest's token, a new name for it). Names are
 * unique per arena, ignoring case: a taken name is refused with 409 `NAME_TAKEN` and a free
 * suggestion (`ifTaken: 'refuse'`, the default), or given a free `#tag` at once (`ifTaken: 'tag'`,
 * for bots and tools that do not mind which Ada they are).
 */
export const GuestRequest = z.object({ name: PlayerName, ifTaken: z.enum(['refuse', 'tag']).default('refuse') });
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

/** A name that is not free, as POST /api/guests refuses it (409): `suggestion` is a free `#tag`ged one. */
export const NameTaken = z.object({
  error: z.object({ code: z.literal('NAME_TAKEN'), message: z.string(), name: z.string(), suggestion: z.string() }),
});
export type NameTaken = z.infer<typeof NameTaken>;

/** The longest a name's base may be when a `#tag` is added: `base#1234` fits in 32. */
export const TAG_BASE_MAX = 27;
/** `Ada#4821` → `Ada`: a name without its `#tag`, if it has one. */
export const untagged = (name: string): string => name.replace(/#\d{4}$/, '').trim() || name;
