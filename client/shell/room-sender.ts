import type { Room } from '@colyseus/sdk';
import type { z } from 'zod';

/** A room's client → server messages, by type, as `shared/` declares them (e.g. `RaceClientMessages`). */
type ClientMessages = Record<string, z.ZodType>;

/** Sends one of the room's messages; the payload must be what the room's schema accepts. */
export type RoomSender<M extends ClientMessages> = <K extends keyof M & string>(type: K, message: z.input<M[K]>) => void;

/**
 * A typed `room.send` for the messages `shared/` declares for this kind of
 * room, e.g. `roomSender<typeof RaceClientMessages>(room)`: a page can only
 * send a type the room knows, shaped as its schema says (the room still
 * validates every message it receives). Types only: no schema is loaded.
 */
export function roomSender<M extends ClientMessages>(room: Room<any, any>): RoomSender<M> {
  return (type, message) => room.send(type, message);
}
