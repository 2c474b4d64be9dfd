import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type ArenaDatabase } from '../../server/db/database.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { ACHIEVEMENTS } from '../../server/progression/achievements.ts';
import { syncAchievementDefs } from '../../server/progression/progression.repository.ts';
import type { RaceResult } from '../../server/progression/progression.service.ts';
import { drawFairSeed, revealOf } from '../../server/match/fair-seed.ts';
import { runRecordOf } from '../../server/runs/run.record.ts';
import type { Match } from '../../shared/match.schema.ts';
import type { GanMatch } from '../../shared/gan-match.schema.ts';
import { DEFAULT_GAN_SIDE } from '../../shared/gan.messages.ts';
import type { RunEvent, RunResult, TrainJob } from '../../shared/run.schema.ts';
import { createTestDatabase } from './services.ts';

/** A migrated database with the achievements synced: PGlite in a temp folder or a fresh Postgres database. */
export async function progressionDatabase(kind: 'pglite' | 'postgres'): Promise<{ database: ArenaDatabase; url?: string; cleanup: () => Promise<void> }> {
  let database: ArenaDatabase;
  let cleanup: () => Promise<void>;
  let url: string | undefined;
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-prog-'));
    database = await openDatabase({ dataDir: dir });
    cleanup = async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const tdb = await createTestDatabase();
    url = tdb.url;
    database = await openDatabase({ databaseUrl: tdb.url, dataDir: '' });
    cleanup = async () => {
      await database.close();
      await tdb.drop();
    };
  }
  await migrateToLatest(database.db);
  await syncAchievementDefs(database.db, ACHIEVEMENTS);
  return { database, url, cleanup };
}

/** One entry of a race built for a test: who, where they finished, and the run they trained. */
export interface TestEntry {
  playerId: string;
  name: string;
  rank: number;
  job: TrainJob;
  result: RunResult;
  events?: RunEvent[];
}

/** A finished race as the race room would hand it to the progression service; `rated: false` as if the creator chose the seed. */
export function raceOf(entries: readonly TestEntry[], task = entries[0]!.job.task, { rated = true } = {}): RaceResult {
  const matchId = randomUUID();
  const fair = drawFairSeed(entries[0]!.job.seed); // the runs' own seed, committed to
  const match: Match = {
    id: matchId,
    roomId: 'test-room',
    kind: 'race',
    task,
    seed: fair.seed,
    rated,
    seedReveal: revealOf(fair),
    budget: entries[0]!.job.budget,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    entries: entries.map((e, seat) => ({
      seat,
      player: e.name,
      playerId: e.playerId,
      runId: e.job.runId,
      spec: e.job.spec,
      status: 'finished',
      rank: e.rank,
      heldOutAccuracy: e.result.heldOutAccuracy,
      valAccuracy: e.result.final.valAccuracy,
      loss: e.result.final.loss,
      samples: e.result.samples,
      weightsHash: e.result.weightsHash,
      backend: e.result.backend,
      error: null,
    })),
  };
  const runs = entries.map((e) => runRecordOf(e.job, { result: e.result, events: e.events ?? [], playerId: e.playerId, matchId }));
  return { match, runs, events: new Map(entries.map((e) => [e.job.runId, e.events ?? []])) };
}

/** A finished GAN battle as the GAN room would hand it to the progression service (one round, the winner's). */
export function ganBattleOf(b: { generatorPlayerId: string; discriminatorPlayerId: string; generatorWon: boolean; rated: boolean }): GanMatch {
  const fair = drawFairSeed(b.rated ? undefined : 9);
  const winner = b.generatorWon ? 'generator' : 'discriminator';
  const design = DEFAULT_GAN_SIDE;
  const [gp, dp] = b.generatorWon ? [70, 30] : [20, 80];
  return {
    id: randomUUID(),
    roomId: 'test-room',
    kind: 'gan',
    distribution: 'ring',
    seed: fair.seed,
    rated: fair.rated,
    seedReveal: revealOf(fair),
    iterationsPerRound: 150,
    referenceDistance: 0.6,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    winner,
    decidedBy: '1 round to 0',
    rounds: [{ round: 1, distance: 0.2, dAccuracy: 0.6, generatorPoints: gp, discriminatorPoints: dp, winner, curve: { iteration: [0, 150], dLoss: [1.4, 1.3], gLoss: [0.7, 0.8], distance: [0.5, 0.2] } }],
    entries: [
      { seat: 0, role: 'generator', player: 'forger', playerId: b.generatorPlayerId, design, rank: b.generatorWon ? 1 : 2, rounds: b.generatorWon ? 1 : 0, points: gp },
      { seat: 1, role: 'discriminator', player: 'critic', playerId: b.discriminatorPlayerId, design, rank: b.generatorWon ? 2 : 1, rounds: b.generatorWon ? 0 : 1, points: dp },
    ],
  };
}
