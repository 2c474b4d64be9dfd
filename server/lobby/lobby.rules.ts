import { RoomKind, type LobbyFilter, type LobbyRoomInfo } from '../../shared/lobby.messages.ts';

/** What the matchmaker knows of a listed room. */
export interface ListedRoom {
  roomId: string;
  clients?: number;
  metadata?: Record<string, unknown>;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A listed room as the lobby shows it; rooms that are not arena rooms (the lobby itself) and rooms nobody is in are left out. */
export function roomInfo(room: ListedRoom): LobbyRoomInfo | undefined {
  const m = room.metadata ?? {};
  const kind = RoomKind.safeParse(m.kind);
  if (!kind.success) return undefined;
  if (m.present === 0) return undefined; // everyone has left (their seats may wait, a match may play on): not open
  return {
    roomId: room.roomId,
    kind: kind.data,
    task: typeof m.task === 'string' ? m.task : '',
    phase: typeof m.phase === 'string' ? m.phase : '',
    players: num(m.players),
    maxPlayers: num(m.maxPlayers),
    spectators: num(m.spectators),
    ...(typeof m.budget === 'number' ? { budget: m.budget } : {}),
    ...(typeof m.rated === 'boolean' ? { rated: m.rated } : {}),
  };
}

export function matches(info: LobbyRoomInfo, filter: LobbyFilter): boolean {
  return (!filter.kind || info.kind === filter.kind) && (!filter.task || info.task === filter.task);
}
