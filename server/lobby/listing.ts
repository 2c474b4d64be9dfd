import type { Room } from '@colyseus/core';

/**
 * Changes part of a room's listing in the lobby. Colyseus replaces metadata
 * as a whole, so a bare `setMetadata({ phase })` would drop the room's kind
 * and task and the lobby would stop showing it. Every patch also says how
 * many people are connected right now (`present`): the lobby hides a room
 * that everyone has left, even while it holds their seats for reconnection
 * or its match plays on.
 */
export function patchListing(room: Room<any>, patch: Record<string, unknown> = {}): void {
  void room.setMetadata({ ...room.metadata, ...patch, present: room.clients.length });
}
