import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';

/** A scored lesson's best passing run: its score (training samples spent), which run, its held-out score, and when it was set. */
export interface LessonBest {
  samples: number;
  runId: string;
  heldOutAccuracy: number;
  at: Date;
}

/** A lesson a player passed: which, with which run, its held-out score, and when; a scored lesson's best as well (null on others). */
export interface LessonPass {
  lessonId: string;
  runId: string;
  heldOutAccuracy: number;
  passedAt: Date;
  best: LessonBest | null;
}

type BestColumns = { best_samples: number | null; best_run_id: string | null; best_held_out_accuracy: number | null; best_at: Date | null };

/** The best on a progress row (the columns are set together, or none is: a check constraint holds them so). */
function bestOf(r: BestColumns): LessonBest | null {
  return r.best_samples === null ? null : { samples: Number(r.best_samples), runId: r.best_run_id!, heldOutAccuracy: Number(r.best_held_out_accuracy), at: r.best_at! };
}

const BEST = ['best_samples', 'best_run_id', 'best_held_out_accuracy', 'best_at'] as const;

/** The lessons a player passed, in the order they were passed. */
export async function passedLessons(db: Kysely<Database>, playerId: string): Promise<LessonPass[]> {
  const rows = await db.selectFrom('lesson_progress').select(['lesson_id', 'run_id', 'held_out_accuracy', 'passed_at', ...BEST]).where('player_id', '=', playerId).orderBy('passed_at').orderBy('lesson_id').execute();
  return rows.map((r) => ({ lessonId: r.lesson_id, runId: r.run_id, heldOutAccuracy: Number(r.held_out_accuracy), passedAt: r.passed_at, best: bestOf(r) }));
}

/** Marks a lesson passed by a run; false when the player had passed it already (nothing changes then). */
export async function markLessonPassed(db: Kysely<Database>, playerId: string, lessonId: string, runId: string, heldOutAccuracy: number, at: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('lesson_progress')
    .values({ player_id: playerId, lesson_id: lessonId, run_id: runId, held_out_accuracy: heldOutAccuracy, passed_at: at })
    .onConflict((oc) => oc.columns(['player_id', 'lesson_id']).doNothing())
    .returning('lesson_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Offers a passing run's score as the player's best on a scored lesson they passed (call `markLessonPassed` first):
 * kept when there is no best yet or it spent strictly fewer samples (an equal score keeps the earlier best).
 * True when it became the best.
 */
export async function offerLessonBest(db: Kysely<Database>, playerId: string, lessonId: string, best: LessonBest): Promise<boolean> {
  const updated = await db
    .updateTable('lesson_progress')
    .set({ best_samples: best.samples, best_run_id: best.runId, best_held_out_accuracy: best.heldOutAccuracy, best_at: best.at })
    .where('player_id', '=', playerId)
    .where('lesson_id', '=', lessonId)
    .where((eb) => eb.or([eb('best_samples', 'is', null), eb('best_samples', '>', best.samples)]))
    .returning('lesson_id')
    .executeTakeFirst();
  return updated !== undefined;
}

/** A row of a lesson's board as stored: the player, their name and their best. */
export interface LessonBoardEntry extends LessonBest {
  rank: number;
  playerId: string;
  name: string;
}

/**
 * A scored lesson's board: the `limit` players with the fewest samples, earlier bests first among equal ones
 * (then by player id, so the order is total), and `playerId`'s own row with its place, wherever it is.
 */
export async function lessonBoard(db: Kysely<Database>, lessonId: string, limit: number, playerId?: string): Promise<{ entries: LessonBoardEntry[]; me: LessonBoardEntry | null }> {
  const board = db
    .selectFrom('lesson_progress as lp')
    .innerJoin('players as p', 'p.id', 'lp.player_id')
    .select(['lp.player_id', 'p.name', ...BEST.map((c) => `lp.${c}` as const)])
    .where('lp.lesson_id', '=', lessonId)
    .where('lp.best_samples', 'is not', null);
  const rows = await board.orderBy('lp.best_samples').orderBy('lp.best_at').orderBy('lp.player_id').limit(limit).execute();
  const entry = (r: (typeof rows)[number], rank: number): LessonBoardEntry => ({ rank, playerId: r.player_id, name: r.name, ...bestOf(r)! });
  const entries = rows.map((r, i) => entry(r, i + 1));
  if (!playerId) return { entries, me: null };
  const listed = entries.find((e) => e.playerId === playerId);
  if (listed) return { entries, me: listed };
  const mine = await board.where('lp.player_id', '=', playerId).executeTakeFirst();
  if (!mine) return { entries, me: null };
  const s = mine.best_samples!;
  const at = mine.best_at!;
  const ahead = await db
    .selectFrom('lesson_progress')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('lesson_id', '=', lessonId)
    .where('best_samples', 'is not', null)
    .where((eb) => eb.or([eb('best_samples', '<', s), eb.and([eb('best_samples', '=', s), eb.or([eb('best_at', '<', at), eb.and([eb('best_at', '=', at), eb('player_id', '<', playerId)])])])]))
    .executeTakeFirstOrThrow();
  return { entries, me: entry(mine, Number(ahead.n) + 1) };
}
