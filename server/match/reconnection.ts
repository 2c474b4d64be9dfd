/**
 * Seconds a dropped player (or spectator) has to come back to their seat in any game room before they
 * count as gone (Colyseus `allowReconnection`). The seat, its run and the player's private view wait.
 */
export const RECONNECT_SECONDS = 30;

/** What holding a seat needs of a room (Colyseus `Room.allowReconnection`). */
interface Reconnectable<C> {
  allowReconnection(client: C, seconds: number): unknown;
}

/**
 * A connection lost without leaving: `mark(false)` shows the seat as disconnected while it waits
 * RECONNECT_SECONDS for the player; after that `onLeave` follows (the room's own rules then apply).
 */
export async function holdSeat<C>(room: Reconnectable<C>, client: C, mark: (connected: boolean) => void): Promise<void> {
  mark(false);
  try {
    await (room.allowReconnection(client, RECONNECT_SECONDS) as PromiseLike<unknown>); // a Colyseus Deferred
  } catch {
    // timed out: onLeave follows
  }
}
