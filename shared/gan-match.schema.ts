import { z } from 'zod';
import { GanRole } from './gan.messages.ts';
import { GanDistribution, GanSide } from './gan.schema.ts';
import { Match, MatchStatus } from './match.schema.ts';
import { SeedReveal } from './seed-commitment.ts';

/** A GAN round's curves, downsampled: iteration, both losses and the distance to the real points. */
export const GanRoundCurve = z.object({
  iteration: z.array(z.number()),
  dLoss: z.array(z.number()),
  gLoss: z.array(z.number()),
  distance: z.array(z.number()),
});
export type GanRoundCurve = z.infer<typeof GanRoundCurve>;

/** One scored round of a stored battle, with its curves for the match page's replay. */
export const GanRoundRecord = z.object({
  round: z.number().int().min(1),
  /** Null when the round could not be trained (nothing was forged). */
  distance: z.number().nullable(),
  dAccuracy: z.number().nullable(),
  generatorPoints: z.number(),
  discriminatorPoints: z.number(),
  winner: GanRole,
  curve: GanRoundCurve.nullable(),
});
export type GanRoundRecord = z.infer<typeof GanRoundRecord>;

/** One side of a stored battle: its player, their last design, place (1: the winner), rounds and points won. */
export const GanMatchEntry = z.object({
  seat: z.number().int(),
  role: GanRole,
  player: z.string(),
  playerId: z.string().nullable(),
  design: GanSide,
  rank: z.number().int().nullable(),
  rounds: z.number().int(),
  points: z.number(),
});
export type GanMatchEntry = z.infer<typeof GanMatchEntry>;

/** A finished GAN battle, as stored and as `/api/matches/:id` returns it. */
export const GanMatch = z.object({
  id: z.string(),
  roomId: z.string(),
  kind: z.literal('gan'),
  distribution: GanDistribution,
  seed: z.number().int(),
  /** False for a custom seed: no rating, XP or achievement moved. */
  rated: z.boolean(),
  seedReveal: SeedReveal.nullable(),
  iterationsPerRound: z.number().int(),
  /** The distance of a generator collapsed onto the origin: the yardstick of the generator's points. */
  referenceDistance: z.number(),
  startedAt: z.string(),
  finishedAt: z.string(),
  winner: GanRole,
  /** How the battle was decided, in words ("2 rounds to 1", or the tie-break that decided it). */
  decidedBy: z.string(),
  rounds: z.array(GanRoundRecord),
  /** The generator (seat 0) and the discriminator (seat 1). */
  entries: z.array(GanMatchEntry),
  status: MatchStatus.optional(),
  abortReason: z.string().nullable().optional(),
});
export type GanMatch = z.infer<typeof GanMatch>;

/** Any stored match: a race (a tournament match is one too) or a GAN battle, told apart by `kind`. */
export const StoredMatch = z.discriminatedUnion('kind', [Match, GanMatch]);
export type StoredMatch = z.infer<typeof StoredMatch>;
