import { z } from 'zod';
import { ModelSpec } from './model-spec.schema.ts';
import type { ErrorCode } from './protocol.ts';
import { TaskSpec } from './task.schema.ts';

/** Options a race room is created with. */
export const RaceCreateOptions = z.object({
  task: TaskSpec.default(TaskSpec.parse({})),
  /** Training samples every entry gets. */
  budget: z.number().int().min(100, 'budget must be at least 100 samples').max(5_000_000, 'budget must be at most 5000000 samples').default(20_000),
  /** Seed of the task data and every entry's initial weights (random when absent). */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  minPlayers: z.number().int().min(2).max(8).default(2),
  maxPlayers: z.number().int().min(2).max(8).default(8),
  /** Seconds from enough ready players to the start; the race starts at once when everyone is ready. */
  countdownSeconds: z.number().int().min(0).max(300).default(15),
});
export type RaceCreateOptions = z.infer<typeof RaceCreateOptions>;

/** Options a client joins a race room with. */
export const RaceJoinOptions = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(32, 'name must be at most 32 characters'),
  role: z.enum(['player', 'spectator']).default('player'),
  /** The player id this browser was given before (kept in local storage). */
  playerId: z.string().uuid('playerId must be a player id').optional(),
});
export type RaceJoinOptions = z.infer<typeof RaceJoinOptions>;

/** Client → server messages, by type. */
export const RaceClientMessages = {
  spec: z.object({ spec: ModelSpec }),
  ready: z.object({ ready: z.boolean() }),
} as const;
export type RaceClientMessageType = keyof typeof RaceClientMessages;
export type RaceClientMessage<K extends RaceClientMessageType> = z.input<(typeof RaceClientMessages)[K]>;

/** Server → client: something the client sent was refused. */
export interface RaceErrorMessage {
  code: ErrorCode;
  message: string;
  field?: string;
  /** The message type that was refused. */
  about?: string;
}

/** Server → client: the race is over and stored; `unlocks` are the achievement tiers it earned. */
export interface RaceResultMessage {
  matchId: string | null;
  ranking: Array<{ player: string; playerId: string | null; seat: number; rank: number; valAccuracy: number; heldOutAccuracy: number }>;
  unlocks: Array<{ playerId: string; player: string; achievement: string; tier: number }>;
}

/** Server → client, on joining as a player: the id to keep and send next time. */
export interface RaceWelcomeMessage {
  playerId: string;
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
