import type { Kysely } from 'kysely';
import type { GuestIdentity, RoomIdentity } from '../../shared/identity.schema.ts';
import type { Database } from '../db/tables.ts';
import { randomUUID } from 'node:crypto';
import { findPlayer } from '../progression/progression.repository.ts';
import { signGuestToken, verifyGuestToken, type GuestTokenPolicy } from './guest-token.ts';
import { insertNamedPlayer, renameNamedPlayer, type IfTaken } from './player-names.ts';
import { authenticateJoin } from './room-auth.ts';

/** A fresh identity (a new token) for a player: what guest sign-up, renames and passkey sign-ins answer. */
export function identity(policy: GuestTokenPolicy, playerId: string, name: string, token = signGuestToken(policy, playerId, name)): GuestIdentity {
  const { expiresAt } = verifyGuestToken(policy, token);
  return { playerId, name, token, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/**
 * A new guest account with this name, and the token its browser keeps. Names are unique per arena:
 * a taken one throws `NameTakenError` with a free suggestion, or (`ifTaken: 'tag'`) gets a free `#tag`.
 */
export async function createGuest(db: Kysely<Database>, policy: GuestTokenPolicy, name: string, ifTaken: IfTaken = 'refuse'): Promise<GuestIdentity> {
  const playerId = randomUUID();
  return identity(policy, playerId, await insertNamedPlayer(db, playerId, name, ifTaken));
}

/** A new name for the guest behind `token` (valid and unexpired), with a fresh token; progress stays. A taken name as in `createGuest`. */
export async function renameGuest(db: Kysely<Database>, policy: GuestTokenPolicy, token: string, name: string, ifTaken: IfTaken = 'refuse'): Promise<GuestIdentity> {
  const { sub } = verifyGuestToken(policy, token).claims;
  const given = (await findPlayer(db, sub)) ? await renameNamedPlayer(db, sub, name, ifTaken) : await insertNamedPlayer(db, sub, name, ifTaken);
  return identity(policy, sub, given);
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
  // The database was reset since: the account is made again (under a #tag if someone took its name meanwhile).
  const name = row?.name ?? (await insertNamedPlayer(db, sub, signedName, 'tag'));
  return verified.stale ? identity(policy, sub, name) : identity(policy, sub, name, token);
}

/** The identity service the rooms and routes use (`ArenaServices['identity']`), bound to a database and a token policy. */
export function guestIdentity(db: Kysely<Database>, policy: GuestTokenPolicy) {
  return {
    createGuest: (name: string, ifTaken?: IfTaken) => createGuest(db, policy, name, ifTaken),
    renameGuest: (token: string, name: string, ifTaken?: IfTaken) => renameGuest(db, policy, token, name, ifTaken),
    refreshGuest: (token: string) => refreshGuest(db, policy, token),
    authenticate: (token: string | undefined, options: unknown): Promise<RoomIdentity> => authenticateJoin(policy, token, options, async (id) => (await findPlayer(db, id))?.name),
  };
}
