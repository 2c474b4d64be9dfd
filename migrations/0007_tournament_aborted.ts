import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * A tournament can end called off: status 'aborted' (a tournament whose round
 * could not be carried on after a server restart; its matches are stored as
 * aborted, and nobody's rating or XP moves).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tournaments').dropConstraint('tournaments_status_check').execute();
  await db.schema.alterTable('tournaments').addCheckConstraint('tournaments_status_check', sql`status in ('running', 'finished', 'aborted')`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('tournaments').set({ status: 'finished' }).where('status', '=', 'aborted').execute();
  await db.schema.alterTable('tournaments').dropConstraint('tournaments_status_check').execute();
  await db.schema.alterTable('tournaments').addCheckConstraint('tournaments_status_check', sql`status in ('running', 'finished')`).execute();
}
