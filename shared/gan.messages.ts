import { z } from 'zod';
import { PlayerName } from './identity.schema.ts';
import { GanDistribution, GanSide } from './gan.schema.ts';
import type { PlayerGain } from './match-gains.ts';
import type { RoomErrorMessage } from './protocol.ts';
import { Seed, type SeedReveal } from './seed-commitment.ts';

/** The two seats of a GAN battle. */
export const GanRole = z.enum(['generator', 'discriminator']);
export type GanRole = z.infer<typeof GanRole>;

/** The design each side starts with until its player sends one. */
export const DEFAULT_GAN_SIDE: GanSide = GanSide.parse({
  layers: [
    { units: 32, activation: 'relu' },
    { units: 32, activation: 'relu' },
  ],
  learningRate: 0.002,
});

/** Options a GAN battle room is created with. */
export const GanCreateOptions = z.object({
  distribution: GanDistribution.default('ring'),
  /** Rounds to play at most; the battle ends early once a side has won more than half. */
  rounds: z.number().int().min(1, 'rounds must be at least 1').max(9, 'rounds must be at most 9').default(3),
  /** Training iterations per round (each: the discriminator's steps, then the generator's). */
  iterationsPerRound: z.number().int().min(10, 'iterationsPerRound must be at least 10').max(20_000, 'iterationsPerRound must be at most 20000').default(600),
  batchSize: z.number().int().min(8).max(512).default(64),
  /** Width of the generator's noise input. */
  latentDim: z.number().int().min(1).max(16).default(2),
  /**
   * Seed of the real points and every round's training. Absent (the default), the server draws it
   * and commits to it; given, the battle is custom and unrated (no XP or achievements).
   */
  seed: Seed.optional(),
  /** Iterations between two live frames. */
  frameEveryIterations: z.number().int().min(1).max(1000).default(20),
  /** Side of the discriminator heatmap grid. */
  heatmapResolution: z.number().int().min(4).max(60).default(20),
  /** Seconds between rounds to change a design; the next round starts sooner once both players are ready. */
  breakSeconds: z.number().int().min(0).max(300).default(15),
});
export type GanCreateOptions = z.infer<typeof GanCreateOptions>;

/** Options a client joins a GAN battle with. */
export const GanJoinOptions = z.object({
  /** An anonymous spectator's display name; players are named by their guest token. */
  name: PlayerName.optional(),
  role: z.enum(['player', 'spectator']).default('player'),
  /** The seat a player wants; the free one when absent. */
  side: GanRole.optional(),
});
export type GanJoinOptions = z.infer<typeof GanJoinOptions>;

/**
 * Client → server messages, by type. `design` sets a side's network, optimizer,
 * learning rate and steps per iteration from the next round on; only that
 * side's player may send it.
 */
export const GanClientMessages = {
  design: z.object({ side: GanRole, network: GanSide }),
  ready: z.object({ ready: z.boolean() }),
  /** After the match: a player asks for a rematch (same options, a fresh seed); everyone sees its room in state. */
  rematch: z.object({}),
} as const;
export type GanClientMessageType = keyof typeof GanClientMessages;

/** Server → client: something the client sent was refused. */
export type GanErrorMessage = RoomErrorMessage;

/** Server → client, on joining as a player: the id to keep and the seat taken. */
export interface GanWelcomeMessage {
  playerId: string;
  side: GanRole;
}

/** One scored round. */
export interface GanRoundResult {
  round: number;
  distance: number;
  dAccuracy: number;
  generatorPoints: number;
  discriminatorPoints: number;
  winner: GanRole;
}

/** Server → client: a round is over and scored. */
export type GanRoundMessage = GanRoundResult;

/** Server → client: the battle is over. */
export interface GanResultMessage {
  battleId: string;
  /** The stored battle's match page id; null if the database refused it. */
  matchId: string | null;
  winner: GanRole;
  /** How it was decided: "2 rounds to 1", or the tie-break ("level at 1 round each: decided by more points…"). */
  decidedBy: string;
  generator: { player: string; playerId: string; rounds: number; points: number };
  discriminator: { player: string; playerId: string; rounds: number; points: number };
  rounds: GanRoundResult[];
  /** Whether XP and achievements moved (false for a custom seed). */
  rated: boolean;
  /** The battle's seed and salt, with the commitment published when it was created. */
  seedReveal: SeedReveal;
  unlocks: Array<{ playerId: string; player: string; achievement: string; tier: number }>;
  /** What each side's player gained: XP, their GAN rating's move, achievements (none when unrated or not stored). */
  gains: PlayerGain[];
}

/** Phases of a GAN battle; `training` and `break` alternate once per round. */
export const GanPhase = {
  Lobby: 'lobby',
  Training: 'training',
  Break: 'break',
  Finished: 'finished',
} as const;
export type GanPhase = (typeof GanPhase)[keyof typeof GanPhase];

/** Points of the loss and distance curves state keeps for the round under way. */
export const GAN_CURVE_POINTS = 128;
/** Real and generated points state shows. */
export const GAN_SHOWN_POINTS = 256;
