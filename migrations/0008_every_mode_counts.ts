import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * Every mode counts, and boards say how players got there:
 * - a GAN battle is stored as a match (kind 'gan'): its entries are the two sides, with no run of their
 *   own (`match_entries.run_id` may be null), and what is particular to the battle (rounds, their
 *   curves, how it was decided) is the match's `detail`;
 * - each rating keeps its wins and losses (a win: first place), counted from the stored matches so far.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('match_entries').alterColumn('run_id', (c) => c.dropNotNull()).execute();
  await db.schema.alterTable('matches').addColumn('detail', 'jsonb').execute();
  await db.schema.alterTable('ratings').addColumn('wins', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('ratings').addColumn('losses', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`
    update ratings r set
      wins = coalesce(c.wins, 0), losses = coalesce(c.losses, 0)
    from (
      select h.player_id, h.scope, count(*) filter (where e.rank = 1) as wins, count(*) filter (where e.rank > 1) as losses
      from rating_history h join match_entries e on e.match_id = h.match_id and e.player_id = h.player_id
      group by h.player_id, h.scope
    ) c
    where c.player_id = r.player_id and c.scope = r.scope`.execute(db);
  // Movement since last week: a player's latest rating before an instant, on a board.
  await db.schema.createIndex('rating_history_scope_idx').on('rating_history').columns(['scope', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('rating_history_scope_idx').execute();
  await db.schema.alterTable('ratings').dropColumn('losses').execute();
  await db.schema.alterTable('ratings').dropColumn('wins').execute();
  await db.deleteFrom('matches').where('kind', '=', 'gan').execute();
  await db.schema.alterTable('matches').dropColumn('detail').execute();
  await db.schema.alterTable('match_entries').alterColumn('run_id', (c) => c.setNotNull()).execute();
}
