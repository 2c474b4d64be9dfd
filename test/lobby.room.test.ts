import { describe, expect, it } from 'vitest';
import type { LobbyRoomInfo } from '../shared/lobby.messages.ts';
import type { RaceErrorMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { RECONNECT_SECONDS } from '../server/match/index.ts';
import { arenaSuite, guestClient, nextMessage, waitFor } from './support/arena.ts';

describe('the lobby through @colyseus/sdk', () => {
  const t = arenaSuite();

  it('lists open rooms with players, spectators and phase, live, and filters them', async () => {
    const lobby = await t.client.joinOrCreate('lobby', {});
    const rooms = new Map<string, LobbyRoomInfo>();
    lobby.onMessage('rooms', (list: LobbyRoomInfo[]) => {
      rooms.clear();
      for (const r of list) rooms.set(r.roomId, r);
    });
    lobby.onMessage('+', (r: LobbyRoomInfo) => rooms.set(r.roomId, r));
    lobby.onMessage('-', (id: string) => rooms.delete(id));
    const gans = await t.client.joinOrCreate('lobby', { kind: 'gan' });
    let ganList: LobbyRoomInfo[] | undefined;
    gans.onMessage('rooms', (list: LobbyRoomInfo[]) => (ganList = list));
    gans.onMessage('+', () => (ganList = undefined));
    gans.onMessage('-', () => {});

    const ada = await (await guestClient(t.url, 'ada')).client.create<RaceState>('race', { budget: 3000, countdownSeconds: 60, maxPlayers: 4 });
    ada.onMessage('welcome', () => {});
    await waitFor(() => rooms.get(ada.roomId)?.players === 1, 'the new race in the list with its host');
    expect(rooms.get(ada.roomId)).toMatchObject({ kind: 'race', task: 'spiral', phase: 'lobby', maxPlayers: 4, spectators: 0, budget: 3000 });

    const bob = await (await guestClient(t.url, 'bob')).client.joinById<RaceState>(ada.roomId, {});
    bob.onMessage('welcome', () => {});
    const eve = await t.client.joinById<RaceState>(ada.roomId, { role: 'spectator' });
    await waitFor(() => rooms.get(ada.roomId)?.players === 2 && rooms.get(ada.roomId)?.spectators === 1, 'the counts to follow joins');

    // A bad filter gets an error naming the field; the next good one works.
    const refused = nextMessage<RaceErrorMessage>(lobby, 'error');
    lobby.send('filter', { kind: 'chess' });
    expect(await refused).toMatchObject({ code: 'BAD_MESSAGE', field: 'kind' });
    const filtered = nextMessage<LobbyRoomInfo[]>(lobby, 'rooms');
    lobby.send('filter', { kind: 'race', task: 'spiral' });
    expect((await filtered).map((r) => r.roomId)).toContain(ada.roomId);
    // The GAN-only lobby never heard of the race.
    await waitFor(() => ganList !== undefined, 'the gan lobby list');
    expect(ganList!.some((r) => r.roomId === ada.roomId)).toBe(false);

    await Promise.all([ada.leave(), bob.leave(), eve.leave()]);
    await waitFor(() => !rooms.has(ada.roomId), 'the empty race to leave the list');
    await Promise.all([lobby.leave(), gans.leave()]);
  });

  it('a room everyone has dropped out of leaves the list within seconds, while its seat still waits, and returns with them', async () => {
    const lobby = await t.client.joinOrCreate('lobby', { kind: 'race' });
    const rooms = new Map<string, LobbyRoomInfo>();
    lobby.onMessage('rooms', (list: LobbyRoomInfo[]) => {
      rooms.clear();
      for (const r of list) rooms.set(r.roomId, r);
    });
    lobby.onMessage('+', (r: LobbyRoomInfo) => rooms.set(r.roomId, r));
    lobby.onMessage('-', (id: string) => rooms.delete(id));
    const kim = await guestClient(t.url, 'kim');
    const race = await kim.client.create<RaceState>('race', { budget: 3000, countdownSeconds: 60 });
    race.onMessage('welcome', () => {});
    await waitFor(() => rooms.get(race.roomId)?.players === 1, 'the new race in the list');

    // The tab closes without a goodbye: the seat waits RECONNECT_SECONDS, but nobody is there to play or watch.
    race.reconnection.enabled = false;
    const token = race.reconnectionToken;
    race.connection.close(3001, 'tab closed');
    const limit = (RECONNECT_SECONDS * 1000) / 3;
    await waitFor(() => !rooms.has(race.roomId), 'the deserted race to leave the list before its seat expires', limit);

    // Kim comes back in time: the room is open again.
    const back = await kim.client.reconnect<RaceState>(token);
    back.onMessage('welcome', () => {});
    await waitFor(() => rooms.get(race.roomId)?.players === 1, 'the race back in the list with its host', limit);
    await back.leave();
    await waitFor(() => !rooms.has(race.roomId), 'the race gone once left');
    await lobby.leave();
  });
});
