import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';

/** A tournament about to play its first match. */
export interface NewTournament {
  id: string;
  name: string;
  format: 'single_elimination' | 'swiss';
  task: unknown;
}

/**
 * Stores a tournament as running, so that its matches can point at it as they
 * finish; `recordTournamentResult` marks it finished with its ranking.
 */
export async function insertTournament(db: Kysely<Database>, t: NewTournament): Promise<void> {
  await db
    .insertInto('tournaments')
    .values({ id: t.id, name: t.name, format: t.format, task: JSON.stringify(t.task), status: 'running', champion_id: null, ranking: null, finished_at: null })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** A stored tournament's status, champion, ranking (player ids, champion first) and its matches' ids by round. */
export async function findTournament(
  db: Kysely<Database>,
  id: string,
): Promise<{ status: 'running' | 'finished' | 'aborted'; championId: string | null; ranking: string[] | null; matches: Array<{ id: string; round: number | null }> } | undefined> {
  const row = await db.selectFrom('tournaments').select(['status', 'champion_id', 'ranking']).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const matches = await db.selectFrom('matches').select(['id', 'round']).where('tournament_id', '=', id).orderBy('round').orderBy('finished_at').execute();
  const ranking = typeof row.ranking === 'string' ? (JSON.parse(row.ranking) as string[]) : (row.ranking as string[] | null);
  return { status: row.status, championId: row.champion_id, ranking, matches };
}

/** Closes a tournament that was called off (its round could not be carried on after a restart): status aborted, no ranking. */
export async function abortTournament(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('tournaments').set({ status: 'aborted', finished_at: new Date() }).where('id', '=', id).where('status', '=', 'running').execute();
}
