import { matchMaker, ServerError, subscribeLobby, type Client } from '@colyseus/core';
import { LobbyFilter, type LobbyMessages, type LobbyRoomInfo } from '../../shared/lobby.messages.ts';
import { describeZodError } from '../../shared/validation.ts';
import { GuardedRoom } from '../gate/guarded-room.ts';
import { onValidated } from '../room-messages.ts';
import { matches, roomInfo } from './lobby.rules.ts';

/**
 * The lobby: lists the open arena rooms by kind and task with their players,
 * spectators and phase, and keeps every client's list current as rooms are
 * created, change and close (Colyseus's lobby feed, which RedisDriver shares
 * between server processes). Its one message, `filter`, passes the same gate
 * and validation as every room's.
 */
export class ArenaLobbyRoom extends GuardedRoom {
  private rooms = new Map<string, LobbyRoomInfo>();
  private readonly filters = new Map<string, LobbyFilter>();
  private unsubscribe?: () => void;
  override maxClients = 5000;

  override async onCreate(): Promise<void> {
    onValidated(this, 'lobby', { filter: LobbyFilter }, 'filter', (client, filter) => {
      this.filters.set(client.sessionId, filter);
      this.sendList(client);
    });
    this.unsubscribe = await subscribeLobby((roomId, data) => this.update(roomId, data ? roomInfo({ ...data, roomId }) : undefined));
    const listed = await matchMaker.query({ private: false, unlisted: false });
    for (const r of listed) {
      const info = roomInfo(r);
      if (info) this.rooms.set(r.roomId, info);
    }
  }

  override onJoin(client: Client, raw: unknown): void {
    const parsed = LobbyFilter.safeParse(raw ?? {});
    if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
    this.filters.set(client.sessionId, parsed.data);
    this.sendList(client);
  }

  override onLeave(client: Client): void {
    this.filters.delete(client.sessionId);
  }

  override onDispose(): void {
    this.unsubscribe?.();
  }

  private sendList(client: Client): void {
    const filter = this.filters.get(client.sessionId) ?? {};
    client.send('rooms', [...this.rooms.values()].filter((r) => matches(r, filter)) satisfies LobbyMessages['rooms']);
  }

  private update(roomId: string, info: LobbyRoomInfo | undefined): void {
    const before = this.rooms.get(roomId);
    if (info) this.rooms.set(roomId, info);
    else this.rooms.delete(roomId);
    for (const client of this.clients) {
      const filter = this.filters.get(client.sessionId);
      if (!filter) continue;
      const had = before !== undefined && matches(before, filter);
      const has = info !== undefined && matches(info, filter);
      if (has) client.send('+', info satisfies LobbyMessages['+']);
      else if (had) client.send('-', roomId satisfies LobbyMessages['-']);
    }
  }
}
