import type { LobbyRoomInfo } from './lobby.messages.ts';

/**
 * The room a quick join should pick: an open one of that kind with a free seat (on `task`, when given),
 * the fullest first (it starts soonest).
 */
export function quickJoinPick(rooms: LobbyRoomInfo[], kind: LobbyRoomInfo['kind'], task?: string): LobbyRoomInfo | undefined {
  return rooms
    .filter((r) => r.kind === kind && r.phase === 'lobby' && r.players < r.maxPlayers && (task === undefined || r.task === task))
    .sort((a, b) => b.players - a.players || a.roomId.localeCompare(b.roomId))[0];
}
