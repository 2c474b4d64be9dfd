import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

const COLUMNS = ['name', 'spec', 'share_id', 'saved_at'] as const;

export function listDesigns(db: Db, playerId: string) {
  return db.selectFrom('saved_designs').select(COLUMNS).where('player_id', '=', playerId).orderBy('saved_at', 'desc').orderBy('name').execute();
}

export function findDesign(db: Db, playerId: string, name: string) {
  return db.selectFrom('saved_designs').select(COLUMNS).where('player_id', '=', playerId).where('name', '=', name).executeTakeFirst();
}

export async function countDesigns(db: Db, playerId: string): Promise<number> {
  const row = await db.selectFrom('saved_designs').select((eb) => eb.fn.countAll<string>().as('n')).where('player_id', '=', playerId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts a design; false when the player has one of that name already. */
export async function insertDesign(db: Db, d: { playerId: string; name: string; spec: unknown; shareId: string; savedAt: Date }): Promise<boolean> {
  const row = await db
    .insertInto('saved_designs')
    .values({ player_id: d.playerId, name: d.name, spec: JSON.stringify(d.spec), share_id: d.shareId, saved_at: d.savedAt })
    .onConflict((oc) => oc.columns(['player_id', 'name']).doNothing())
    .returning('name')
    .executeTakeFirst();
  return row !== undefined;
}

/** Replaces a design's spec when `savedAt` is not older than the stored save; true when it did. */
export async function replaceDesignIfNotNewer(db: Db, playerId: string, name: string, spec: unknown, savedAt: Date, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('saved_designs')
    .set({ spec: JSON.stringify(spec), saved_at: savedAt, updated_at: now })
    .where('player_id', '=', playerId)
    .where('name', '=', name)
    .where('saved_at', '<=', savedAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function renameDesign(db: Db, playerId: string, from: string, to: string, now: Date): Promise<boolean> {
  const r = await db.updateTable('saved_designs').set({ name: to, updated_at: now }).where('player_id', '=', playerId).where('name', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteDesign(db: Db, playerId: string, name: string): Promise<boolean> {
  const r = await db.deleteFrom('saved_designs').where('player_id', '=', playerId).where('name', '=', name).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** A shared design with its owner's current name. */
export function findSharedDesign(db: Db, shareId: string) {
  return db
    .selectFrom('saved_designs')
    .innerJoin('players', 'players.id', 'saved_designs.player_id')
    .select(['saved_designs.name', 'saved_designs.spec', 'saved_designs.saved_at', 'players.name as owner'])
    .where('saved_designs.share_id', '=', shareId)
    .executeTakeFirst();
}
