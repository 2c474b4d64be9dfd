/**
 * What can happen to a match, as zod-typed events: the append-only log a `MatchLifecycle` keeps.
 * Every fact a room needs to carry a running match on after a restart is in here (who sits where with
 * which spec, each run's job, every control with the step it took effect), so the log can be persisted
 * as it grows and a match rebuilt from it. Values are JSON-safe: a number that may not be finite (a
 * diverged loss) is stored as null.
 */
import { z } from 'zod';
import { Control } from '../../shared/control.schema.ts';
import { GanJob, GanSide } from '../../shared/gan.schema.ts';
import { ModelSpec } from '../../shared/model-spec.schema.ts';
import { TrainJob } from '../../shared/run.schema.ts';

/** The four kinds of match a room plays. */
export const MatchKind = z.enum(['race', 'tournament', 'gan', 'playground']);
export type MatchKind = z.infer<typeof MatchKind>;

/** Where a match is: lobby → countdown → running → settling → stored, or aborted (from anywhere but stored). */
export const MatchPhase = z.enum(['lobby', 'countdown', 'running', 'settling', 'stored', 'aborted']);
export type MatchPhase = z.infer<typeof MatchPhase>;

/** A figure that may be missing or not finite (a diverged loss): null in the log. */
const Figure = z.number().nullable();

/** When it happened, ms since the epoch. */
const at = z.number().int().min(0);

/** A player or spectator joined (or, for a player, took a seat). */
export const JoinEvent = z.object({
  type: z.literal('join'),
  at,
  role: z.enum(['player', 'spectator']),
  /** The player's id (null for an anonymous spectator). */
  playerId: z.string().nullable(),
  name: z.string(),
  /** The seat taken (players only). */
  seat: z.number().int().min(0).optional(),
});

/** A player gave up their seat, or a spectator left. */
export const LeaveEvent = z.object({
  type: z.literal('leave'),
  at,
  role: z.enum(['player', 'spectator']),
  playerId: z.string().nullable(),
  seat: z.number().int().min(0).optional(),
  reason: z.string().optional(),
});

/** A player's network for this match (a later one replaces it). */
export const SpecEvent = z.object({
  type: z.literal('spec'),
  at,
  playerId: z.string(),
  seat: z.number().int().min(0),
  spec: ModelSpec,
  params: z.number().int().min(0),
  summary: z.string(),
});

/** A GAN battle player's design of their side (a later one replaces it; it applies from the next round). */
export const DesignEvent = z.object({
  type: z.literal('design'),
  at,
  playerId: z.string(),
  seat: z.number().int().min(0),
  role: z.enum(['generator', 'discriminator']),
  design: GanSide,
  summary: z.string(),
});

/** The match moved from one phase to another (recorded by `MatchLifecycle.transition`). */
export const PhaseEvent = z.object({
  type: z.literal('phase'),
  at,
  from: MatchPhase,
  to: MatchPhase,
  reason: z.string().optional(),
});

/** A run was submitted to the trainer: the whole job, so it can be re-attached or resumed. */
export const LaunchEvent = z.object({
  type: z.literal('launch'),
  at,
  runId: z.string(),
  seat: z.number().int().min(0).optional(),
  playerId: z.string().nullable().optional(),
  job: z.union([TrainJob, GanJob]),
});

/** A control took effect in a run at `step` (the engine's `control` event), sent by `playerId`. */
export const ControlEvent = z.object({
  type: z.literal('control'),
  at,
  runId: z.string(),
  playerId: z.string().nullable().optional(),
  control: Control,
  step: z.number().int().min(0),
  /** Whether it used one of the player's interventions. */
  intervention: z.boolean().optional(),
});

/** A throttled summary of a run's telemetry. */
export const FrameEvent = z.object({
  type: z.literal('frame'),
  at,
  runId: z.string(),
  samples: z.number().int().min(0),
  loss: Figure,
  valAccuracy: Figure,
});

/** A run ended: how it did (the held-out score and weights hash of a finished run), or why it failed. */
export const ResultEvent = z.object({
  type: z.literal('result'),
  at,
  runId: z.string(),
  status: z.enum(['finished', 'diverged', 'failed']),
  samples: z.number().int().min(0),
  loss: Figure,
  valAccuracy: Figure,
  heldOutAccuracy: Figure,
  weightsHash: z.string().nullable(),
  error: z.string().optional(),
});

/** A tournament's round began (in the tournament's own log, `MatchLifecycle` of round 0). */
export const RoundEvent = z.object({ type: z.literal('round'), at, round: z.number().int().min(1) });

/** A pairing of a tournament's round was decided (in the tournament's own log): who won, on what held-out scores, which stored match. */
export const BracketEvent = z.object({
  type: z.literal('bracket'),
  at,
  round: z.number().int().min(1),
  index: z.number().int().min(0),
  a: z.number().int().min(0),
  b: z.number().int().min(0).nullable(),
  winner: z.number().int().min(0),
  accuracy: z.object({ a: Figure, b: Figure }),
  /** The tie-break that decided it, when the shown held-out accuracy did not (see `tieBreaks`). */
  decidedBy: z.string().max(300).optional(),
  matchId: z.string().nullable(),
});

/** The match was stored under `matchId` (null when the database refused it). */
export const StoredEvent = z.object({ type: z.literal('stored'), at, matchId: z.string().nullable() });

/** The match was called off. */
export const AbortedEvent = z.object({ type: z.literal('aborted'), at, reason: z.string().min(1) });

export const MatchEvent = z.discriminatedUnion('type', [
  JoinEvent,
  LeaveEvent,
  SpecEvent,
  DesignEvent,
  PhaseEvent,
  LaunchEvent,
  ControlEvent,
  FrameEvent,
  ResultEvent,
  StoredEvent,
  AbortedEvent,
  RoundEvent,
  BracketEvent,
]);
export type MatchEvent = z.infer<typeof MatchEvent>;
export type MatchEventType = MatchEvent['type'];
/** An event as `record` takes it: `at` may be left to the lifecycle's clock. */
export type MatchEventInput = MatchEvent extends infer E ? (E extends { at: number } ? Omit<E, 'at'> & { at?: number } : never) : never;

/** A number for the log: finite, or null. */
export function figure(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
