import type { Room } from '@colyseus/core';

/**
 * Changes part of a room's listing in the lobby. Colyseus replaces metadata
 * as a whole, so a bare `setMetadata({ phase })` would drop the room's kind
 * and task and the lobby would stop showing it.
 */
export function patchListing(room: Room<any>, patch: Record<string, unknown>): void {
  void room.setMetadata({ ...room.metadata, ...patch });
}
