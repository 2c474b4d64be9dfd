import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * Which arithmetic the training engine's fast path (small dense networks) used for a run: 1 for every run
 * stored before this migration (how they trained, so they replay to their weights hash), 2 for new runs
 * (cheaper tanh and softmax). A replay, an export or a fork of a stored run trains with its run's own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('runs')
    .addColumn('arithmetic', 'smallint', (c) => c.notNull().defaultTo(1).check(sql`arithmetic in (1, 2)`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('arithmetic').execute();
}
