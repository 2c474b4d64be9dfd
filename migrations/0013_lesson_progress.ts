import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * The learning path's progress: one row per lesson a player passed, written once, when the first run
 * that passes it is stored (later passes change nothing, so a lesson pays its XP once):
 * - `run_id` is that run (kept in `runs`), `held_out_accuracy` what it scored on the held-out split;
 * - the row goes with its player.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('lesson_progress')
    .addColumn('player_id', 'uuid', (c) => c.notNull().references('players.id').onDelete('cascade'))
    .addColumn('lesson_id', 'text', (c) => c.notNull().check(sql`lesson_id ~ '^[a-z][a-z0-9-]{1,31}$'`))
    .addColumn('run_id', 'uuid', (c) => c.notNull())
    .addColumn('held_out_accuracy', 'double precision', (c) => c.notNull().check(sql`held_out_accuracy between 0 and 1`))
    .addColumn('passed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('lesson_progress_pkey', ['player_id', 'lesson_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lesson_progress').execute();
}
