import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';

/** A live match's header row values: the lifecycle without its events. */
export interface LiveMatchHeader {
  id: string;
  roomId: string;
  kind: string;
  /** The phase after the last event written with it. */
  phase: string;
  /** The lifecycle's JSON without `events` and `phase`. */
  header: Record<string, unknown>;
}

/** One event of a live match's log, at its place in the log. */
export interface LiveMatchEventRow {
  seq: number;
  event: unknown;
}

/**
 * Writes a live match's header and the events it has not written yet, in one
 * transaction. Events already there (a retry after a write whose answer was
 * lost) are left as they are: the log is append-only and `seq` says where.
 */
export async function writeLiveMatch(db: Kysely<Database>, header: LiveMatchHeader, events: readonly LiveMatchEventRow[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('live_matches')
      .values({ id: header.id, room_id: header.roomId, kind: header.kind, phase: header.phase, header: JSON.stringify(header.header) })
      .onConflict((oc) => oc.column('id').doUpdateSet({ phase: header.phase, header: JSON.stringify(header.header), updated_at: new Date() }))
      .execute();
    if (events.length === 0) return;
    await trx
      .insertInto('live_match_events')
      .values(events.map((e) => ({ match_id: header.id, seq: e.seq, event: JSON.stringify(e.event) })))
      .onConflict((oc) => oc.columns(['match_id', 'seq']).doNothing())
      .execute();
  });
}

/** Forgets a live match (it was stored, or is over); its events go with it. */
export async function deleteLiveMatch(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('live_matches').where('id', '=', id).execute();
}

/** Every live match with its events in log order, oldest match first (what a server finds at start-up). */
export async function listLiveMatches(db: Kysely<Database>): Promise<Array<LiveMatchHeader & { events: unknown[] }>> {
  const rows = await db.selectFrom('live_matches').selectAll().orderBy('created_at').execute();
  if (rows.length === 0) return [];
  const events = await db
    .selectFrom('live_match_events')
    .select(['match_id', 'seq', 'event'])
    .where('match_id', 'in', rows.map((r) => r.id))
    .orderBy('match_id')
    .orderBy('seq')
    .execute();
  const byMatch = new Map<string, Array<{ seq: number; event: unknown }>>();
  for (const e of events) {
    let list = byMatch.get(e.match_id);
    if (!list) byMatch.set(e.match_id, (list = []));
    list.push({ seq: e.seq, event: e.event });
  }
  return rows.map((r) => {
    const list = byMatch.get(r.id) ?? [];
    // A gap (it cannot happen with writeLiveMatch's order, but a hand-edited table might): the log stops before it.
    const upTo = list.findIndex((e, i) => e.seq !== i);
    return { id: r.id, roomId: r.room_id, kind: r.kind, phase: r.phase, header: r.header as Record<string, unknown>, events: (upTo < 0 ? list : list.slice(0, upTo)).map((e) => e.event) };
  });
}

/** Whether a match with this id is stored already (finished or aborted). */
export async function isMatchStored(db: Kysely<Database>, id: string): Promise<boolean> {
  return (await db.selectFrom('matches').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
