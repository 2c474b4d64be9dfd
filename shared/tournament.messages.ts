import { z } from 'zod';
import { PlayerName } from './identity.schema.ts';
import { ModelSpec } from './model-spec.schema.ts';
import type { PlayerGain } from './match-gains.ts';
import type { RoomErrorMessage } from './protocol.ts';
import { Seed } from './seed-commitment.ts';
import { TaskSpec } from './task.schema.ts';

/** Tournament formats, as the `tournaments.format` column spells them. */
export const TournamentFormat = {
  SingleElimination: 'single_elimination',
  Swiss: 'swiss',
} as const;
export type TournamentFormat = (typeof TournamentFormat)[keyof typeof TournamentFormat];

/** Options a tournament room is created with. */
export const TournamentCreateOptions = z.object({
  /** Shown in lists and stored with the result. */
  title: z.string().trim().min(1, 'title must not be empty').max(64, 'title must be at most 64 characters').default('Tournament'),
  format: z.enum([TournamentFormat.SingleElimination, TournamentFormat.Swiss]).default(TournamentFormat.SingleElimination),
  task: TaskSpec.default(TaskSpec.parse({})),
  /** Training samples every entry of every match gets. */
  budget: z.number().int().min(100, 'budget must be at least 100 samples').max(5_000_000, 'budget must be at most 5000000 samples').default(20_000),
  /**
   * Absent (the default): every match's seed is drawn by the server and committed to as the match
   * starts. Given: each match derives its seed from this one, and the tournament is custom and
   * unrated (no rating, XP or achievements, the champion's included).
   */
  seed: Seed.optional(),
  minPlayers: z.number().int().min(4, 'minPlayers must be at least 4').max(32, 'minPlayers must be at most 32').default(4),
  maxPlayers: z.number().int().min(4, 'maxPlayers must be at least 4').max(32, 'maxPlayers must be at most 32').default(32),
  /** Swiss only: rounds to play (default: ⌈log2 players⌉). */
  rounds: z.number().int().min(1).max(10).optional(),
  /** Seconds from enough ready players to the start; it starts at once when everyone is ready. */
  countdownSeconds: z.number().int().min(0).max(300).default(15),
  /** Seconds players wait between rounds (to look at the standings and change their spec). */
  breakSeconds: z.number().int().min(0).max(300).default(10),
  /**
   * Stretches every match over at least this many seconds so spectators can follow it (0, the
   * default: as fast as training goes). Pacing changes nothing a run computes.
   */
  paceSeconds: z.number().int().min(0).max(600, 'paceSeconds must be at most 600').default(0),
});
export type TournamentCreateOptions = z.infer<typeof TournamentCreateOptions>;

/** Options a client joins a tournament room with. */
export const TournamentJoinOptions = z.object({
  /** An anonymous spectator's display name; players are named by their guest token. */
  name: PlayerName.optional(),
  role: z.enum(['player', 'spectator']).default('player'),
});
export type TournamentJoinOptions = z.infer<typeof TournamentJoinOptions>;

/** Client → server messages, by type. A player's spec may change until their next match starts. */
export const TournamentClientMessages = {
  spec: z.object({ spec: ModelSpec }),
  ready: z.object({ ready: z.boolean() }),
  /** After the match: a player asks for a rematch (same options, a fresh seed); everyone sees its room in state. */
  rematch: z.object({}),
} as const;
export type TournamentClientMessageType = keyof typeof TournamentClientMessages;

/** Server → client: something the client sent was refused. */
export type TournamentErrorMessage = RoomErrorMessage;

/** Server → client, on joining as a player: the id to keep. */
export interface TournamentWelcomeMessage {
  playerId: string;
}

/** Server → client: the tournament is over and stored. */
export interface TournamentResultMessage {
  tournamentId: string;
  /** Null if the database refused the result. */
  stored: boolean;
  champion: { player: string; playerId: string };
  ranking: Array<{ player: string; playerId: string; seat: number; rank: number; wins: number; losses: number; points: number }>;
  /** Every match raced (byes are not matches), in the order they finished. */
  matchIds: string[];
  /** Whether the champion was credited (false for a custom seed); each match's seed is revealed in its state and stored with it. */
  rated: boolean;
  unlocks: Array<{ playerId: string; player: string; achievement: string; tier: number }>;
  /** What each player gained over the tournament: XP (its matches', the champion's, achievements'), the task rating's move, achievements. */
  gains: PlayerGain[];
}

/** Phases of a tournament, in order; `racing` and `break` alternate once per round. */
export const TournamentPhase = {
  Lobby: 'lobby',
  Countdown: 'countdown',
  Racing: 'racing',
  Break: 'break',
  Finished: 'finished',
} as const;
export type TournamentPhase = (typeof TournamentPhase)[keyof typeof TournamentPhase];

/** Where a player stands. */
export const PlayerStatus = {
  Designing: 'designing',
  Ready: 'ready',
  /** Between matches, watching the others. */
  Waiting: 'waiting',
  Racing: 'racing',
  /** Knocked out (single elimination). */
  Out: 'out',
  Champion: 'champion',
} as const;
export type PlayerStatus = (typeof PlayerStatus)[keyof typeof PlayerStatus];

/** Status of one match of the bracket or the Swiss round. */
export const MatchStatus = {
  Racing: 'racing',
  Finished: 'finished',
  Bye: 'bye',
} as const;
export type MatchStatus = (typeof MatchStatus)[keyof typeof MatchStatus];

/** Points of each match side's downsampled curve in state (every match of a tournament carries its own). */
export const MATCH_SIDE_CURVE_POINTS = 64;
