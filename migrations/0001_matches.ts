import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('matches')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('task', 'jsonb', (c) => c.notNull())
    .addColumn('seed', 'integer', (c) => c.notNull())
    .addColumn('budget', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('match_entries')
    .addColumn('match_id', 'uuid', (c) => c.notNull().references('matches.id').onDelete('cascade'))
    .addColumn('seat', 'integer', (c) => c.notNull())
    .addColumn('player_name', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('finished', 'failed')`))
    .addColumn('rank', 'integer')
    .addColumn('held_out_accuracy', 'double precision')
    .addColumn('val_accuracy', 'double precision')
    .addColumn('loss', 'double precision')
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('weights_hash', 'text')
    .addColumn('backend', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('match_entries_pk', ['match_id', 'seat'])
    .execute();

  await db.schema.createIndex('match_entries_player_idx').on('match_entries').column('player_name').execute();
  await db.schema.createIndex('matches_finished_idx').on('matches').column('finished_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('match_entries').execute();
  await db.schema.dropTable('matches').execute();
}
