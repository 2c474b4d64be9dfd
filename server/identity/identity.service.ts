import type { Kysely } from 'kysely';
import type { GuestIdentity } from '../../shared/identity.schema.ts';
import type { Database } from '../db/tables.ts';
import { randomUUID } from 'node:crypto';
import { findPlayer, insertPlayer, renamePlayer } from '../progression/progression.repository.ts';
import { signGuestToken, verifyGuestToken } from './guest-token.ts';

/** A new guest account with this name, and the token its browser keeps. */
export async function createGuest(db: Kysely<Database>, secret: string, name: string): Promise<GuestIdentity> {
  const playerId = randomUUID();
  await insertPlayer(db, playerId, name);
  return { playerId, name, token: signGuestToken(secret, playerId, name) };
}

/** A new name for the guest behind `token` (it must be valid), with a fresh token; progress stays. */
export async function renameGuest(db: Kysely<Database>, secret: string, token: string, name: string): Promise<GuestIdentity> {
  const { sub } = verifyGuestToken(secret, token);
  if (await findPlayer(db, sub)) await renamePlayer(db, sub, name);
  else await insertPlayer(db, sub, name);
  return { playerId: sub, name, token: signGuestToken(secret, sub, name) };
}
