import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import type { Match } from '../shared/match.schema.ts';
import { TaskSpec } from '../shared/task.schema.ts';
import { openDatabase, type ArenaDatabase } from '../server/db/database.ts';
import { migrateDown, migrateTo, migrateToLatest, migrationNames } from '../server/db/migrate.ts';
import { commitmentOf } from '../server/match/fair-seed.ts';
import { checkSeedReveal, SEED_SCHEME } from '../shared/seed-commitment.ts';
import { loadMatch, loadStoredMatch, saveGanMatch, saveMatch } from '../server/matches/match.service.ts';
import { ganBattleOf } from './support/progression.ts';
import { runRecordOf, type RunRecord } from '../server/runs/run.record.ts';
import { loadRun } from '../server/runs/run.service.ts';
import { TrainJob } from '../shared/run.schema.ts';
import { createTestDatabase, hasPostgres } from './support/services.ts';

const SALT = '5a'.repeat(32);
const match = (): Match => ({
  id: crypto.randomUUID(),
  roomId: 'room1',
  kind: 'race',
  task: TaskSpec.parse({ name: 'spiral' }),
  seed: 42,
  rated: true,
  seedReveal: { scheme: SEED_SCHEME, commitment: commitmentOf(42, SALT), seed: 42, salt: SALT },
  budget: 20_000,
  startedAt: new Date('2026-01-01T00:00:00Z').toISOString(),
  finishedAt: new Date('2026-01-01T00:01:00Z').toISOString(),
  entries: [
    { seat: 0, player: 'ada', playerId: null, runId: crypto.randomUUID(), spec: DEFAULT_SPEC, status: 'finished', rank: 1, heldOutAccuracy: 0.97, valAccuracy: 0.96, loss: 0.1, samples: 20_000, weightsHash: 'a'.repeat(64), backend: 'wasm', error: null },
    { seat: 1, player: 'bob', playerId: null, runId: crypto.randomUUID(), spec: DEFAULT_SPEC, status: 'failed', rank: 2, heldOutAccuracy: null, valAccuracy: null, loss: null, samples: 640, weightsHash: null, backend: null, error: 'diverged' },
  ],
});

/** The curve a finished entry's run keeps for the match page (a failed one keeps none here). */
const curveOf = (e: Match['entries'][number]) =>
  e.status === 'finished' ? { samples: [0, 10_000, 20_000], loss: [0.69, 0.3, 0.1], valAccuracy: [0.5, 0.8, 0.96] } : null;

/** The runs behind a match's entries, as the race room would store them. */
const runsOf = (m: Match): RunRecord[] =>
  m.entries.map((e) => ({
    ...runRecordOf(TrainJob.parse({ runId: e.runId, spec: e.spec, task: m.task, seed: m.seed, budget: m.budget }), { events: [], playerId: null, matchId: m.id, samplesIfFailed: e.samples }),
    curve: curveOf(e),
  }));

async function tables(database: ArenaDatabase): Promise<string[]> {
  const r = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(database.db);
  return r.rows.map((x) => x.table_name);
}

function storageSuite(kind: 'pglite' | 'postgres', open: () => Promise<{ database: ArenaDatabase; cleanup: () => Promise<void> }>) {
  describe(`match storage on ${kind}`, () => {
    let database: ArenaDatabase;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ database, cleanup } = await open());
      expect(database.kind).toBe(kind);
    });
    afterAll(async () => {
      await database?.close();
      await cleanup?.();
    });

    it('runs every migration up, down and up again', async () => {
      const names = await migrationNames(database.db);
      expect(await migrateToLatest(database.db)).toEqual(names);
      expect(await tables(database)).toEqual(['achievement_events', 'achievements', 'lesson_progress', 'live_match_events', 'live_matches', 'match_entries', 'matches', 'passkeys', 'player_achievements', 'players', 'points_weekly', 'rating_history', 'ratings', 'runs', 'saved_designs', 'tournaments', 'webauthn_challenges', 'xp_events', 'xp_weekly']);
      for (const name of [...names].reverse()) expect(await migrateDown(database.db)).toBe(name);
      expect(await tables(database)).toEqual([]);
      expect(await migrateToLatest(database.db)).toEqual(names);
      expect(await migrateToLatest(database.db)).toEqual([]);
    });

    it('stores a match with its entries and reads it back', async () => {
      const m = match();
      await database.db.transaction().execute((trx) => saveMatch(trx, m, runsOf(m)));
      // Read back with each entry's stored curve (what the match page replays).
      expect(await loadMatch(database.db, m.id)).toEqual({ ...m, status: 'finished', abortReason: null, entries: m.entries.map((e) => ({ ...e, curve: curveOf(e) })) });
      const run = await loadRun(database.db, m.entries[0]!.runId);
      expect(run).toMatchObject({ id: m.entries[0]!.runId, matchId: m.id, architecture: '2-16-16-2 relu,relu', parameters: 354 });
      expect(run!.runFile).toMatchObject({ format: 'gradient-arena-run', seed: 42, budget: 20_000, controls: [] });
      expect(run!.runFile.seedReveal).toEqual(m.seedReveal); // so that arena replay can check it
    });

    it('keeps whether a match was rated, its commitment, seed and salt; the reveal read back verifies', async () => {
      const custom = { ...match(), rated: false };
      await database.db.transaction().execute((trx) => saveMatch(trx, custom, runsOf(custom)));
      const back = (await loadMatch(database.db, custom.id))!;
      expect(back).toMatchObject({ rated: false, seed: 42, seedReveal: { scheme: SEED_SCHEME, seed: 42, salt: SALT, commitment: commitmentOf(42, SALT) } });
      expect(await checkSeedReveal(back.seedReveal)).toEqual({ ok: true });
      // A commitment is whole or absent: a row with a commitment and no salt is refused.
      const partial = { ...match(), seedReveal: null };
      await database.db.transaction().execute((trx) => saveMatch(trx, partial, runsOf(partial)));
      await expect(database.db.updateTable('matches').set({ seed_commitment: 'ab'.repeat(32) }).where('id', '=', partial.id).execute()).rejects.toThrow(/matches_seed_commitment_whole/);
      await expect(database.db.updateTable('matches').set({ seed_salt: 'not hex' }).where('id', '=', custom.id).execute()).rejects.toThrow(/check/);
    });

    it('reads a match stored before commitments as rated, with no commitment', async () => {
      const names = await migrationNames(database.db);
      const before = names[names.indexOf('0004_fair_seeds') - 1]!;
      await migrateTo(database.db, before);
      const id = crypto.randomUUID();
      await sql`insert into matches (id, room_id, kind, task, seed, budget, started_at, finished_at) values (${id}, 'old-room', 'race', ${JSON.stringify({ name: 'xor' })}, 7, 1000, now(), now())`.execute(database.db);
      await migrateToLatest(database.db);
      expect(await loadMatch(database.db, id)).toMatchObject({ id, seed: 7, rated: true, seedReveal: null, entries: [] });
    });

    it('stores a GAN battle as a match of its own kind and reads it back with its rounds, curves and sides', async () => {
      const [g, d] = [crypto.randomUUID(), crypto.randomUUID()];
      for (const [id, name] of [[g, 'forger'], [d, 'critic']] as const) await database.db.insertInto('players').values({ id, name }).execute();
      const battle = ganBattleOf({ generatorPlayerId: g, discriminatorPlayerId: d, generatorWon: false, rated: true });
      await database.db.transaction().execute((trx) => saveGanMatch(trx, battle));
      expect(await loadStoredMatch(database.db, battle.id)).toEqual({ ...battle, status: 'finished', abortReason: null });
      expect(await loadMatch(database.db, battle.id)).toBeUndefined(); // not a race
      const m = match();
      await database.db.transaction().execute((trx) => saveMatch(trx, m, runsOf(m)));
      expect(await loadStoredMatch(database.db, m.id)).toMatchObject({ kind: 'race', id: m.id });
    });

    it('counts the wins and losses of ratings moved before boards kept them', async () => {
      const names = await migrationNames(database.db);
      await migrateTo(database.db, names[names.indexOf('0008_every_mode_counts') - 1]!);
      const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
      for (const id of [a, b]) await sql`insert into players (id, name) values (${id}, 'old')`.execute(database.db);
      for (let i = 0; i < 3; i++) {
        const id = crypto.randomUUID();
        await sql`insert into matches (id, room_id, kind, task, seed, budget, started_at, finished_at) values (${id}, 'old-room', 'race', ${JSON.stringify({ name: 'xor' })}, 7, 1000, now(), now())`.execute(database.db);
        for (const [seat, player] of [a, b].entries()) {
          const run = crypto.randomUUID();
          const rank = (i === 2 ? 1 - seat : seat) + 1; // a wins twice, b once
          await sql`insert into runs (id, spec, task, seed, budget, status) values (${run}, '{}', '{}', 7, 1000, 'finished')`.execute(database.db);
          await sql`insert into match_entries (match_id, seat, player_name, player_id, run_id, spec, status, rank, samples) values (${id}, ${seat}, 'old', ${player}, ${run}, '{}', 'finished', ${rank}, 1000)`.execute(database.db);
          for (const scope of ['overall', 'xor']) await sql`insert into rating_history (player_id, scope, match_id, mu, sigma, display) values (${player}, ${scope}, ${id}, 25, 8, 1)`.execute(database.db);
        }
      }
      for (const player of [a, b]) for (const scope of ['overall', 'xor']) await sql`insert into ratings (player_id, scope, mu, sigma, display, matches) values (${player}, ${scope}, 25, 8, 1, 3)`.execute(database.db);
      await migrateToLatest(database.db);
      const rows = await database.db.selectFrom('ratings').select(['player_id', 'scope', 'wins', 'losses']).where('player_id', 'in', [a, b]).orderBy('scope').execute();
      const wl = (id: string, scope: string) => rows.find((r) => r.player_id === id && r.scope === scope);
      expect([wl(a, 'overall'), wl(a, 'xor'), wl(b, 'xor')]).toMatchObject([{ wins: 2, losses: 1 }, { wins: 2, losses: 1 }, { wins: 1, losses: 2 }]);
    });

    it('answers undefined for an unknown or malformed id', async () => {
      expect(await loadMatch(database.db, crypto.randomUUID())).toBeUndefined();
      expect(await loadMatch(database.db, "x'; drop table matches; --")).toBeUndefined();
    });

    it('stores all or nothing: a duplicate seat rolls the whole match back', async () => {
      const m = match();
      m.entries[1]!.seat = 0;
      await expect(database.db.transaction().execute((trx) => saveMatch(trx, m, runsOf(m)))).rejects.toThrow();
      expect(await loadMatch(database.db, m.id)).toBeUndefined();
    });
  });
}

storageSuite('pglite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-pglite-'));
  return { database: await openDatabase({ dataDir: dir }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

if (await hasPostgres()) {
  storageSuite('postgres', async () => {
    const tdb = await createTestDatabase();
    return { database: await openDatabase({ databaseUrl: tdb.url, dataDir: '' }), cleanup: tdb.drop };
  });
}
