import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * Fair seeds: a match says whether it was rated (the server drew the seed) or
 * custom (the creator chose it: no rating, XP or achievements), and keeps the
 * seed commitment published at its start with the salt revealed at its end.
 * Matches stored before this have no commitment (null) and count as rated,
 * as they did.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('matches')
    .addColumn('rated', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('seed_scheme', 'text')
    .addColumn('seed_commitment', 'text', (c) => c.check(sql`seed_commitment ~ '^[0-9a-f]{64}$'`))
    .addColumn('seed_salt', 'text', (c) => c.check(sql`seed_salt ~ '^[0-9a-f]{64}$'`))
    .execute();
  // A commitment comes with its scheme and salt, or none of them does.
  await sql`alter table matches add constraint matches_seed_commitment_whole check (
    (seed_scheme is null and seed_commitment is null and seed_salt is null)
    or (seed_scheme is not null and seed_commitment is not null and seed_salt is not null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table matches drop constraint matches_seed_commitment_whole`.execute(db);
  await db.schema.alterTable('matches').dropColumn('seed_salt').dropColumn('seed_commitment').dropColumn('seed_scheme').dropColumn('rated').execute();
}
