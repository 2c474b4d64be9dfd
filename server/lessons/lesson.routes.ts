import express from 'express';
import { lessonById, LessonBoardParams, LessonBoardQuery, type Lesson, type LessonBoard, type LessonScore } from '../../shared/lesson.schema.ts';
import { describeZodError } from '../../shared/validation.ts';
import { fail, wrap } from '../http/api-answer.ts';

/** What the lesson routes need: a scored lesson's board. */
export interface LessonBoards {
  board(lesson: Lesson & { score: LessonScore }, playerId?: string): Promise<LessonBoard>;
}

/**
 * `/api/lessons`: `GET /:id/board[?player=<id>]`, a scored lesson's board (the speed run's: fewest training
 * samples to pass). A malformed id or player is a 400; a lesson that does not exist, or has no score, a 404.
 * Counted by the API's read limit like every other read.
 */
export function lessonRoutes(lessons: LessonBoards): express.Router {
  const r = express.Router();
  r.get(
    '/:id/board',
    wrap(async (req, res) => {
      const params = LessonBoardParams.safeParse(req.params);
      if (!params.success) return fail(res, 400, 'BAD_REQUEST', describeZodError(params.error).message);
      const query = LessonBoardQuery.safeParse(req.query);
      if (!query.success) return fail(res, 400, 'BAD_REQUEST', describeZodError(query.error).message);
      const lesson = lessonById(params.data.id);
      if (!lesson) return fail(res, 404, 'NOT_FOUND', `no lesson with id "${params.data.id}"`);
      if (lesson.score === undefined) return fail(res, 404, 'NOT_FOUND', `the lesson “${lesson.title}” is not scored, so it has no board (the speed run has one)`);
      res.json(await lessons.board({ ...lesson, score: lesson.score }, query.data.player));
    }),
  );
  return r;
}
