import { z } from 'zod';
import { TaskName } from './task.schema.ts';

/** Boards a leaderboard can show. */
export const Board = z.enum(['xp', 'points', 'rating']);
export type Board = z.infer<typeof Board>;

/** `GET /api/leaderboard` query parameters. */
export const LeaderboardQuery = z.object({
  board: Board.default('points'),
  period: z.enum(['week', 'all']).default('all'),
  /** Rating boards only: `overall` (every race), a task's races, or `gan` (GAN battles). */
  task: z.union([z.literal('overall'), z.literal('gan'), TaskName]).default('overall'),
  /** Only players whose name contains this (any case); ranks stay the whole board's. */
  search: z.string().trim().min(1).max(32).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1, 'limit must be at least 1').max(100, 'limit must be at most 100').default(25),
  /** A player whose own rank to include, wherever they are. */
  player: z.string().uuid('player must be a player id').optional(),
});
export type LeaderboardQuery = z.infer<typeof LeaderboardQuery>;

export interface LeaderboardRow {
  rank: number;
  playerId: string;
  name: string;
  /** XP, achievement points, or on rating boards the shown rating (`shownRating`: 1000 + 40 × (μ − 3σ)). */
  score: number;
  /** Rated matches played on this board's scope (`overall` for the XP and points boards), won and lost. */
  matches: number;
  wins: number;
  losses: number;
  /** Rating boards: how far the shown rating moved since a week ago (null: no rated match before then). */
  movement: number | null;
}

export interface LeaderboardPage {
  board: Board;
  period: 'week' | 'all';
  task: string;
  entries: LeaderboardRow[];
  /** Pass back as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
  /** The asked-for player's place, or null when they are not on this board. */
  me: LeaderboardRow | null;
  /**
   * Players not on this board, listed apart rather than as ties at 0: on rating boards those with no rated
   * match in its scope, on the others those with nothing yet. `count` in all; `recent`, the newest few.
   */
  apart: { count: number; recent: Array<{ playerId: string; name: string }> };
}

/** `GET /api/climb`: what pays XP and points, generated from the progression rules. */
export interface ClimbGuide {
  /** Each way to earn XP, with what it pays ("20 + 10 per player you finish above"). */
  xp: Array<{ what: string; pays: string }>;
  /** Each achievement, with its points per tier (the same amount is paid as XP). */
  points: Array<{ name: string; description: string; points: number[] }>;
  /** What the rating means, in one line, and where OpenSkill is described. */
  rating: { explained: string; link: string };
}

export interface AchievementInfo {
  key: string;
  name: string;
  description: string;
  tiers: number[];
  points: number[];
  /** Share of players holding at least its first tier. */
  rarity: number;
}

export interface PlayerProfile {
  id: string;
  name: string;
  createdAt: string;
  xp: number;
  level: number;
  levelStart: number;
  nextLevelAt: number;
  achievementPoints: number;
  achievements: Array<AchievementInfo & { progress: number; tier: number; unlockedAt: string | null }>;
  ratings: Array<{ scope: string; mu: number; sigma: number; display: number; matches: number }>;
  ratingHistory: Array<{ scope: string; matchId: string; display: number; at: string }>;
  /** Newest first; `kind`: a race (tournament matches are races) or a GAN battle (`task`: its distribution). */
  recentMatches: Array<{ matchId: string; kind: 'race' | 'gan'; task: string; rank: number | null; players: number; finishedAt: string }>;
  /**
   * Lessons of the learning path passed, in the order they were passed, with the passing run's held-out score;
   * on a scored lesson (the speed run) `bestSamples` is the player's best, the fewest training samples a passing run spent (null on others).
   */
  lessons: Array<{ lessonId: string; runId: string; heldOutAccuracy: number; passedAt: string; bestSamples: number | null }>;
}

/** What `GET /api/runs/:id/:file` exports of a stored run (the page links each). */
export const RUN_EXPORT_FILES = ['metrics.csv', 'metrics.json', 'run.json', 'model.json', 'weights.bin'] as const;
export type RunExportFile = (typeof RUN_EXPORT_FILES)[number];

/** `GET /api/runs/:id/:file` path parameters. */
export const RunExportParams = z.object({
  id: z.string().uuid('id must be a run id (a UUID)'),
  file: z.enum(RUN_EXPORT_FILES, { error: `file must be one of ${RUN_EXPORT_FILES.join(', ')}` }),
});
export type RunExportParams = z.infer<typeof RunExportParams>;

/** A stored run's curve as `GET /api/runs/:id/metrics.json` gives it (downsampled to at most 256 points, the last one kept). */
export interface RunMetricsExport {
  runId: string;
  /** The columns present, in the CSV's order (`accuracy` and `valLoss` only where the run kept them). */
  columns: string[];
  points: Array<Record<string, number>>;
}
