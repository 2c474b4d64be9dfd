import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('players')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 32`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Running totals kept in step with xp_events and player_achievements, for fast leaderboards.
    .addColumn('xp', 'integer', (c) => c.notNull().defaultTo(0).check(sql`xp >= 0`))
    .addColumn('achievement_points', 'integer', (c) => c.notNull().defaultTo(0).check(sql`achievement_points >= 0`))
    .execute();
  await db.schema.createIndex('players_xp_idx').on('players').columns(['xp desc', 'id']).execute();
  await db.schema.createIndex('players_points_idx').on('players').columns(['achievement_points desc', 'id']).execute();

  await db.schema
    .createTable('tournaments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('single_elimination', 'swiss')`))
    .addColumn('task', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running', 'finished')`))
    .addColumn('champion_id', 'uuid', (c) => c.references('players.id'))
    .addColumn('ranking', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();

  await db.schema.alterTable('matches').addColumn('tournament_id', 'uuid', (c) => c.references('tournaments.id')).execute();
  await db.schema.alterTable('matches').addColumn('round', 'integer').execute();
  await db.schema.alterTable('match_entries').addColumn('player_id', 'uuid', (c) => c.references('players.id')).execute();
  await db.schema.createIndex('match_entries_player_id_idx').on('match_entries').columns(['player_id', 'match_id']).execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('player_id', 'uuid', (c) => c.references('players.id'))
    .addColumn('match_id', 'uuid', (c) => c.references('matches.id').onDelete('set null'))
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('task', 'jsonb', (c) => c.notNull())
    .addColumn('seed', 'integer', (c) => c.notNull())
    .addColumn('budget', 'integer', (c) => c.notNull())
    .addColumn('controls', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('finished', 'diverged', 'failed')`))
    .addColumn('final', 'jsonb')
    .addColumn('held_out_accuracy', 'double precision')
    .addColumn('samples', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flops', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('parameters', 'integer')
    /** "2-16-16-2 relu/relu": the shape a win is credited to. */
    .addColumn('architecture', 'text')
    /** Samples and FLOPs spent when the run first reached its target accuracy. */
    .addColumn('converged_samples', 'integer')
    .addColumn('converged_flops', 'double precision')
    .addColumn('weights_hash', 'text')
    .addColumn('backend', 'text')
    .addColumn('parent_run_id', 'uuid', (c) => c.references('runs.id'))
    .addColumn('parent_step', 'integer')
    /** Where the last checkpoint lives (a Redis key, say), if anywhere. */
    .addColumn('checkpoint_ref', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('runs_player_idx').on('runs').columns(['player_id', 'created_at desc']).execute();
  // Record queries: the fewest samples, FLOPs or parameters that reached the target on a task.
  await db.schema.createIndex('runs_task_records_idx').on('runs').expression(sql`(task->>'name'), converged_samples`).execute();

  // Runs of matches stored before this migration.
  await sql`
    insert into runs (id, match_id, spec, task, seed, budget, status, held_out_accuracy, samples, weights_hash, backend, created_at)
    select e.run_id, e.match_id, e.spec, m.task, m.seed, m.budget, e.status, e.held_out_accuracy, e.samples, e.weights_hash, e.backend, m.finished_at
    from match_entries e join matches m on m.id = e.match_id
    on conflict (id) do nothing`.execute(db);
  await db.schema.alterTable('match_entries').addForeignKeyConstraint('match_entries_run_fk', ['run_id'], 'runs', ['id']).execute();

  await db.schema
    .createTable('ratings')
    .addColumn('player_id', 'uuid', (c) => c.notNull().references('players.id').onDelete('cascade'))
    /** 'overall' or a task name. */
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('mu', 'double precision', (c) => c.notNull())
    .addColumn('sigma', 'double precision', (c) => c.notNull())
    /** Conservative rating shown to people: mu − 3·sigma. */
    .addColumn('display', 'double precision', (c) => c.notNull())
    .addColumn('matches', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ratings_pk', ['player_id', 'scope'])
    .execute();
  await db.schema.createIndex('ratings_board_idx').on('ratings').columns(['scope', 'display desc', 'player_id']).execute();

  await db.schema
    .createTable('rating_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('player_id', 'uuid', (c) => c.notNull().references('players.id').onDelete('cascade'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('match_id', 'uuid', (c) => c.notNull().references('matches.id').onDelete('cascade'))
    .addColumn('mu', 'double precision', (c) => c.notNull())
    .addColumn('sigma', 'double precision', (c) => c.notNull())
    .addColumn('display', 'double precision', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('rating_history_once', ['player_id', 'scope', 'match_id'])
    .execute();
  await db.schema.createIndex('rating_history_player_idx').on('rating_history').columns(['player_id', 'scope', 'created_at']).execute();

  await db.schema
    .createTable('xp_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('player_id', 'uuid', (c) => c.notNull().references('players.id').onDelete('cascade'))
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('reason', 'text', (c) => c.notNull())
    /** What earned it; the same key never pays twice. */
    .addColumn('source_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('xp_events_player_idx').on('xp_events').columns(['player_id', 'created_at']).execute();

  // Weekly rollups (week = the Monday it starts on, UTC), kept with the events, for weekly boards.
  for (const table of ['xp_weekly', 'points_weekly']) {
    await db.schema
      .createTable(table)
      .addColumn('player_id', 'uuid', (c) => c.notNull().references('players.id').onDelete('cascade'))
      .addColumn('week', 'date', (c) => c.notNull())
      .addColumn('amount', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['player_id', 'week'])
      .execute();
    await db.schema.createIndex(`${table}_board_idx`).on(table).columns(['week', 'amount desc', 'player_id']).execute();
  }

  await db.schema
    .createTable('achievements')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    /** Thresholds of the progress counter, one per tier. */
    .addColumn('tiers', 'jsonb', (c) => c.notNull())
    /** Points for reaching each tier. */
    .addColumn('points', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('player_achievements')
    .addColumn('player_id', 'uuid', (c) => c.notNull().references('players.id').onDelete('cascade'))
    .addColumn('achievement_key', 'text', (c) => c.notNull().references('achievements.key'))
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    /** Tiers reached (0 = still locked). */
    .addColumn('tier', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unlocked_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('player_achievements_pk', ['player_id', 'achievement_key'])
    .execute();
  await db.schema.createIndex('player_achievements_key_idx').on('player_achievements').columns(['achievement_key', 'tier']).execute();

  // Each (player, achievement, event) counts once, however often the event is delivered.
  await db.schema
    .createTable('achievement_events')
    .addColumn('player_id', 'uuid', (c) => c.notNull().references('players.id').onDelete('cascade'))
    .addColumn('achievement_key', 'text', (c) => c.notNull().references('achievements.key'))
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('achievement_events_pk', ['player_id', 'achievement_key', 'event_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['achievement_events', 'player_achievements', 'achievements', 'points_weekly', 'xp_weekly', 'xp_events', 'rating_history', 'ratings']) {
    await db.schema.dropTable(t).execute();
  }
  await db.schema.alterTable('match_entries').dropConstraint('match_entries_run_fk').execute();
  await db.schema.dropTable('runs').execute();
  await db.schema.dropIndex('match_entries_player_id_idx').execute();
  await db.schema.alterTable('match_entries').dropColumn('player_id').execute();
  await db.schema.alterTable('matches').dropColumn('round').execute();
  await db.schema.alterTable('matches').dropColumn('tournament_id').execute();
  await db.schema.dropTable('tournaments').execute();
  await db.schema.dropTable('players').execute();
}
