import { sql, type Kysely } from 'kysely';
import type { LeaderboardPage, LeaderboardQuery, LeaderboardRow } from '../../shared/api.schema.ts';
import type { Database } from '../db/tables.ts';
import { weekOf } from './xp.rules.ts';
import { shownRating } from '../../shared/rating-scale.ts';

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
    return { table: 'ratings', score: 'display', player: 'player_id', where: q.period === 'week' ? sql`s.scope = ${q.task} and s.updated_at >= ${since}` : sql`s.scope = ${q.task}` };
  }
  // Nothing yet is not a tie at 0: such players are listed apart (see `apart`).
  if (q.period === 'week') return { table: q.board === 'xp' ? 'xp_weekly' : 'points_weekly', score: 'amount', player: 'player_id', where: sql`s.week = ${week} and s.amount > 0` };
  return q.board === 'xp' ? { table: 'players', score: 'xp', player: 'id', where: sql`s.xp > 0` } : { table: 'players', score: 'achievement_points', player: 'id', where: sql`s.achievement_points > 0` };
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
    from ${t} as s where ${src.where} and ${col} >= ${score}`.execute(db);
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
  const search = q.search ? sql`and p.name ilike ${`%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}` : sql``;
  const rows = await sql<{ player_id: string; name: string; score: number }>`
    select ${pid} as player_id, p.name, ${score} as score
    from ${fromPlayers(src)}
    where ${src.where} ${search} ${keyset}
    order by ${score} desc, ${pid} asc
    limit ${q.limit + 1}`.execute(db);
  const page = rows.rows.slice(0, q.limit).map((r) => ({ ...r, score: Number(r.score) }));
  const ranked: Array<{ rank: number; playerId: string; name: string; score: number }> = [];
  if (page.length > 0 && q.search) {
    // A search's rows are scattered over the board: each one's rank is its own count.
    for (const r of page) ranked.push({ rank: (await countAround(db, src, r.score)).above + 1, playerId: r.player_id, name: r.name, score: r.score });
  } else if (page.length > 0) {
    const top = page[0]!.score;
    const { above, equal } = await countAround(db, src, top);
    page.forEach((r, i) => {
      // Rows between this score and the page's top score are all on this page: the board is sorted.
      const between = page.slice(0, i).filter((x) => x.score < top && x.score > r.score).length;
      const rank = r.score === top ? above + 1 : above + equal + between + 1;
      ranked.push({ rank, playerId: r.player_id, name: r.name, score: r.score });
    });
  }
  const mine = q.player ? await rawOwnRank(db, q, q.player, now) : null;
  const [entries, me] = await decorate(db, q, now, ranked, mine);
  const last = page.at(-1);
  return {
    board: q.board,
    period: q.period,
    task: q.board === 'rating' ? q.task : 'overall',
    entries,
    nextCursor: rows.rows.length > q.limit && last ? encodeCursor({ score: last.score, id: last.player_id }) : null,
    me,
    apart: await apart(db, src),
  };
}

/** How many players recently made are shown apart from a board. */
const APART_SHOWN = 5;

/** Players not on the board (no rated match in its scope, or nothing yet): how many, and the newest few. */
async function apart(db: Kysely<Database>, src: Source): Promise<LeaderboardPage['apart']> {
  const t = sql.table(src.table);
  const on = sql.ref(`s.${src.player}`);
  const missing = sql`not exists (select 1 from ${t} as s where ${on} = p.id and ${src.where})`;
  const [count, recent] = await Promise.all([
    sql<{ n: string | number }>`select count(*) as n from players p where ${missing}`.execute(db),
    sql<{ id: string; name: string }>`select p.id, p.name from players p where ${missing} order by p.created_at desc, p.id limit ${APART_SHOWN}`.execute(db),
  ]);
  return { count: Number(count.rows[0]!.n), recent: recent.rows.map((r) => ({ playerId: r.id, name: r.name })) };
}

/**
 * Adds what a row shows beyond its place: matches played, won and lost in the board's scope (`overall`
 * for XP and points), and on rating boards the shown rating and how far it moved since a week ago.
 */
async function decorate(
  db: Kysely<Database>,
  q: Pick<LeaderboardQuery, 'board' | 'task'>,
  now: Date,
  rows: ReadonlyArray<{ rank: number; playerId: string; name: string; score: number }>,
  mine: { rank: number; playerId: string; name: string; score: number } | null,
): Promise<[LeaderboardRow[], LeaderboardRow | null]> {
  const all = mine ? [...rows, mine] : [...rows];
  const ids = [...new Set(all.map((r) => r.playerId))];
  const scope = q.board === 'rating' ? q.task : 'overall';
  const record = ids.length ? await db.selectFrom('ratings').select(['player_id', 'matches', 'wins', 'losses']).where('scope', '=', scope).where('player_id', 'in', ids).execute() : [];
  const byId = new Map(record.map((r) => [r.player_id, r]));
  const weekAgo = new Date(now.getTime() - WEEK_MS);
  const then =
    q.board === 'rating' && ids.length
      ? await sql<{ player_id: string; display: number }>`
          select distinct on (player_id) player_id, display from rating_history
          where scope = ${scope} and created_at < ${weekAgo} and player_id in (${sql.join(ids)})
          order by player_id, created_at desc, id desc`.execute(db)
      : { rows: [] };
  const before = new Map(then.rows.map((r) => [r.player_id, Number(r.display)]));
  const row = (r: { rank: number; playerId: string; name: string; score: number }): LeaderboardRow => {
    const rec = byId.get(r.playerId);
    const shown = q.board === 'rating' ? shownRating(r.score) : r.score;
    const was = before.get(r.playerId);
    return { rank: r.rank, playerId: r.playerId, name: r.name, score: shown, matches: rec?.matches ?? 0, wins: rec?.wins ?? 0, losses: rec?.losses ?? 0, movement: q.board === 'rating' && was !== undefined ? shown - shownRating(was) : null };
  };
  return [rows.map(row), mine ? row(mine) : null];
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** A player's place on a board (1 + everyone scoring higher), with their record, or null when they are not on it. */
export async function ownRank(db: Kysely<Database>, q: Pick<LeaderboardQuery, 'board' | 'period' | 'task'>, playerId: string, now = new Date()): Promise<LeaderboardRow | null> {
  const raw = await rawOwnRank(db, q, playerId, now);
  return raw ? (await decorate(db, q, now, [], raw))[1] : null;
}

async function rawOwnRank(db: Kysely<Database>, q: Pick<LeaderboardQuery, 'board' | 'period' | 'task'>, playerId: string, now: Date): Promise<{ rank: number; playerId: string; name: string; score: number } | null> {
  const src = sourceOf(q as LeaderboardQuery, now);
  const score = sql.ref(`s.${src.score}`);
  const pid = sql.ref(`s.${src.player}`);
  const mine = await sql<{ name: string; score: number }>`
    select p.name, ${score} as score from ${fromPlayers(src)} where ${src.where} and ${pid} = ${playerId}`.execute(db);
  const row = mine.rows[0];
  if (!row) return null;
  const above = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(src.table)} as s where ${src.where} and ${sql.ref(src.score)} > ${Number(row.score)}`.execute(db);
  return { rank: Number(above.rows[0]!.n) + 1, playerId, name: row.name, score: Number(row.score) };
}
