import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { ordinal, rate, rating } from 'openskill';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArenaDatabase } from '../server/db/database.ts';
import type { Database } from '../server/db/tables.ts';
import { ACHIEVEMENTS } from '../server/progression/achievements.ts';
import { leaderboard } from '../server/progression/leaderboard.service.ts';
import { playerProfile } from '../server/progression/profile.service.ts';
import { applyGrant, grantXp, insertPlayer } from '../server/progression/progression.repository.ts';
import { recordGanResult, recordRaceResult, recordSoloRun, recordTournamentResult } from '../server/progression/progression.service.ts';
import { runRecordOf } from '../server/runs/run.record.ts';
import { ganXp } from '../server/progression/xp.rules.ts';
import { shownRating } from '../shared/rating-scale.ts';
import { TaskSpec } from '../shared/task.schema.ts';
import { LeaderboardQuery } from '../shared/api.schema.ts';
import type { ModelSpecInput } from '../shared/model-spec.schema.ts';
import { Control } from '../shared/control.schema.ts';
import { GanJob, type GanFrame } from '../shared/gan.schema.ts';
import { TrainJob, type RunEvent, type RunResult, type TrainJobInput } from '../shared/run.schema.ts';
import { runGan } from '../workers/engine/gan.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { ganBattleOf, progressionDatabase, raceOf, type TestEntry } from './support/progression.ts';
import { hasPostgres } from './support/services.ts';

const postgres = await hasPostgres();

async function newPlayer(db: Kysely<Database>, name: string): Promise<string> {
  const id = randomUUID();
  await insertPlayer(db, id, name);
  return id;
}

/** Trains a real run; `react` may answer events with controls, as a player would. */
async function train(input: Partial<TrainJobInput> & Pick<TrainJobInput, 'spec'>, react?: (e: RunEvent) => Control[]): Promise<{ job: TrainJob; result: RunResult; events: RunEvent[] }> {
  const job = TrainJob.parse({ runId: randomUUID(), task: { name: 'spiral' }, seed: 3, budget: 20_000, ...input });
  const events: RunEvent[] = [];
  const inbox: Control[] = [];
  const result = await runTraining(job, {
    pullControls: () => inbox.splice(0),
    onEvent: (e) => {
      events.push(e);
      inbox.push(...(react?.(e) ?? []));
    },
  });
  return { job, result, events };
}

const SMALL: ModelSpecInput = { layers: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 };

async function achievement(db: Kysely<Database>, playerId: string, key: string) {
  return db.selectFrom('player_achievements').selectAll().where('player_id', '=', playerId).where('achievement_key', '=', key).executeTakeFirst();
}

function suite(kind: 'pglite' | 'postgres') {
  describe(`progression on ${kind}`, () => {
    let database: ArenaDatabase;
    let cleanup: () => Promise<void>;
    let url: string | undefined;
    let db: Kysely<Database>;
    let runs: { a: Awaited<ReturnType<typeof train>>; b: Awaited<ReturnType<typeof train>> };

    beforeAll(async () => {
      await initBackend();
      ({ database, cleanup, url } = await progressionDatabase(kind));
      db = database.db;
      runs = { a: await train({ spec: SMALL, budget: 6000 }), b: await train({ spec: { ...SMALL, layers: [{ units: 8, activation: 'tanh' }] }, budget: 6000 }) };
    });
    afterAll(async () => cleanup?.());

    it("a race's result updates ratings as OpenSkill says, overall and on the task, with history", async () => {
      const ids = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((n) => newPlayer(db, n)));
      const entry = (i: number, rank: number): TestEntry => ({ playerId: ids[i]!, name: `p${i + 1}`, rank, job: { ...runs.a.job, runId: randomUUID() }, result: runs.a.result });
      await recordRaceResult(db, raceOf([entry(0, 2), entry(1, 1), entry(2, 4), entry(3, 3)]));
      await recordRaceResult(db, raceOf([entry(0, 1), entry(1, 3), entry(2, 2), entry(3, 4)]));
      const first = rate([[rating()], [rating()], [rating()], [rating()]], { rank: [2, 1, 4, 3] }).map(([r]) => r!);
      const second = rate(first.map((r) => [r]), { rank: [1, 3, 2, 4] }).map(([r]) => r!);
      for (const scope of ['overall', 'spiral']) {
        const rows = await db.selectFrom('ratings').selectAll().where('scope', '=', scope).where('player_id', 'in', ids).execute();
        for (const [i, id] of ids.entries()) {
          const row = rows.find((r) => r.player_id === id)!;
          expect(row.mu).toBeCloseTo(second[i]!.mu, 9);
          expect(row.sigma).toBeCloseTo(second[i]!.sigma, 9);
          expect(row.display).toBeCloseTo(ordinal(second[i]!), 9);
          expect(row.matches).toBe(2);
        }
      }
      const history = await db.selectFrom('rating_history').select(['display']).where('player_id', '=', ids[0]!).where('scope', '=', 'overall').orderBy('created_at').orderBy('id').execute();
      expect(history.map((h) => h.display)).toEqual([ordinal(first[0]!), ordinal(second[0]!)].map((v) => expect.closeTo(v, 9)));
    });

    it('the same achievement event delivered twice grants once', async () => {
      const p = await newPlayer(db, 'twice');
      const def = ACHIEVEMENTS.find((a) => a.key === 'first-convergence')!;
      const grant = { playerId: p, key: def.key, eventKey: 'run:abc' } as const;
      expect(await db.transaction().execute((trx) => applyGrant(trx, grant, def))).toEqual([1]);
      expect(await db.transaction().execute((trx) => applyGrant(trx, grant, def))).toEqual([]);
      expect(await achievement(db, p, def.key)).toMatchObject({ progress: 1, tier: 1 });
      const player = await db.selectFrom('players').selectAll().where('id', '=', p).executeTakeFirstOrThrow();
      expect(player.achievement_points).toBe(10);
      expect(player.xp).toBe(10);
    });

    if (kind === 'postgres') {
      it('the same event sent concurrently from two connections grants once', async () => {
        const p = await newPlayer(db, 'race-cond');
        const def = ACHIEVEMENTS.find((a) => a.key === 'tournament-champion')!;
        const connections = [0, 1].map(() => {
          const pool = new pg.Pool({ connectionString: url, max: 2 });
          pool.on('error', () => {}); // the test database is dropped afterwards
          return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
        });
        try {
          for (let round = 0; round < 5; round++) {
            const grant = { playerId: p, key: def.key, eventKey: `tournament:${round}` } as const;
            const results = await Promise.all(connections.map((c) => c.transaction().execute((trx) => applyGrant(trx, grant, def))));
            expect(results.filter((r) => r.length > 0).length).toBeLessThanOrEqual(1);
          }
        } finally {
          await Promise.all(connections.map((c) => c.destroy()));
        }
        expect(await achievement(db, p, def.key)).toMatchObject({ progress: 5, tier: 2 });
        const player = await db.selectFrom('players').selectAll().where('id', '=', p).executeTakeFirstOrThrow();
        expect(player.achievement_points).toBe(100 + 200);
      });
    }

    it('XP totals, overall and weekly, equal the sum of their events', async () => {
      const p = await newPlayer(db, 'xp');
      await grantXp(db, p, 20, 'race', 'x1');
      await grantXp(db, p, 20, 'race again (same key)', 'x1');
      await grantXp(db, p, 35, 'other', 'x2');
      await recordRaceResult(db, raceOf([{ playerId: p, name: 'xp', rank: 1, job: { ...runs.a.job, runId: randomUUID() }, result: runs.a.result, events: runs.a.events }]));
      const all = await sql<{ id: string; xp: number; events: number; weekly: number }>`
        select p.id, p.xp, coalesce((select sum(amount) from xp_events e where e.player_id = p.id), 0)::int as events,
               coalesce((select sum(amount) from xp_weekly w where w.player_id = p.id), 0)::int as weekly
        from players p`.execute(db);
      expect(all.rows.length).toBeGreaterThan(3);
      for (const r of all.rows) {
        expect(r.xp).toBe(r.events);
        expect(r.weekly).toBe(r.events);
      }
      expect(all.rows.find((r) => r.id === p)!.xp).toBeGreaterThanOrEqual(55);
    });

    it('leaderboards order by score with shared ranks for ties, page by cursor, and find a player far down', async () => {
      const scores = [500, 400, 400, 400, 300, 7];
      const ids: string[] = [];
      for (const [i, s] of scores.entries()) {
        const id = await newPlayer(db, `board-${i}`);
        ids.push(id);
        await grantXp(db, id, s, 'seed', `board:${id}`);
      }
      const q = (extra: Record<string, unknown>) => LeaderboardQuery.parse({ board: 'xp', period: 'all', ...extra });
      const everyone = await leaderboard(db, q({ limit: 100 }));
      const ours = everyone.entries.filter((e) => ids.includes(e.playerId));
      expect(ours.map((e) => e.score)).toEqual(scores);
      const rankOf = (id: string) => everyone.entries.find((e) => e.playerId === id)!.rank;
      expect(rankOf(ids[1]!)).toBe(rankOf(ids[2]!));
      expect(rankOf(ids[2]!)).toBe(rankOf(ids[3]!));
      expect(rankOf(ids[4]!)).toBe(rankOf(ids[1]!) + 3);
      // Every rank is 1 + the number of players with a higher score.
      for (const e of everyone.entries) expect(e.rank).toBe(1 + everyone.entries.filter((x) => x.score > e.score).length);
      // Paging two at a time walks the same order, ranks included, even through the tie.
      const walked = [];
      let cursor: string | undefined;
      do {
        const page = await leaderboard(db, q({ limit: 2, cursor }));
        walked.push(...page.entries);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(walked).toEqual(everyone.entries);
      const me = await leaderboard(db, q({ limit: 1, player: ids[5] }));
      expect(me.me).toMatchObject({ playerId: ids[5], score: 7, rank: rankOf(ids[5]!) });
      const tied = await leaderboard(db, q({ limit: 1, player: ids[3] }));
      expect(tied.me!.rank).toBe(rankOf(ids[1]!));
      const weekly = await leaderboard(db, q({ period: 'week', limit: 100 }));
      expect(weekly.entries.find((e) => e.playerId === ids[0])!.score).toBe(500);
      const rated = await leaderboard(db, LeaderboardQuery.parse({ board: 'rating', task: 'spiral', limit: 100 }));
      expect(rated.entries.length).toBeGreaterThanOrEqual(4);
      expect(rated.entries.every((e, i) => i === 0 || e.score <= rated.entries[i - 1]!.score)).toBe(true);
      await expect(leaderboard(db, q({ cursor: 'not-a-cursor' }))).rejects.toThrow('cursor is not one this server gave out');
    });

    it('boards show matches, W–L, movement since a week ago on a positive scale, search by name, and list players with nothing apart', async () => {
      const tag = randomUUID().slice(0, 6);
      const ids = await Promise.all(['up', 'down', 'idle'].map((n) => newPlayer(db, `${n}_${tag}`)));
      const [up, down, idle] = ids as [string, string, string];
      const entry = (id: string, rank: number): TestEntry => ({ playerId: id, name: id, rank, job: { ...runs.a.job, runId: randomUUID() }, result: runs.a.result });
      const now = new Date();
      const lastWeek = new Date(now.getTime() - 9 * 24 * 3600 * 1000);
      await recordRaceResult(db, raceOf([entry(down, 1), entry(up, 2)], TaskSpec.parse({ name: 'xor' })), lastWeek);
      await recordRaceResult(db, raceOf([entry(up, 1), entry(down, 2)], TaskSpec.parse({ name: 'xor' })), now);
      await recordRaceResult(db, raceOf([entry(up, 1), entry(down, 2)], TaskSpec.parse({ name: 'xor' })), now);
      const board = await leaderboard(db, LeaderboardQuery.parse({ board: 'rating', task: 'xor', search: tag, player: idle }), now);
      const row = (id: string) => board.entries.find((e) => e.playerId === id)!;
      expect(board.entries.map((e) => e.playerId)).toEqual([up, down]); // the search finds only ours; idle has no rated match
      expect(row(up)).toMatchObject({ matches: 3, wins: 2, losses: 1 });
      expect(row(down)).toMatchObject({ matches: 3, wins: 1, losses: 2 });
      const shown = async (id: string) => shownRating((await db.selectFrom('ratings').select('display').where('player_id', '=', id).where('scope', '=', 'xor').executeTakeFirstOrThrow()).display);
      const then = async (id: string) => shownRating((await db.selectFrom('rating_history').select('display').where('player_id', '=', id).where('scope', '=', 'xor').where('created_at', '<', now).executeTakeFirstOrThrow()).display);
      expect(row(up).score).toBe(await shown(up));
      expect(row(up).movement).toBe((await shown(up)) - (await then(up)));
      expect(row(up).movement).toBeGreaterThan(0);
      expect(row(down).movement).toBeLessThan(0);
      for (const e of board.entries) expect(e.score).toBeGreaterThan(0); // a loss never shows a negative rating
      // The ranks of a search are the whole board's.
      const whole = await leaderboard(db, LeaderboardQuery.parse({ board: 'rating', task: 'xor', limit: 100 }), now);
      expect(board.entries.map((e) => e.rank)).toEqual([up, down].map((id) => whole.entries.find((e) => e.playerId === id)!.rank));
      // Not on the board: listed apart, not as a tie at 0.
      expect(board.me).toBeNull();
      expect(board.apart.count).toBeGreaterThanOrEqual(1);
      expect(board.apart.recent.map((p) => p.playerId)).toContain(idle);
      const xp = await leaderboard(db, LeaderboardQuery.parse({ board: 'xp', limit: 100, search: tag }), now);
      expect(xp.entries.map((e) => e.playerId).sort()).toEqual([up, down].sort());
      expect(xp.entries.every((e) => e.score > 0 && e.movement === null)).toBe(true);
      expect(xp.entries.find((e) => e.playerId === up)).toMatchObject({ matches: 3, wins: 2, losses: 1 });
      // A search with LIKE's wildcards in it matches them literally.
      expect((await leaderboard(db, LeaderboardQuery.parse({ board: 'xp', search: '%' }), now)).entries).toEqual([]);
    });

    it('a passed playground challenge adds XP and counts toward Challenger, once per run; an unpassed one adds nothing', async () => {
      const p = await newPlayer(db, 'challenger');
      const solo = (credit?: Parameters<typeof recordSoloRun>[3]) =>
        recordSoloRun(db, runRecordOf({ ...runs.b.job, runId: randomUUID() }, { result: runs.b.result, events: [], playerId: p, matchId: null }), [], credit);
      const challenger = (unlocks: Awaited<ReturnType<typeof recordSoloRun>>) => unlocks.filter((u) => u.key === 'challenger').map((u) => u.tier);
      expect(challenger(await solo({ challengePassed: 'smallest' }))).toEqual([1]);
      expect(challenger(await solo())).toEqual([]);
      const tiers: number[] = [];
      for (let i = 0; i < 4; i++) tiers.push(...challenger(await solo({ challengePassed: 'target' })));
      expect(tiers, 'the fifth pass reaches tier 2').toEqual([2]);
      const xp = await db.selectFrom('xp_events').select(['amount', 'reason']).where('player_id', '=', p).where('source_key', 'like', 'challenge:%').orderBy('id').execute();
      expect(xp).toEqual([{ amount: 40, reason: 'challenge passed (smallest)' }, ...Array.from({ length: 4 }, () => ({ amount: 25, reason: 'challenge passed (target)' }))]);
      const progress = await db.selectFrom('player_achievements').selectAll().where('player_id', '=', p).where('achievement_key', '=', 'challenger').executeTakeFirst();
      expect(progress).toMatchObject({ progress: 5, tier: 2 });
    });

    it("a player's profile has level, achievements with progress and rarity, ratings, history and recent matches", async () => {
      const p = await newPlayer(db, 'profiled');
      await recordRaceResult(db, raceOf([{ playerId: p, name: 'profiled', rank: 1, job: { ...runs.a.job, runId: randomUUID() }, result: runs.a.result, events: runs.a.events }, { playerId: await newPlayer(db, 'other'), name: 'other', rank: 2, job: { ...runs.b.job, runId: randomUUID() }, result: runs.b.result }]));
      const profile = (await playerProfile(db, p))!;
      expect(profile.level).toBeGreaterThanOrEqual(1);
      expect(profile.xp).toBeGreaterThanOrEqual(profile.levelStart);
      expect(profile.xp).toBeLessThan(profile.nextLevelAt);
      expect(profile.achievements).toHaveLength(ACHIEVEMENTS.length);
      expect(profile.achievements.every((a) => a.rarity >= 0 && a.rarity <= 1)).toBe(true);
      expect(profile.ratings.map((r) => r.scope).sort()).toEqual(['overall', 'spiral']);
      expect(profile.ratingHistory.length).toBe(2);
      expect(profile.recentMatches[0]).toMatchObject({ task: 'spiral', rank: 1, players: 2 });
      expect(await playerProfile(db, 'nope')).toBeUndefined();
    });

    it('an unrated match (a custom seed) is stored and moves no rating, XP or achievement; neither does its tournament or a GAN battle', async () => {
      const [p, q] = await Promise.all(['custom1', 'custom2'].map((n) => newPlayer(db, n)));
      const race = raceOf(
        [
          { playerId: p!, name: 'custom1', rank: 1, job: { ...runs.a.job, runId: randomUUID() }, result: runs.a.result, events: runs.a.events },
          { playerId: q!, name: 'custom2', rank: 2, job: { ...runs.b.job, runId: randomUUID() }, result: runs.b.result },
        ],
        undefined,
        { rated: false },
      );
      expect(await recordRaceResult(db, race)).toEqual([]);
      const stored = await db.selectFrom('matches').select(['rated', 'seed', 'seed_commitment', 'seed_salt']).where('id', '=', race.match.id).executeTakeFirstOrThrow();
      expect(stored).toEqual({ rated: false, seed: race.match.seed, seed_commitment: race.match.seedReveal!.commitment, seed_salt: race.match.seedReveal!.salt });
      expect(await db.selectFrom('match_entries').select('run_id').where('match_id', '=', race.match.id).execute()).toHaveLength(2);
      for (const table of ['ratings', 'rating_history', 'xp_events', 'player_achievements'] as const) {
        expect(await db.selectFrom(table).select('player_id').where('player_id', 'in', [p!, q!]).execute(), table).toEqual([]);
      }
      const t = { id: randomUUID(), name: 'Custom Cup', format: 'swiss' as const, task: { name: 'spiral' }, ranking: [p!, q!], rated: false };
      expect(await recordTournamentResult(db, t)).toEqual([]);
      const battle = ganBattleOf({ generatorPlayerId: p!, discriminatorPlayerId: q!, generatorWon: true, rated: false });
      expect(await recordGanResult(db, battle)).toEqual([]);
      expect(await db.selectFrom('matches').select(['kind', 'rated']).where('id', '=', battle.id).executeTakeFirstOrThrow()).toEqual({ kind: 'gan', rated: false });
      const player = await db.selectFrom('players').select(['xp', 'achievement_points']).where('id', '=', q!).executeTakeFirstOrThrow();
      expect(player).toEqual({ xp: 0, achievement_points: 0 });
    });
  });
}

suite('pglite');
if (postgres) suite('postgres');

describe.skipIf(!postgres)('each achievement, unlocked by the real events that should unlock it (Postgres)', () => {
  let database: ArenaDatabase;
  let cleanup: () => Promise<void>;
  let db: Kysely<Database>;
  beforeAll(async () => {
    await initBackend();
    ({ database, cleanup } = await progressionDatabase('postgres'));
    db = database.db;
  });
  afterAll(async () => cleanup?.());

  const solo = async (playerId: string, t: Awaited<ReturnType<typeof train>>) =>
    recordSoloRun(db, runRecordOf(t.job, { result: t.result, events: t.events, playerId, matchId: null }), t.events);

  it('First Convergence, Speed Run, Resource Efficiency and Architecture Puzzle from a run that reaches its target first', async () => {
    const p = await newPlayer(db, 'first');
    const unlocked = (await solo(p, await train({ task: { name: 'circles' }, spec: SMALL, budget: 8000 }))).map((u) => u.key);
    expect(unlocked.sort()).toEqual(['architecture-puzzle', 'first-convergence', 'resource-efficiency', 'speed-run']);
    // A slower, bigger network on the same task breaks no record.
    const q = await newPlayer(db, 'second');
    const slower = await train({ task: { name: 'circles' }, spec: { ...SMALL, layers: [{ units: 32, activation: 'relu' }, { units: 32, activation: 'relu' }], learningRate: 0.003 }, budget: 20_000 });
    const converged = slower.events.find((e) => e.type === 'converged');
    expect(converged).toBeDefined();
    expect((await solo(q, slower)).map((u) => u.key)).toEqual(['first-convergence']);
  });

  it('Vanishing Gradient: gradients vanish in a deep sigmoid network, then come back after switching to ReLU', async () => {
    const p = await newPlayer(db, 'vanish');
    const run = await train({ task: { name: 'circles' }, spec: { layers: Array.from({ length: 8 }, () => ({ units: 16, activation: 'sigmoid' })), optimizer: 'sgd', learningRate: 0.1, batchSize: 32 }, budget: 8000 }, (e) =>
      e.type === 'vanishingGradients' ? [...Array.from({ length: 8 }, (_, i) => Control.parse({ type: 'setActivation', layer: i, activation: 'relu' })), Control.parse({ type: 'setOptimizer', optimizer: 'adam', learningRate: 0.005 })] : [],
    );
    expect((await solo(p, run)).map((u) => u.key)).toContain('vanishing-gradient');
    // Seeing them vanish without bringing them back earns nothing.
    const q = await newPlayer(db, 'vanish-only');
    const stuck = await train({ task: { name: 'circles' }, spec: { layers: Array.from({ length: 8 }, () => ({ units: 16, activation: 'sigmoid' })), optimizer: 'sgd', learningRate: 0.1, batchSize: 32 }, budget: 3000 });
    expect(stuck.events.some((e) => e.type === 'vanishingGradients')).toBe(true);
    expect((await solo(q, stuck)).map((u) => u.key)).not.toContain('vanishing-gradient');
  });

  it('Overfitting Detective: a run overfits noisy labels and its player turns on augmentation', async () => {
    const p = await newPlayer(db, 'detective');
    const run = await train(
      { task: { name: 'moons', samples: 200 }, spec: { layers: [{ units: 128, activation: 'relu' }, { units: 128, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 }, budget: 6000, controls: [{ step: 0, control: { type: 'injectNoise', target: 'labels', strength: 0.4 } }] },
      (e) => (e.type === 'overfitting' ? [Control.parse({ type: 'setAugmentation', enabled: true })] : []),
    );
    expect((await solo(p, run)).map((u) => u.key)).toContain('overfitting-detective');
  });

  it('Robustness: noise injected into the weights, and the run still finishes above 90%', async () => {
    const p = await newPlayer(db, 'robust');
    const run = await train({ task: { name: 'gaussians' }, spec: SMALL, budget: 6000, controls: [{ step: 60, control: { type: 'injectNoise', target: 'weights', strength: 0.5 } }] });
    expect(run.result.final.valAccuracy).toBeGreaterThanOrEqual(0.9);
    expect((await solo(p, run)).map((u) => u.key)).toContain('robustness');
  });

  it('Architecture Innovator, Comeback and Giant Slayer from a race', async () => {
    const [underdog, giant, third] = await Promise.all(['underdog', 'giant', 'third'].map((n) => newPlayer(db, n)));
    // The giant has a strong record (set directly: reaching mu 33 would take dozens of races).
    const warmUp = await train({ spec: SMALL, budget: 500, task: { name: 'xor' } });
    await recordRaceResult(db, raceOf([{ playerId: giant!, name: 'giant', rank: 1, ...warmUp }]));
    await db.updateTable('ratings').set({ mu: 33, sigma: 3, display: 24 }).where('player_id', '=', giant!).where('scope', '=', 'overall').execute();
    // The underdog rewinds mid-run and still wins.
    let rewound = false;
    const comeback = await train({ task: { name: 'xor' }, spec: { ...SMALL, layers: [{ units: 12, activation: 'tanh' }, { units: 12, activation: 'tanh' }] }, budget: 6000 }, (e) => {
      if (e.type === 'converged' && !rewound) {
        rewound = true;
        return [Control.parse({ type: 'rewind', toStep: 50 })];
      }
      return [];
    });
    expect(comeback.result.controls.some((c) => c.control.type === 'rewind')).toBe(true);
    const loser = await train({ task: { name: 'xor' }, spec: { ...SMALL, layers: [{ units: 2, activation: 'sigmoid' }], optimizer: 'sgd', learningRate: 0.01 }, budget: 6000 });
    const unlocks = await recordRaceResult(
      db,
      raceOf([
        { playerId: underdog!, name: 'underdog', rank: 1, ...comeback },
        { playerId: giant!, name: 'giant', rank: 2, ...loser, job: { ...loser.job, runId: randomUUID() } },
        { playerId: third!, name: 'third', rank: 3, ...loser },
      ]),
    );
    const mine = unlocks.filter((u) => u.playerId === underdog).map((u) => u.key);
    expect(mine).toEqual(expect.arrayContaining(['architecture-innovator', 'comeback', 'giant-slayer']));
    expect(unlocks.filter((u) => u.playerId === third).map((u) => u.key)).not.toContain('giant-slayer');
    // The same architecture winning again on xor is no innovation.
    const copycat = await newPlayer(db, 'copycat');
    const again = await recordRaceResult(db, raceOf([{ playerId: copycat, name: 'copycat', rank: 1, ...comeback, job: { ...comeback.job, runId: randomUUID() } }, { playerId: third!, name: 'third', rank: 2, ...loser, job: { ...loser.job, runId: randomUUID() } }]));
    expect(again.filter((u) => u.playerId === copycat).map((u) => u.key)).not.toContain('architecture-innovator');
  });

  it('Tournament Champion goes to the winner of a tournament, once per tournament', async () => {
    const champ = await newPlayer(db, 'champ');
    const t = { id: randomUUID(), name: 'Autumn Cup', format: 'single_elimination' as const, task: { name: 'spiral' }, ranking: [champ], rated: true };
    expect((await recordTournamentResult(db, t)).map((u) => u.key)).toEqual(['tournament-champion']);
    expect(await recordTournamentResult(db, t)).toEqual([]);
  });

  it('GAN Forger: a real generator that learns the ring wins its battle', async () => {
    const [forger, critic] = await Promise.all(['forger', 'critic'].map((n) => newPlayer(db, n)));
    const frames: GanFrame[] = [];
    const side = { layers: [{ units: 32, activation: 'relu' }, { units: 32, activation: 'relu' }], learningRate: 0.002 };
    const result = await runGan(GanJob.parse({ runId: 'battle', distribution: 'ring', seed: 7, iterations: 1200, latentDim: 2, generator: side, discriminator: side, frameEveryIterations: 150 }), { onFrame: (f) => frames.push(f) });
    // The battle's rule for now: the generator wins when it halves its distance to the real points.
    const generatorWon = result.final.distance < frames[0]!.distance / 2;
    expect(generatorWon).toBe(true);
    const battle = ganBattleOf({ generatorPlayerId: forger!, discriminatorPlayerId: critic!, generatorWon, rated: true });
    const unlocks = await recordGanResult(db, battle);
    expect(unlocks.map((u) => [u.playerId, u.key])).toEqual([[forger, 'gan-forger']]);
    // Both players count: each is rated on the GAN board (the winner above the loser) and paid XP; stored once.
    const ratings = await db.selectFrom('ratings').select(['player_id', 'display', 'matches', 'wins', 'losses']).where('scope', '=', 'gan').where('player_id', 'in', [forger!, critic!]).execute();
    const of = (id: string) => ratings.find((r) => r.player_id === id)!;
    expect([of(forger!).wins, of(forger!).losses, of(critic!).wins, of(critic!).losses]).toEqual([1, 0, 0, 1]);
    expect(of(forger!).display).toBeGreaterThan(of(critic!).display);
    const xp = await db.selectFrom('xp_events').select(['player_id', 'amount']).where('source_key', 'like', `match:${battle.id}:%`).orderBy('amount', 'desc').execute();
    expect(xp).toEqual([{ player_id: forger, amount: ganXp(true) }, { player_id: critic, amount: ganXp(false) }]);
    expect(await recordGanResult(db, battle)).toEqual([]);
    expect(await db.selectFrom('xp_events').select('id').where('source_key', 'like', `match:${battle.id}:%`).execute()).toHaveLength(2);
  });
});
