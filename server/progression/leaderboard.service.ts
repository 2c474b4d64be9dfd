import { sql, type Kysely } from 'kysely';
import type { LeaderboardPage, LeaderboardQuery, LeaderboardRow } from '../../shared/api.schema.ts';
import type { Database } from '../db/tables.ts';
import { weekOf } from './xp.rules.ts';

/** Where a board's scores live: a table, its score column, and the rows that count. */
interface Source {
  table: 'players' | 'ratings' | 'xp_weekly' | 'points_weekly';
  score: string;
  player: string;
  where: ReturnType<typeof sql>;
}

function sourceOf(q: LeaderboardQuery, now: Date): Source {
  const week = weekOf(now);
  if (q.board === 'rating') {
    const since = new Date(`${week}T00:00:00Z`);
    return { table: 'ratings', score: 'display', player: 'player_id', where: q.period === 'week' ? sql`scope = ${q.task} and updated_at >= ${since}` : sql`scope = ${q.task}` };
  }
  if (q.period === 'week') return { table: q.board === 'xp' ? 'xp_weekly' : 'points_weekly', score: 'amount', player: 'player_id', where: sql`week = ${week}` };
  return { table: 'players', score: q.board === 'xp' ? 'xp' : 'achievement_points', player: 'id', where: sql`true` };
}

interface Cursor {
  score: number;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** Reads a cursor from a previous page; a malformed one is the caller's mistake. */
export function decodeCursor(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.score === 'number' && typeof c.id === 'string') return c;
  } catch {
    // fall through
  }
  throw new BadCursorError('cursor is not one this server gave out');
}

export class BadCursorError extends Error {
  readonly code = 'BAD_CURSOR' as const;
}

/** How many rows on the board score above `score`, and how many score exactly `score`. */
async function countAround(db: Kysely<Database>, src: Source, score: number): Promise<{ above: number; equal: number }> {
  const t = sql.table(src.table);
  const col = sql.ref(src.score);
  const r = await sql<{ above: string | number; equal: string | number }>`
    select count(*) filter (where ${col} > ${score}) as above, count(*) filter (where ${col} = ${score}) as equal
    from ${t} where ${src.where} and ${col} >= ${score}`.execute(db);
  return { above: Number(r.rows[0]!.above), equal: Number(r.rows[0]!.equal) };
}

function fromPlayers(src: Source) {
  const t = sql.table(src.table);
  const pid = sql.ref(`s.${src.player}`);
  return src.table === 'players' ? sql`${t} as s join players p on p.id = s.id` : sql`${t} as s join players p on p.id = ${pid}`;
}

/**
 * One page of a board, best first, with competition ranks (ties share a rank:
 * 1, 2, 2, 4) and keyset paging on (score, player id), plus the asked-for
 * player's own rank however far down they are. Two index-range counts give
 * every rank on the page; no query scans the whole board.
 */
export async function leaderboard(db: Kysely<Database>, q: LeaderboardQuery, now = new Date()): Promise<LeaderboardPage> {
  const src = sourceOf(q, now);
  const score = sql.ref(`s.${src.score}`);
  const pid = sql.ref(`s.${src.player}`);
  const after = q.cursor ? decodeCursor(q.cursor) : undefined;
  const keyset = after ? sql`and (${score} < ${after.score} or (${score} = ${after.score} and ${pid} > ${after.id}))` : sql``;
  const rows = await sql<{ player_id: string; name: string; score: number }>`
    select ${pid} as player_id, p.name, ${score} as score
    from ${fromPlayers(src)}
    where ${src.where} ${keyset}
    order by ${score} desc, ${pid} asc
    limit ${q.limit + 1}`.execute(db);
  const page = rows.rows.slice(0, q.limit).map((r) => ({ ...r, score: Number(r.score) }));
  const entries: LeaderboardRow[] = [];
  if (page.length > 0) {
    const top = page[0]!.score;
    const { above, equal } = await countAround(db, src, top);
    page.forEach((r, i) => {
      // Rows between this score and the page's top score are all on this page: the board is sorted.
      const between = page.slice(0, i).filter((x) => x.score < top && x.score > r.score).length;
      const rank = r.score === top ? above + 1 : above + equal + between + 1;
      entries.push({ rank, playerId: r.player_id, name: r.name, score: r.score });
    });
  }
  const me = q.player ? await ownRank(db, q, q.player, now) : null;
  const last = page.at(-1);
  return {
    board: q.board,
    period: q.period,
    task: q.board === 'rating' ? q.task : 'overall',
    entries,
    nextCursor: rows.rows.length > q.limit && last ? encodeCursor({ score: last.score, id: last.player_id }) : null,
    me,
  };
}

/** A player's place on a board (1 + everyone scoring higher), or null when they are not on it. */
export async function ownRank(db: Kysely<Database>, q: Pick<LeaderboardQuery, 'board' | 'period' | 'task'>, playerId: string, now = new Date()): Promise<LeaderboardRow | null> {
  const src = sourceOf(q as LeaderboardQuery, now);
  const score = sql.ref(`s.${src.score}`);
  const pid = sql.ref(`s.${src.player}`);
  const mine = await sql<{ name: string; score: number }>`
    select p.name, ${score} as score from ${fromPlayers(src)} where ${src.where} and ${pid} = ${playerId}`.execute(db);
  const row = mine.rows[0];
  if (!row) return null;
  const above = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(src.table)} where ${src.where} and ${sql.ref(src.score)} > ${Number(row.score)}`.execute(db);
  return { rank: Number(above.rows[0]!.n) + 1, playerId, name: row.name, score: Number(row.score) };
}
