import type { Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * A room may hold several live matches at once (a tournament's matches of a
 * round share its room): live_matches.room_id is indexed, no longer unique.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('live_matches').dropConstraint('live_matches_room_id_key').execute();
  await db.schema.createIndex('live_matches_room_idx').on('live_matches').column('room_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('live_matches_room_idx').execute();
  await db.schema.alterTable('live_matches').addUniqueConstraint('live_matches_room_id_key', ['room_id']).execute();
}
