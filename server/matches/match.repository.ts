import type { Kysely } from 'kysely';
import type { Database, MatchEntryRow, MatchRow } from '../db/tables.ts';

/** Row values for a new match and its entries. */
export interface NewMatchRows {
  match: {
    id: string;
    room_id: string;
    kind: string;
    task: unknown;
    seed: number;
    budget: number;
    started_at: Date;
    finished_at: Date;
    tournament_id: string | null;
    round: number | null;
    rated: boolean;
    seed_scheme: string | null;
    seed_commitment: string | null;
    seed_salt: string | null;
    status?: 'finished' | 'aborted';
    abort_reason?: string | null;
    /** What is particular to the kind (a GAN battle's rounds); absent for races. */
    detail?: unknown;
  };
  entries: Array<Omit<MatchEntryRow, 'match_id' | 'spec'> & { spec: unknown }>;
}

/** Inserts a match and its entries (call inside a transaction, after the entries' runs). */
export async function insertMatch(db: Kysely<Database>, rows: NewMatchRows): Promise<void> {
  await db
    .insertInto('matches')
    .values({ ...rows.match, task: JSON.stringify(rows.match.task), detail: rows.match.detail === undefined ? null : JSON.stringify(rows.match.detail) })
    .execute();
  if (rows.entries.length > 0) {
    await db
      .insertInto('match_entries')
      .values(rows.entries.map((e) => ({ ...e, match_id: rows.match.id, spec: JSON.stringify(e.spec) })))
      .execute();
  }
}

/** A match row and its entry rows in seat order, or undefined. */
export async function findMatchRows(
  db: Kysely<Database>,
  id: string,
): Promise<{ match: MatchRow; entries: Array<MatchEntryRow & { curve: unknown }> } | undefined> {
  const match = await db.selectFrom('matches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!match) return undefined;
  const entries = await db
    .selectFrom('match_entries')
    .leftJoin('runs', 'runs.id', 'match_entries.run_id')
    .selectAll('match_entries')
    .select('runs.curve')
    .where('match_entries.match_id', '=', id)
    .orderBy('match_entries.seat')
    .execute();
  return { match, entries };
}
