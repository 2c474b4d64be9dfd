import { z } from 'zod';

/** Kinds of rooms the lobby lists. */
export const RoomKind = z.enum(['race', 'tournament', 'gan', 'playground']);
export type RoomKind = z.infer<typeof RoomKind>;

/** Which rooms a lobby client wants to see (join option, or the `filter` message); empty: all. */
export const LobbyFilter = z.object({
  kind: RoomKind.optional(),
  task: z.string().min(1).max(32).optional(),
});
export type LobbyFilter = z.infer<typeof LobbyFilter>;

/** One open room as the lobby shows it. */
export interface LobbyRoomInfo {
  roomId: string;
  kind: RoomKind;
  task: string;
  phase: string;
  players: number;
  maxPlayers: number;
  spectators: number;
  budget?: number;
  /** False when the creator chose the seed: "custom seed · unrated" (races, tournaments, GAN battles). */
  rated?: boolean;
}

/** Server → lobby client: the whole list (`rooms`), a room added or changed (`+`), a room gone (`-`, its id). */
export interface LobbyMessages {
  rooms: LobbyRoomInfo[];
  '+': LobbyRoomInfo;
  '-': string;
}
