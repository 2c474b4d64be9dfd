import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * A name for each passkey, so that its owner can tell them apart when removing one ("Chrome on Android"):
 * given when it is registered (the page proposes the browser and system it was made on), at most 40
 * characters, trimmed. Passkeys made before have none: the API shows them as "Passkey N" in the order made.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('passkeys')
    .addColumn('name', 'text', (c) => c.check(sql`length(name) between 1 and 40 and name = btrim(name)`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('passkeys').dropColumn('name').execute();
}
