import type { Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/** Each run keeps its learning curve (downsampled), so a match can be replayed on its page. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('curve', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('curve').execute();
}
