import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateTo, migrateToLatest } from '../server/db/migrate.ts';
import { forkOfStored } from '../server/playground/fork-source.ts';
import { insertRuns } from '../server/runs/run.repository.ts';
import { RunRecord, runRecordOf } from '../server/runs/run.record.ts';
import { loadRun } from '../server/runs/run.service.ts';
import { newTrainJob, runFileJob, runFileOf, TrainJob, type TrainJobInput } from '../shared/run.schema.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { databaseAt } from './support/database-at.ts';
import { hasPostgres } from './support/services.ts';

const kinds: Array<'pglite' | 'postgres'> = ['pglite'];
if (await hasPostgres()) kinds.push('postgres');

const input = (runId: string): TrainJobInput => ({
  runId,
  spec: { layers: [{ units: 4, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.03, batchSize: 10 },
  task: { name: 'spiral' },
  seed: 11,
  budget: 1500,
});
const room = { task: TrainJob.parse(input('x')).task, seed: 11, checkpointEverySteps: 50, paceMs: 0, probeIntervalMs: 0 };

/** A run trained for real and stored as a room stores it; its record as the outbox would hold one written before arithmetic existed when `old`. */
async function storeRun(db: Parameters<typeof insertRuns>[0], job: TrainJob, old = false): Promise<string> {
  const result = await runTraining(job);
  const record = runRecordOf(job, { result, events: [], playerId: null, matchId: null });
  const { arithmetic: _dropped, ...before } = record;
  await insertRuns(db, [old ? RunRecord.parse(before) : record]);
  return result.weightsHash;
}

for (const kind of kinds) {
  describe(`which arithmetic a stored run trained with, on ${kind}`, () => {
    beforeAll(async () => {
      await initBackend();
    });

    it('migration 0015: runs stored before it read as the first arithmetic, only 1 or 2 is kept, and it goes down again', async () => {
      const { database, cleanup } = await databaseAt(kind, '0014_lesson_best');
      const db = database.db;
      try {
        const id = crypto.randomUUID();
        await sql`insert into runs (id, spec, task, seed, budget, status, controls) values (${id}, ${JSON.stringify(input('x').spec)}, '{"name":"spiral"}', 11, 1500, 'finished', '[]')`.execute(db);
        await migrateTo(db, '0015_run_arithmetic'); // by name: a later migration would be the one to go down
        const row = await sql<{ arithmetic: number }>`select arithmetic from runs where id = ${id}`.execute(db);
        expect(row.rows).toEqual([{ arithmetic: 1 }]);
        const view = await loadRun(db, id);
        expect(view!.runFile.arithmetic).toBeUndefined(); // its run file reads as every run file before it
        await expect(sql`update runs set arithmetic = 3 where id = ${id}`.execute(db)).rejects.toThrow(/check/);
        expect(await migrateDown(db)).toBe('0015_run_arithmetic');
        const column = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_name = 'runs' and column_name = 'arithmetic'`.execute(db);
        expect(column.rows[0]!.n).toBe(0);
      } finally {
        await cleanup();
      }
    });

    it("a new run keeps its arithmetic through the database into its run file, its replay and a fork of it; a record from before it keeps the first", async () => {
      const { database, cleanup } = await databaseAt(kind, '0014_lesson_best');
      const db = database.db;
      try {
        await migrateToLatest(db);
        const fresh = newTrainJob(input(crypto.randomUUID()));
        const stored = TrainJob.parse(input(crypto.randomUUID())); // a job as runs had before: no arithmetic
        expect([fresh.arithmetic, stored.arithmetic]).toEqual([2, undefined]);
        const freshHash = await storeRun(db, fresh);
        const storedHash = await storeRun(db, stored, true);

        const freshView = (await loadRun(db, fresh.runId))!;
        const storedView = (await loadRun(db, stored.runId))!;
        expect(freshView.runFile.arithmetic).toBe(2);
        expect(storedView.runFile.arithmetic).toBeUndefined();
        const rows = await db.selectFrom('runs').select(['id', 'arithmetic']).where('id', 'in', [fresh.runId, stored.runId]).execute();
        expect(Object.fromEntries(rows.map((r) => [r.id, r.arithmetic]))).toEqual({ [fresh.runId]: 2, [stored.runId]: 1 });

        // `arena replay` and the model export build the job from the run file with runFileJob: each replays in its own arithmetic to its hash.
        for (const [view, hash, arithmetic] of [[freshView, freshHash, 2], [storedView, storedHash, undefined]] as const) {
          const job = runFileJob(view.runFile, 'replay');
          expect(job.arithmetic).toBe(arithmetic);
          expect((await runTraining(job)).weightsHash).toBe(hash);
        }
        // A fork of a stored run replays its parent in the parent's arithmetic, not the one new runs take.
        expect(forkOfStored(freshView, room, 50).parent.arithmetic).toBe(2);
        expect(forkOfStored(storedView, room, 50).parent.arithmetic).toBe(1);
        // The CLI's run file (runFileOf) says it too, and only when it is not the first.
        const result = await runTraining(fresh);
        expect(runFileOf(fresh, result).arithmetic).toBe(2);
        expect(runFileOf(stored, result).arithmetic).toBeUndefined();
      } finally {
        await cleanup();
      }
    });
  });
}
