import type { Kysely } from 'kysely';
import { LESSON_BOARD_SIZE, type Lesson, type LessonBoard, type LessonBoardRow, type LessonScore } from '../../shared/lesson.schema.ts';
import type { Database } from '../db/tables.ts';
import { lessonBoard, type LessonBoardEntry } from './lesson.repository.ts';

const row = (e: LessonBoardEntry): LessonBoardRow => ({ rank: e.rank, playerId: e.playerId, name: e.name, samples: e.samples, heldOutAccuracy: e.heldOutAccuracy, runId: e.runId, at: e.at.toISOString() });

/**
 * A scored lesson's board for the API: the top `LESSON_BOARD_SIZE` by their best (fewest samples, earlier first
 * among equals) and, when `playerId` is given, that player's own row wherever it is (null when they have none).
 */
export async function lessonBoardOf(db: Kysely<Database>, lesson: Lesson & { score: LessonScore }, playerId?: string): Promise<LessonBoard> {
  const { entries, me } = await lessonBoard(db, lesson.id, LESSON_BOARD_SIZE, playerId);
  return { lessonId: lesson.id, score: lesson.score, entries: entries.map(row), me: me ? row(me) : null };
}
