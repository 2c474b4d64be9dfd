import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../server/db/database.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import type { Database } from '../server/db/tables.ts';
import { ACHIEVEMENTS } from '../server/progression/achievements.ts';
import { leaderboard, ownRank } from '../server/progression/leaderboard.service.ts';
import { playerProfile } from '../server/progression/profile.service.ts';
import { applyGrant, syncAchievementDefs } from '../server/progression/progression.repository.ts';
import { LeaderboardQuery } from '../shared/api.schema.ts';
import { createRng } from '../contract/random.ts';

const PLAYERS = Number(process.env.BENCH_PLAYERS ?? 100_000);
const XP_EVENTS = Number(process.env.BENCH_XP_EVENTS ?? 1_000_000);
const SAMPLES = 300;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function time(n: number, f: (i: number) => Promise<unknown>): Promise<{ p50Ms: number; p99Ms: number }> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    ms.push(performance.now() - t);
  }
  return { p50Ms: +percentile(ms, 50).toFixed(2), p99Ms: +percentile(ms, 99).toFixed(2) };
}

/** Seeds players, a million XP events with their totals and weekly rollups, ratings and achievements, in SQL. */
async function seed(db: Kysely<Database>): Promise<void> {
  await sql`insert into players (id, name) select gen_random_uuid(), 'player-' || g from generate_series(1, ${PLAYERS}) g`.execute(db);
  await sql`create temporary table bench_players as select id, row_number() over (order by id) as rn from players`.execute(db);
  await sql`create index on bench_players (rn)`.execute(db);
  await sql`
    insert into xp_events (player_id, amount, reason, source_key, created_at)
    select p.id, 1 + (g * 37) % 100, 'seed', 'seed:' || g, now() - ((g::bigint * 7919) % 5184000) * interval '1 second'
    from generate_series(1, ${XP_EVENTS}) g join bench_players p on p.rn = 1 + (g::bigint * 7919) % ${PLAYERS}`.execute(db);
  await sql`update players p set xp = t.total from (select player_id, sum(amount)::int as total from xp_events group by player_id) t where t.player_id = p.id`.execute(db);
  await sql`
    insert into xp_weekly (player_id, week, amount)
    select player_id, date_trunc('week', created_at at time zone 'utc')::date, sum(amount)::int from xp_events group by 1, 2`.execute(db);
  await sql`
    insert into ratings (player_id, scope, mu, sigma, display, matches)
    select id, 'overall', 25 + (rn % 1000) / 100.0, 2 + (rn % 600) / 100.0, 25 + (rn % 1000) / 100.0 - 3 * (2 + (rn % 600) / 100.0), 1 + rn % 40 from bench_players`.execute(db);
  await sql`
    insert into player_achievements (player_id, achievement_key, progress, tier, unlocked_at)
    select p.id, a.key, 1, 1, now() from bench_players p cross join achievements a where (p.rn * 31 + length(a.key) * 17) % 10 < 3`.execute(db);
  await sql`update players p set achievement_points = t.points from (select player_id, count(*)::int * 20 as points from player_achievements group by player_id) t where t.player_id = p.id`.execute(db);
  // A bulk load leaves the visibility map unset; autovacuum would set it on a live server. Counting ranks is an
  // index-only scan only once it is set, so do now what autovacuum would do.
  await sql`vacuum analyze`.execute(db);
}

export async function dbBench(json: boolean): Promise<void> {
  const log = (s: string) => !json && console.log(s);
  const name = `arena_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  const db = database.db;
  let out: Record<string, unknown>;
  try {
    await migrateToLatest(db);
    await syncAchievementDefs(db, ACHIEVEMENTS);
    let t = performance.now();
    await seed(db);
    const seedSec = (performance.now() - t) / 1000;
    log(`seeded ${PLAYERS} players and ${XP_EVENTS} XP events in ${seedSec.toFixed(1)} s`);

    const ids = (await db.selectFrom('players').select('id').orderBy('id').execute()).map((r) => r.id);
    const rng = createRng(1);
    const pick = () => ids[rng.int(ids.length)]!;
    const boards = [
      LeaderboardQuery.parse({ board: 'xp', period: 'all' }),
      LeaderboardQuery.parse({ board: 'xp', period: 'week' }),
      LeaderboardQuery.parse({ board: 'points', period: 'all' }),
      LeaderboardQuery.parse({ board: 'rating', period: 'all' }),
    ];
    // Warm the caches the way a running server would have them.
    for (let i = 0; i < 20; i++) await leaderboard(db, boards[i % boards.length]!);
    const baseline = await time(SAMPLES, () => sql`select 1`.execute(db));
    const board = await time(SAMPLES, (i) => leaderboard(db, boards[i % boards.length]!));
    const deep = await time(SAMPLES / 3, async (i) => {
      const first = await leaderboard(db, boards[i % boards.length]!);
      return leaderboard(db, { ...boards[i % boards.length]!, cursor: first.nextCursor ?? undefined });
    });
    const own = await time(SAMPLES, (i) => ownRank(db, boards[i % boards.length]!, pick()));
    const profile = await time(SAMPLES, () => playerProfile(db, pick()));

    // Grants from 8 connections at once, each its own transaction, as rooms on several servers would send them.
    const pools = Array.from({ length: 8 }, () => {
      const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
      pool.on('error', () => {}); // the database is dropped at the end; idle connections may hear about it
      return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    });
    const def = ACHIEVEMENTS.find((a) => a.key === 'first-convergence')!;
    const GRANTS = 4000;
    let next = 0;
    t = performance.now();
    await Promise.all(
      pools.map(async (p) => {
        while (next < GRANTS) {
          const i = next++;
          await p.transaction().execute((trx) => applyGrant(trx, { playerId: ids[(i * 7919) % ids.length]!, key: def.key, eventKey: `bench:${i}:${randomUUID()}` }, def));
        }
      }),
    );
    const grantsPerSec = GRANTS / ((performance.now() - t) / 1000);
    await Promise.all(pools.map((p) => p.destroy()));

    out = {
      players: PLAYERS,
      xpEvents: XP_EVENTS,
      baselineSelect1: baseline,
      leaderboard: board,
      leaderboardSecondPage: deep,
      ownRank: own,
      profile,
      leaderboardP99Ms: board.p99Ms,
      ownRankP99Ms: own.p99Ms,
      profileP99Ms: profile.p99Ms,
      /** Each p99 as a multiple of a bare `select 1` round trip's p99, measured in the same run. */
      p99OverSelect1: { leaderboard: +(board.p99Ms / baseline.p99Ms).toFixed(1), ownRank: +(own.p99Ms / baseline.p99Ms).toFixed(1), profile: +(profile.p99Ms / baseline.p99Ms).toFixed(1) },
      grantsPerSec: Math.round(grantsPerSec),
      seedSec: +seedSec.toFixed(1),
    };
    log(`select 1: p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms`);
    log(`leaderboard page: p50 ${board.p50Ms} ms, p99 ${board.p99Ms} ms (second page: p99 ${deep.p99Ms} ms for both pages)`);
    log(`own rank: p50 ${own.p50Ms} ms, p99 ${own.p99Ms} ms`);
    log(`profile: p50 ${profile.p50Ms} ms, p99 ${profile.p99Ms} ms`);
    log(`achievement grants: ${Math.round(grantsPerSec)} per second from 8 connections`);
  } finally {
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  // Last, after the teardown: dropping the database can make a pool that is still closing log a line.
  console.log(JSON.stringify(out));
}
