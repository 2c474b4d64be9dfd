import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateDown, migrateTo } from '../server/db/migrate.ts';
import { lessonBoard, markLessonPassed, offerLessonBest, passedLessons } from '../server/lessons/lesson.repository.ts';
import { databaseAt } from './support/database-at.ts';
import { hasPostgres } from './support/services.ts';

const kinds: Array<'pglite' | 'postgres'> = ['pglite'];
if (await hasPostgres()) kinds.push('postgres');

for (const kind of kinds) {
  describe(`lesson progress on ${kind}`, () => {
    it('migration 0013 keeps one pass per player and lesson (the first), checks ids and scores, goes with its player, and goes down again', async () => {
      const { database, cleanup } = await databaseAt(kind, '0012_passkey_names');
      const db = database.db;
      try {
        await migrateTo(db, '0013_lesson_progress'); // not "latest": a later migration would be the one to go down
        const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
        await sql`insert into players (id, name) values (${a}, 'Ada'), (${b}, 'Bob')`.execute(db);
        const [run1, run2, run3] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
        expect(await markLessonPassed(db, a, 'first-fit', run1, 0.93, new Date('2026-01-01T10:00:00Z'))).toBe(true);
        expect(await markLessonPassed(db, a, 'first-fit', run2, 0.99, new Date('2026-01-01T11:00:00Z')), 'a second pass changes nothing').toBe(false);
        expect(await markLessonPassed(db, a, 'features', run3, 1, new Date('2026-01-01T12:00:00Z'))).toBe(true);
        expect(await markLessonPassed(db, b, 'first-fit', run2, 0.95, new Date('2026-01-02T10:00:00Z')), 'another player passes it too').toBe(true);
        // Read with 0013's own columns (the repository reads 0014's too).
        const rows = await sql<{ lesson_id: string; run_id: string; held_out_accuracy: number; passed_at: Date }>`select lesson_id, run_id, held_out_accuracy, passed_at from lesson_progress where player_id = ${a} order by passed_at`.execute(db);
        expect(rows.rows.map((r) => ({ ...r, held_out_accuracy: Number(r.held_out_accuracy), passed_at: new Date(r.passed_at) }))).toEqual([
          { lesson_id: 'first-fit', run_id: run1, held_out_accuracy: 0.93, passed_at: new Date('2026-01-01T10:00:00Z') },
          { lesson_id: 'features', run_id: run3, held_out_accuracy: 1, passed_at: new Date('2026-01-01T12:00:00Z') },
        ]);
        const put = (lesson: string, score: number) => sql`insert into lesson_progress (player_id, lesson_id, run_id, held_out_accuracy) values (${b}, ${lesson}, ${run1}, ${score})`.execute(db);
        await expect(put('Bad Id!', 0.9)).rejects.toThrow(/check/);
        await expect(put('speed-run', 1.5)).rejects.toThrow(/check/);
        await sql`delete from players where id = ${a}`.execute(db);
        const left = await sql<{ player_id: string; lesson_id: string }>`select player_id, lesson_id from lesson_progress`.execute(db);
        expect(left.rows).toEqual([{ player_id: b, lesson_id: 'first-fit' }]);
        expect(await migrateDown(db)).toBe('0013_lesson_progress');
        const table = await sql<{ t: string | null }>`select to_regclass('lesson_progress')::text as t`.execute(db);
        expect(table.rows[0]!.t).toBeNull();
      } finally {
        await cleanup();
      }
    });

    it('migration 0014 keeps a scored lesson’s best (fewer samples improve it), takes earlier speed-run passes from their runs, ranks the board, and goes down again', async () => {
      const { database, cleanup } = await databaseAt(kind, '0013_lesson_progress');
      const db = database.db;
      try {
        const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
        await sql`insert into players (id, name) values (${a}, 'Ada'), (${b}, 'Bob')`.execute(db);
        // Passes stored before 0014: Ada's speed run spent 960 samples (its run is kept); her first fit is not scored.
        const [speedRun, fitRun] = [crypto.randomUUID(), crypto.randomUUID()];
        await sql`insert into runs (id, player_id, spec, task, seed, budget, status, held_out_accuracy, samples) values (${speedRun}, ${a}, '{}', '{"name":"xor"}', 7, 1000, 'finished', 0.92, 960), (${fitRun}, ${a}, '{}', '{"name":"circles"}', 7, 20000, 'finished', 0.95, 20000)`.execute(db);
        expect(await markLessonPassed(db, a, 'first-fit', fitRun, 0.95, new Date('2026-01-01T10:00:00Z'))).toBe(true);
        expect(await markLessonPassed(db, a, 'speed-run', speedRun, 0.92, new Date('2026-01-01T11:00:00Z'))).toBe(true);

        await migrateTo(db, '0014_lesson_best'); // by name: a later migration would be the one to go down
        expect((await passedLessons(db, a)).map((p) => [p.lessonId, p.best])).toEqual([
          ['first-fit', null],
          ['speed-run', { samples: 960, runId: speedRun, heldOutAccuracy: 0.92, at: new Date('2026-01-01T11:00:00Z') }],
        ]);
        const at = (h: number) => new Date(Date.UTC(2026, 0, 2, h));
        const best = async (player: string) => (await passedLessons(db, player)).find((p) => p.lessonId === 'speed-run')?.best?.samples;
        const [r1, r2, r3] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
        expect(await offerLessonBest(db, a, 'speed-run', { samples: 600, runId: r1, heldOutAccuracy: 0.91, at: at(1) }), 'fewer samples improve the best').toBe(true);
        expect(await offerLessonBest(db, a, 'speed-run', { samples: 600, runId: r2, heldOutAccuracy: 0.99, at: at(2) }), 'an equal score keeps the earlier best').toBe(false);
        expect(await offerLessonBest(db, a, 'speed-run', { samples: 800, runId: r3, heldOutAccuracy: 0.99, at: at(3) }), 'more samples change nothing').toBe(false);
        expect(await best(a)).toBe(600);
        expect(await offerLessonBest(db, b, 'speed-run', { samples: 100, runId: r3, heldOutAccuracy: 0.9, at: at(4) }), 'no progress row (not passed): nothing to improve').toBe(false);

        const bad = (set: ReturnType<typeof sql>) => sql`update lesson_progress set ${set} where player_id = ${a} and lesson_id = 'speed-run'`.execute(db);
        await expect(bad(sql`best_samples = -1`)).rejects.toThrow(/check/);
        await expect(bad(sql`best_run_id = null`), 'a best is whole or absent').rejects.toThrow(/check/);
        await expect(bad(sql`best_held_out_accuracy = 1.5`)).rejects.toThrow(/check/);

        // The board: fewest samples first, the earlier of equal bests first; the top 10, and anyone's own row with its place.
        const others = Array.from({ length: 11 }, (_, i) => ({ id: crypto.randomUUID(), name: `P${i}`, samples: 500 + 10 * i }));
        for (const [i, o] of others.entries()) {
          await sql`insert into players (id, name) values (${o.id}, ${o.name})`.execute(db);
          await markLessonPassed(db, o.id, 'speed-run', crypto.randomUUID(), 0.9, at(5));
          expect(await offerLessonBest(db, o.id, 'speed-run', { samples: o.samples, runId: crypto.randomUUID(), heldOutAccuracy: 0.9, at: at(10) })).toBe(true);
        }
        // P10 spent 600 like Ada, later than her.
        await sql`update lesson_progress set best_samples = 600, best_at = ${at(12)} where player_id = ${others[10]!.id}`.execute(db);
        const top = await lessonBoard(db, 'speed-run', 10, a);
        expect(top.entries.map((e) => [e.rank, e.name, e.samples])).toEqual([
          ...others.slice(0, 10).map((o, i) => [i + 1, o.name, o.samples]),
        ]);
        expect(top.me).toMatchObject({ rank: 11, name: 'Ada', samples: 600, runId: r1, heldOutAccuracy: 0.91 });
        expect((await lessonBoard(db, 'speed-run', 10, others[10]!.id)).me, 'equal samples, later best: placed after Ada').toMatchObject({ rank: 12, samples: 600 });
        expect((await lessonBoard(db, 'speed-run', 10, others[0]!.id)).me).toMatchObject({ rank: 1, name: 'P0' });
        expect((await lessonBoard(db, 'speed-run', 10, b)).me, 'a player who has not passed it has no row').toBeNull();
        expect((await lessonBoard(db, 'first-fit', 10)).entries, 'a lesson without scores has an empty board').toEqual([]);

        expect(await migrateDown(db)).toBe('0014_lesson_best');
        const cols = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'lesson_progress' order by ordinal_position`.execute(db);
        expect(cols.rows.map((r) => r.column_name)).toEqual(['player_id', 'lesson_id', 'run_id', 'held_out_accuracy', 'passed_at']);
      } finally {
        await cleanup();
      }
    });
  });
}
