import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * Designs players save from the model designer, kept with their account:
 * - one row per (player, name): a name is unique per player, exactly as typed (the browser's copy keys them so);
 * - `spec` is the model spec as JSON, `saved_at` when the player saved it (the browser's clock, which decides
 *   "newest wins" when a copy saved offline is merged up), `updated_at` when the server last wrote the row;
 * - `share_id` is the public, unguessable id of a link that shows the design to anyone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saved_designs')
    .addColumn('player_id', 'uuid', (c) => c.notNull().references('players.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 40 and name = btrim(name)`))
    .addColumn('spec', 'jsonb', (c) => c.notNull().check(sql`jsonb_typeof(spec) = 'object' and length(spec::text) <= 65536`))
    .addColumn('share_id', 'text', (c) => c.notNull().unique().check(sql`share_id ~ '^[A-Za-z0-9_-]{16}$'`))
    .addColumn('saved_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('saved_designs_pkey', ['player_id', 'name'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('saved_designs').execute();
}
