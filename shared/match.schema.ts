import { z } from 'zod';
import { ModelSpec } from './model-spec.schema.ts';
import { SeedReveal } from './seed-commitment.ts';
import { TaskSpec } from './task.schema.ts';

/** A run's learning curve, downsampled: samples seen, training loss and validation accuracy at each point (and, where kept, training accuracy and validation loss). */
export const RunCurve = z.object({
  samples: z.array(z.number()),
  loss: z.array(z.number()),
  valAccuracy: z.array(z.number()),
  /** Training accuracy and validation loss at the same points (absent in curves stored before they were kept, and in races'). */
  accuracy: z.array(z.number()).optional(),
  valLoss: z.array(z.number()).optional(),
});
export type RunCurve = z.infer<typeof RunCurve>;

/** Points a stored curve keeps at most. */
export const STORED_CURVE_POINTS = 256;

/** One entry of a finished match, as stored and as `/api/matches/:id` returns it. */
export const MatchEntry = z.object({
  seat: z.number().int(),
  player: z.string(),
  playerId: z.string().nullable(),
  runId: z.string(),
  spec: ModelSpec,
  status: z.enum(['finished', 'failed']),
  rank: z.number().int().nullable(),
  heldOutAccuracy: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  loss: z.number().nullable(),
  samples: z.number().int(),
  weightsHash: z.string().nullable(),
  backend: z.string().nullable(),
  error: z.string().nullable(),
  /** The entry's learning curve, for the match page's replay (null when it was not kept). */
  curve: RunCurve.nullable().optional(),
});
export type MatchEntry = z.infer<typeof MatchEntry>;

/** How a stored match ended: played to the end, or called off (aborted) with a reason. */
export const MatchStatus = z.enum(['finished', 'aborted']);
export type MatchStatus = z.infer<typeof MatchStatus>;

/** A finished match with its entries in seat order. */
export const Match = z.object({
  id: z.string(),
  roomId: z.string(),
  kind: z.literal('race'),
  task: TaskSpec,
  seed: z.number().int(),
  /** False when the creator chose the seed ("custom seed · unrated"): no rating, XP or achievement moved. */
  rated: z.boolean(),
  /** The commitment published at the start with the seed and salt revealed at the end; null for matches stored before commitments. */
  seedReveal: SeedReveal.nullable(),
  budget: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string(),
  entries: z.array(MatchEntry),
  /**
   * `aborted`: the match could not be carried on (after a server restart, say) and was called off with
   * `abortReason`; nobody's rating or XP moved. Absent when a room stores it: finished.
   */
  status: MatchStatus.optional(),
  abortReason: z.string().nullable().optional(),
});
export type Match = z.infer<typeof Match>;
