import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * Accounts people keep:
 * - display names are unique per arena, ignoring case (`players_name_key` on `lower(name)`); players
 *   who shared a name before keep it in order of arrival, the later ones get a `#tag`
 *   (`Ada` stays, the second Ada becomes `Ada#4821`);
 * - `passkeys`: WebAuthn credentials a player registered to sign in on other devices;
 * - `webauthn_challenges`: the challenges of registrations and sign-ins under way, each used at most once
 *   and only until it expires.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const later = await sql<{ id: string }>`
    select id from (
      select id, row_number() over (partition by lower(name) order by created_at, id) as arrival from players
    ) p where arrival > 1`.execute(db);
  for (const { id } of later.rows) {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 1000) throw new Error(`no free #tag for player ${id}`);
      const tag = String(1000 + Math.floor(Math.random() * 9000));
      // Base cut to 27 characters so that `base#tag` fits the 32 a name may have.
      const renamed = await sql`
        update players p set name = rtrim(left(p.name, 27)) || '#' || ${tag}
        where p.id = ${id}
          and not exists (select 1 from players q where lower(q.name) = lower(rtrim(left(p.name, 27)) || '#' || ${tag}))`.execute(db);
      if (Number(renamed.numAffectedRows ?? 0) === 1) break;
    }
  }
  await db.schema.createIndex('players_name_key').on('players').unique().expression(sql`lower(name)`).execute();

  await db.schema
    .createTable('passkeys')
    /** The credential id, base64url, as the authenticator made it. */
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`length(id) between 16 and 1400`))
    .addColumn('player_id', 'uuid', (c) => c.notNull().references('players.id').onDelete('cascade'))
    /** COSE-encoded public key. */
    .addColumn('public_key', 'bytea', (c) => c.notNull())
    /** The authenticator's signature counter (a uint32; 0 for authenticators that keep none). */
    .addColumn('counter', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('transports', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('device_type', 'text', (c) => c.notNull().check(sql`device_type in ('singleDevice', 'multiDevice')`))
    .addColumn('backed_up', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('passkeys_player_idx').on('passkeys').columns(['player_id', 'created_at']).execute();

  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('challenge', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('register', 'sign_in')`))
    /** Whose registration it is; null for a sign-in (the passkey says who). */
    .addColumn('player_id', 'uuid', (c) => c.references('players.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webauthn_challenges_expiry_idx').on('webauthn_challenges').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webauthn_challenges').execute();
  await db.schema.dropTable('passkeys').execute();
  // Names tagged on the way up keep their tag.
  await db.schema.dropIndex('players_name_key').execute();
}
