import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * A scored lesson's best (the speed run: the fewest training samples a passing run spent) on the player's
 * progress row, for the player's card and the lesson's board:
 * - `best_samples` the score, `best_run_id` that run, `best_held_out_accuracy` its held-out score and
 *   `best_at` when it was set (the board puts the earlier of two equal bests first);
 * - all four are null on a lesson that is not scored, and set together on one that is;
 * - rows of the speed run passed before this migration take their passing run's samples from `runs`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('lesson_progress')
    .addColumn('best_samples', 'integer', (c) => c.check(sql`best_samples >= 0`))
    .addColumn('best_run_id', 'uuid')
    .addColumn('best_held_out_accuracy', 'double precision', (c) => c.check(sql`best_held_out_accuracy between 0 and 1`))
    .addColumn('best_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('lesson_progress')
    .addCheckConstraint('lesson_progress_best_whole', sql`(best_samples is null) = (best_run_id is null) and (best_samples is null) = (best_held_out_accuracy is null) and (best_samples is null) = (best_at is null)`)
    .execute();
  await db.schema.createIndex('lesson_progress_board').on('lesson_progress').columns(['lesson_id', 'best_samples', 'best_at']).where(sql.ref('best_samples'), 'is not', null).execute();
  await sql`
    update lesson_progress lp
    set best_samples = r.samples, best_run_id = lp.run_id, best_held_out_accuracy = lp.held_out_accuracy, best_at = lp.passed_at
    from runs r
    where r.id = lp.run_id and lp.lesson_id = 'speed-run'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('lesson_progress_board').execute();
  await db.schema.alterTable('lesson_progress').dropConstraint('lesson_progress_best_whole').execute();
  await db.schema.alterTable('lesson_progress').dropColumn('best_samples').dropColumn('best_run_id').dropColumn('best_held_out_accuracy').dropColumn('best_at').execute();
}
