import { matchMaker } from '@colyseus/core';
import { MatchMakeError, type Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { joinByIdAfter } from '../client/shell/seat-reservation.ts';
import type { RaceState } from '../shared/race.state.ts';
import { arenaSuite, waitFor } from './support/arena.ts';

/** The server's own instance of a room in this process (the test arena runs in it). */
const serverRoom = (roomId: string) => {
  const room = matchMaker.getLocalRoomById(roomId);
  if (!room) throw new Error(`no room ${roomId} in this process`);
  return room;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How a link's page joins a room (client/shell/seat-reservation.ts): the seat is reserved, the page for the room's
 * kind loads, then the seat is taken. Through the real SDK against a real arena.
 */
describe('joining a room from a link, its page loaded between the seat reservation and the seat', () => {
  const t = arenaSuite();

  const hostRace = async (name: string): Promise<Room<any, RaceState>> => {
    const host = await (await t.as(name)).create<RaceState>('race', { countdownSeconds: 60 });
    host.onMessage('*', () => {});
    return host;
  };

  it("names the room's kind before the seat is taken, then takes it", async () => {
    const host = await hostRace('host-a');
    const seen: Array<{ kind: string; clients: number }> = [];
    const room = await joinByIdAfter<RaceState>(await t.as('guest-a'), host.roomId, {}, async (kind) => {
      seen.push({ kind, clients: serverRoom(host.roomId).clients.length });
    });
    room.onMessage('*', () => {});
    expect(seen).toEqual([{ kind: 'race', clients: 1 }]); // only the host had a seat while the page "loaded"
    expect(room.roomId).toBe(host.roomId);
    await waitFor(() => host.state.entries?.size === 2, 'the host to see the second player');
    await Promise.all([room.leave(), host.leave()]);
  });

  it('still seats a player whose page took longer than the seat is held: it asks once more, with a plain join', async () => {
    const host = await hostRace('host-b');
    serverRoom(host.roomId).seatReservationTimeout = 1; // seconds; Colyseus holds a reserved seat 15 s by default
    let waited = false;
    const room = await joinByIdAfter<RaceState>(await t.as('guest-b'), host.roomId, {}, async () => {
      await sleep(2500); // a page that loads slowly: the reservation lapses meanwhile
      waited = true;
    });
    room.onMessage('*', () => {});
    expect(waited).toBe(true);
    expect(room.roomId).toBe(host.roomId);
    await waitFor(() => host.state.entries?.size === 2, 'the host to see the late player seated');
    await Promise.all([room.leave(), host.leave()]);
  });

  it("fails as joinById fails (the server's code and words) when there is no such room, before loading any page", async () => {
    const client = await t.as('guest-c');
    const plain = await client.joinById('no-such-room', {}).catch((err: unknown) => err);
    expect(plain).toBeInstanceOf(MatchMakeError);
    let loaded = false;
    const ours = await joinByIdAfter(client, 'no-such-room', {}, async () => {
      loaded = true;
    }).catch((err: unknown) => err);
    expect(ours).toBeInstanceOf(MatchMakeError);
    expect({ code: (ours as MatchMakeError).code, message: (ours as MatchMakeError).message }).toEqual({ code: (plain as MatchMakeError).code, message: (plain as MatchMakeError).message });
    expect((ours as MatchMakeError).message).toMatch(/no-such-room/);
    expect(loaded).toBe(false);
  });
});
