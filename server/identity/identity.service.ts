import type { Kysely } from 'kysely';
import type { GuestIdentity, RoomIdentity } from '../../shared/identity.schema.ts';
import type { Database } from '../db/tables.ts';
import { randomUUID } from 'node:crypto';
import { findPlayer, insertPlayer, renamePlayer } from '../progression/progression.repository.ts';
import { signGuestToken, verifyGuestToken, type GuestTokenPolicy } from './guest-token.ts';
import { authenticateJoin } from './room-auth.ts';

function identity(policy: GuestTokenPolicy, playerId: string, name: string, token = signGuestToken(policy, playerId, name)): GuestIdentity {
  const { expiresAt } = verifyGuestToken(policy, token);
  return { playerId, name, token, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/** A new guest account with this name, and the token its browser keeps. */
export async function createGuest(db: Kysely<Database>, policy: GuestTokenPolicy, name: string): Promise<GuestIdentity> {
  const playerId = randomUUID();
  await insertPlayer(db, playerId, name);
  return identity(policy, playerId, name);
}

/** A new name for the guest behind `token` (valid and unexpired), with a fresh token; progress stays. */
export async function renameGuest(db: Kysely<Database>, policy: GuestTokenPolicy, token: string, name: string): Promise<GuestIdentity> {
  const { sub } = verifyGuestToken(policy, token).claims;
  if (await findPlayer(db, sub)) await renamePlayer(db, sub, name);
  else await insertPlayer(db, sub, name);
  return identity(policy, sub, name);
}

/**
 * The guest behind a valid, unexpired token, under the account's current
 * name. The token comes back as it is while it is young and signed with the
 * current secret; past half its life, signed with the previous secret, or
 * from before tokens carried `exp`, a fresh one comes back instead. Throws
 * `GuestTokenError` for a token it refuses.
 */
export async function refreshGuest(db: Kysely<Database>, policy: GuestTokenPolicy, token: string): Promise<GuestIdentity> {
  const verified = verifyGuestToken(policy, token);
  const { sub, name: signedName } = verified.claims;
  const row = await findPlayer(db, sub);
  if (!row) await insertPlayer(db, sub, signedName); // the database was reset since: the account is made again
  const name = row?.name ?? signedName;
  return verified.stale ? identity(policy, sub, name) : identity(policy, sub, name, token);
}

/** The identity service the rooms and routes use (`ArenaServices['identity']`), bound to a database and a token policy. */
export function guestIdentity(db: Kysely<Database>, policy: GuestTokenPolicy) {
  return {
    createGuest: (name: string) => createGuest(db, policy, name),
    renameGuest: (token: string, name: string) => renameGuest(db, policy, token, name),
    refreshGuest: (token: string) => refreshGuest(db, policy, token),
    authenticate: (token: string | undefined, options: unknown): Promise<RoomIdentity> => authenticateJoin(policy, token, options, async (id) => (await findPlayer(db, id))?.name),
  };
}
