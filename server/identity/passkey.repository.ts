import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';

type Db = Kysely<Database>;

export type ChallengePurpose = 'register' | 'sign_in';

/** Keeps a challenge until `expiresAt`, and forgets the ones already expired. */
export async function issueChallenge(db: Db, c: { challenge: string; purpose: ChallengePurpose; playerId: string | null; expiresAt: Date }, now: Date): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
  await db.insertInto('webauthn_challenges').values({ challenge: c.challenge, purpose: c.purpose, player_id: c.playerId, expires_at: c.expiresAt }).execute();
}

/**
 * Uses up a challenge: true when it was issued for this purpose (and player), had not expired and
 * had not been used. One statement, so two answers racing with the same challenge cannot both pass.
 */
export async function consumeChallenge(db: Db, challenge: string, purpose: ChallengePurpose, playerId: string | null, now: Date): Promise<boolean> {
  let q = db.deleteFrom('webauthn_challenges').where('challenge', '=', challenge).where('purpose', '=', purpose).where('expires_at', '>', now);
  q = playerId === null ? q.where('player_id', 'is', null) : q.where('player_id', '=', playerId);
  return (await q.returning('challenge').executeTakeFirst()) !== undefined;
}

export interface NewPasskey {
  id: string;
  playerId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: readonly string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  /** What its owner calls it; null: "Passkey N" when listed. */
  name: string | null;
}

/** Stores a passkey; false when a passkey with this credential id is stored already. */
export async function insertPasskey(db: Db, p: NewPasskey): Promise<boolean> {
  const row = await db
    .insertInto('passkeys')
    .values({ id: p.id, player_id: p.playerId, public_key: p.publicKey, counter: p.counter, transports: JSON.stringify(p.transports), device_type: p.deviceType, backed_up: p.backedUp, name: p.name })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export function findPasskey(db: Db, id: string) {
  return db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listPasskeys(db: Db, playerId: string) {
  return db.selectFrom('passkeys').selectAll().where('player_id', '=', playerId).orderBy('created_at').orderBy('id').execute();
}

/** After a sign-in: the authenticator's new counter and backup state, and when it was used. */
export async function touchPasskey(db: Db, id: string, counter: number, backedUp: boolean, now: Date): Promise<void> {
  await db.updateTable('passkeys').set({ counter, backed_up: backedUp, last_used_at: now }).where('id', '=', id).execute();
}

/** What came of removing a passkey: gone, not one of this player's, or the player's last (kept: not confirmed). */
export type PasskeyRemovalOutcome = 'removed' | 'unknown' | 'last';

/**
 * Removes one of a player's passkeys; the last one only when `allowLast`. The player's row is locked for the
 * count and the delete, so two removals racing for an account's last two passkeys cannot both pass the check.
 */
export function removePasskey(db: Db, playerId: string, id: string, allowLast: boolean): Promise<PasskeyRemovalOutcome> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('players').select('id').where('id', '=', playerId).forUpdate().executeTakeFirst();
    const owned = await trx.selectFrom('passkeys').select('id').where('player_id', '=', playerId).execute();
    if (!owned.some((p) => p.id === id)) return 'unknown';
    if (owned.length === 1 && !allowLast) return 'last';
    await trx.deleteFrom('passkeys').where('id', '=', id).where('player_id', '=', playerId).execute();
    return 'removed';
  });
}
