import { z } from 'zod';
import { Control } from './control.schema.ts';
import { PlayerName } from './identity.schema.ts';
import { ModelSpec } from './model-spec.schema.ts';
import type { PlayerGain, TieBreak } from './match-gains.ts';
import type { RoomErrorMessage } from './protocol.ts';
import { Seed, type SeedReveal } from './seed-commitment.ts';
import { TaskSpec } from './task.schema.ts';

/** Options a race room is created with. */
export const RaceCreateOptions = z.object({
  task: TaskSpec.default(TaskSpec.parse({})),
  /** Training samples every entry gets. */
  budget: z.number().int().min(100, 'budget must be at least 100 samples').max(5_000_000, 'budget must be at most 5000000 samples').default(20_000),
  /**
   * Seed of the task data and every entry's initial weights. Absent (the default), the server draws
   * it and commits to it; given, the race is custom and unrated (no rating, XP or achievements).
   */
  seed: Seed.optional(),
  minPlayers: z.number().int().min(2).max(8).default(2),
  maxPlayers: z.number().int().min(2).max(8).default(8),
  /** Seconds from enough ready players to the start; the race starts at once when everyone is ready. */
  countdownSeconds: z.number().int().min(0).max(300).default(15),
  /** Stretch the race over at least this many seconds so spectators can follow it (0: as fast as training goes). */
  paceSeconds: z.number().int().min(0).max(600, 'paceSeconds must be at most 600').default(0),
  /** Interventions each player may make while the race runs. */
  interventions: z.number().int().min(0).max(10, 'interventions must be at most 10').default(3),
  /** What one intervention costs, as a share of the budget (default 0.02: 2%). */
  interventionCost: z.number().min(0).max(0.5, 'interventionCost must be at most 0.5').default(0.02),
});
export type RaceCreateOptions = z.infer<typeof RaceCreateOptions>;

/** Options a client joins a race room with; who the player is comes from their guest token. */
export const RaceJoinOptions = z.object({
  role: z.enum(['player', 'spectator']).default('player'),
  /** An anonymous spectator's display name. */
  name: PlayerName.optional(),
});
export type RaceJoinOptions = z.infer<typeof RaceJoinOptions>;

/**
 * The controls a player may use to steer their entry during a race. A rewind takes their run back to one
 * of its automatic checkpoints (every `checkpointEvery` steps of the race's state): one intervention,
 * and the samples trained since still count against the budget.
 */
export const RACE_CONTROL_TYPES = ['setLearningRate', 'setBatchSize', 'setOptimizer', 'setActivation', 'freeze', 'injectNoise', 'rewind'] as const;
export const RaceControl = Control.superRefine((c, ctx) => {
  if (!(RACE_CONTROL_TYPES as readonly string[]).includes(c.type)) {
    ctx.addIssue({ code: 'custom', path: ['type'], message: `"${c.type}" is not allowed in a race; use one of ${RACE_CONTROL_TYPES.join(', ')}` });
  }
});

/** Client → server messages, by type. */
export const RaceClientMessages = {
  spec: z.object({ spec: ModelSpec }),
  ready: z.object({ ready: z.boolean() }),
  /** Steer a run during the race (it must be the sender's own); each costs an intervention and some budget. */
  control: z.object({ runId: z.string().min(1), control: RaceControl }),
  /** After the match: a player asks for a rematch (same options, a fresh seed); everyone sees its room in state. */
  rematch: z.object({}),
} as const;
export type RaceClientMessageType = keyof typeof RaceClientMessages;
export type RaceClientMessage<K extends RaceClientMessageType> = z.input<(typeof RaceClientMessages)[K]>;

/** Server → client: something the client sent was refused. */
export type RaceErrorMessage = RoomErrorMessage;

/** Server → client: the race is over and stored; `unlocks` are the achievement tiers it earned. */
export interface RaceResultMessage {
  matchId: string | null;
  /** Whether ratings, XP and achievements moved (false for a custom seed). */
  rated: boolean;
  /** The seed and salt, with the commitment published when the race was created. */
  seedReveal: SeedReveal;
  ranking: Array<{ player: string; playerId: string | null; seat: number; rank: number; valAccuracy: number; heldOutAccuracy: number }>;
  /** Why places the shown held-out accuracy (one decimal) left level fell as they did: the rule that decided each, with the figures. */
  tieBreaks: TieBreak[];
  /** What each player gained: XP, the task rating's move (shown scale), achievements; none when unrated or not stored. */
  gains: PlayerGain[];
  unlocks: Array<{ playerId: string; player: string; achievement: string; tier: number }>;
}

/** Server → client, on joining as a player: who the token says they are. */
export interface RaceWelcomeMessage {
  playerId: string;
}

/**
 * Server → the steering player: their intervention took effect in the run (the engine confirmed it).
 * A control the engine refuses is answered with an `error` (code `CONTROL_REFUSED`, the engine's reason)
 * instead, and costs neither an intervention nor budget.
 */
export interface RaceSteeredMessage {
  control: Control;
  /** The step of the run it took effect at (before that step's batch). */
  step: number;
  /** Samples of budget it cost. */
  cost: number;
  interventionsLeft: number;
}

/** Phases of a race, in order. */
export const RacePhase = {
  Lobby: 'lobby',
  Countdown: 'countdown',
  Training: 'training',
  Finished: 'finished',
} as const;
export type RacePhase = (typeof RacePhase)[keyof typeof RacePhase];

/** Status of one entry. */
export const EntryStatus = {
  Designing: 'designing',
  Ready: 'ready',
  Training: 'training',
  Finished: 'finished',
  Failed: 'failed',
} as const;
export type EntryStatus = (typeof EntryStatus)[keyof typeof EntryStatus];

/** Points a learning curve in room state holds at most. */
export const CURVE_POINTS = 128;
