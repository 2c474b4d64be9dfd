import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * Matches survive a server restart: each match that is not over yet keeps its
 * lifecycle here as it changes (a header row, and its append-only event log
 * one row per event), so a server that starts can find the matches that were
 * running and carry them on; the rows go when the match is stored. A stored
 * match is finished or aborted (called off with a reason: nobody's rating or
 * XP moved).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('live_matches')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull().check(sql`phase in ('lobby', 'countdown', 'running', 'settling', 'stored', 'aborted')`))
    /** The lifecycle without its events: id, kind, room, create options, seed, tournament. */
    .addColumn('header', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('live_match_events')
    .addColumn('match_id', 'uuid', (c) => c.notNull().references('live_matches.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull().check(sql`seq >= 0`))
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_match_events_pk', ['match_id', 'seq'])
    .execute();

  await db.schema
    .alterTable('matches')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('finished').check(sql`status in ('finished', 'aborted')`))
    .addColumn('abort_reason', 'text')
    .execute();
  await sql`alter table matches add constraint matches_abort_reason check ((status = 'aborted') = (abort_reason is not null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table matches drop constraint matches_abort_reason`.execute(db);
  await db.schema.alterTable('matches').dropColumn('abort_reason').dropColumn('status').execute();
  await db.schema.dropTable('live_match_events').execute();
  await db.schema.dropTable('live_matches').execute();
}
