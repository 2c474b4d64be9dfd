/**
 * A match's lifecycle persisted as it changes (live_matches, live_match_events)
 * and read back at start-up, and a match stored at most once, with ratings and
 * XP, or as aborted with no rating or XP: on PGlite and on a Postgres database
 * of this test's own.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArenaDatabase } from '../server/db/database.ts';
import type { Database } from '../server/db/tables.ts';
import { MatchLifecycle } from '../server/match/lifecycle.ts';
import { listLiveMatches } from '../server/match/live-match.repository.ts';
import { LiveMatchWriter } from '../server/match/live-match.writer.ts';
import { loadMatch } from '../server/matches/match.service.ts';
import { insertPlayer } from '../server/progression/progression.repository.ts';
import { recordAbortedMatch, recordRaceResult } from '../server/progression/progression.service.ts';
import { TrainJob, type RunResult } from '../shared/run.schema.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { progressionDatabase, raceOf } from './support/progression.ts';
import { hasPostgres } from './support/services.ts';
import { waitFor } from './support/wait.ts';

const postgres = await hasPostgres();

/** Rows that say what a stored match changed for its players. */
async function counts(db: Kysely<Database>, playerIds: string[]) {
  const count = async (table: 'rating_history' | 'xp_events' | 'ratings' | 'player_achievements') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('player_id', 'in', playerIds).executeTakeFirstOrThrow()).n);
  return { ratingHistory: await count('rating_history'), xp: await count('xp_events'), ratings: await count('ratings'), achievements: await count('player_achievements') };
}

/** What one stored match changed: its rating history rows and its place XP grants. */
async function byMatch(db: Kysely<Database>, matchId: string) {
  const ratingHistory = Number((await db.selectFrom('rating_history').select((eb) => eb.fn.countAll().as('n')).where('match_id', '=', matchId).executeTakeFirstOrThrow()).n);
  const placeXp = Number((await db.selectFrom('xp_events').select((eb) => eb.fn.countAll().as('n')).where('source_key', 'like', `match:${matchId}:%`).executeTakeFirstOrThrow()).n);
  return { ratingHistory, placeXp };
}

function suite(kind: 'pglite' | 'postgres') {
  describe(`live matches and storing once on ${kind}`, () => {
    let database: ArenaDatabase;
    let cleanup: () => Promise<void>;
    let db: Kysely<Database>;
    let run: { job: TrainJob; result: RunResult };

    beforeAll(async () => {
      await initBackend();
      ({ database, cleanup } = await progressionDatabase(kind));
      db = database.db;
      const job = TrainJob.parse({ runId: randomUUID(), spec: { layers: [{ units: 8, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 }, task: { name: 'spiral' }, seed: 5, budget: 3000 });
      run = { job, result: await runTraining(job) };
    }, 120_000);
    afterAll(async () => cleanup?.());

    const players = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const id = randomUUID();
        await insertPlayer(db, id, `p${i}-${id.slice(0, 4)}`);
        ids.push(id);
      }
      return ids;
    };

    it('persists a lifecycle as it changes (frame summaries batched) and reads it back as it was; the rows go once it is over', async () => {
      let now = 1_000;
      const match = new MatchLifecycle({ id: randomUUID(), kind: 'race', roomId: `room-${randomUUID().slice(0, 8)}`, options: { budget: 3000, task: { name: 'spiral' } }, seed: 5 }, () => now++);
      const writer = new LiveMatchWriter(db, match, { frameDelayMs: 200 });
      const [ada] = await players(1);
      match.record({ type: 'join', role: 'player', playerId: ada!, name: 'ada', seat: 0 });
      match.record({ type: 'spec', playerId: ada!, seat: 0, spec: run.job.spec, params: 42, summary: '2-8-2' });
      match.transition('running');
      match.record({ type: 'launch', runId: run.job.runId, seat: 0, playerId: ada!, job: run.job });
      for (let i = 1; i <= 5; i++) match.record({ type: 'frame', runId: run.job.runId, samples: i * 320, loss: 1 / i, valAccuracy: i === 3 ? null : 0.5 + i / 20 });
      match.record({ type: 'control', runId: run.job.runId, playerId: ada!, control: { type: 'setLearningRate', learningRate: 0.003 }, step: 12, intervention: true });
      await waitFor(async () => (await listLiveMatches(db)).find((m) => m.id === match.id)?.events.length === match.events.length, 'every event in the database', 10_000);

      const [found] = (await listLiveMatches(db)).filter((m) => m.id === match.id);
      expect(found).toMatchObject({ roomId: match.roomId, kind: 'race', phase: 'running' });
      const restored = MatchLifecycle.restore({ ...found!.header, phase: found!.phase, events: found!.events });
      expect(restored.toJSON()).toEqual(match.toJSON());
      expect(restored.controls(run.job.runId)).toEqual([{ step: 12, control: { type: 'setLearningRate', learningRate: 0.003 } }]);

      match.transition('aborted', 'called off by the test');
      await waitFor(async () => !(await listLiveMatches(db)).some((m) => m.id === match.id), 'the rows of the ended match to go', 10_000);
      writer.stop();
    });

    it('stores a race once: a second attempt, or two at once, change nothing more (one match, one rating and XP change each), and its live rows go in the same commit', async () => {
      const ids = await players(2);
      const race = raceOf(ids.map((playerId, i) => ({ playerId, name: `p${i}`, rank: i + 1, job: { ...run.job, runId: randomUUID() }, result: run.result })));
      const match = new MatchLifecycle({ id: race.match.id, kind: 'race', roomId: `room-${race.match.id.slice(0, 8)}` });
      const writer = new LiveMatchWriter(db, match);
      await writer.flush();
      expect((await listLiveMatches(db)).some((m) => m.id === race.match.id)).toBe(true);
      writer.stop();

      const unlocks = await recordRaceResult(db, race);
      expect(unlocks.length).toBeGreaterThan(0); // a first race unlocks something: the store did its work
      const once = await counts(db, ids);
      expect(await byMatch(db, race.match.id)).toEqual({ ratingHistory: 4, placeXp: 2 }); // overall and task rating per player; place XP per player
      expect((await listLiveMatches(db)).some((m) => m.id === race.match.id)).toBe(false);

      expect(await recordRaceResult(db, race)).toEqual([]);
      expect(await Promise.all([recordRaceResult(db, race), recordRaceResult(db, race)])).toEqual([[], []]);
      expect(await counts(db, ids)).toEqual(once);
      expect(await loadMatch(db, race.match.id)).toMatchObject({ status: 'finished', abortReason: null });

      // Two first attempts at once: exactly one of them stores it.
      const other = raceOf(ids.map((playerId, i) => ({ playerId, name: `p${i}`, rank: 2 - i, job: { ...run.job, runId: randomUUID() }, result: run.result })));
      await Promise.all([recordRaceResult(db, other), recordRaceResult(db, other)]);
      expect(await byMatch(db, other.match.id)).toEqual({ ratingHistory: 4, placeXp: 2 });
    });

    it('stores an aborted match with its reason and entries, once, moving no rating, XP or achievement', async () => {
      const ids = await players(2);
      const before = await counts(db, ids);
      const race = raceOf(ids.map((playerId, i) => ({ playerId, name: `p${i}`, rank: i + 1, job: { ...run.job, runId: randomUUID() }, result: run.result })));
      expect(await recordAbortedMatch(db, race, 'the server restarted and the runs could not be resumed within 1 s')).toBe(true);
      expect(await recordAbortedMatch(db, race, 'again')).toBe(false);
      expect(await recordRaceResult(db, race)).toEqual([]); // a late result of the same match is not stored over it
      const stored = await loadMatch(db, race.match.id);
      expect(stored).toMatchObject({ status: 'aborted', abortReason: 'the server restarted and the runs could not be resumed within 1 s' });
      expect(stored!.entries.map((e) => e.rank)).toEqual([null, null]);
      expect(await counts(db, ids)).toEqual(before);
    });
  });
}

suite('pglite');
if (postgres) suite('postgres');
