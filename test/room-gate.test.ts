import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { arenaSuite, guestClient, nextMessage, waitFor } from './support/arena.ts';
import { nested } from './fuzz/fuzz-cases.ts';

/** Resolves with the close code when the server closes this connection. */
function closed(room: Room): Promise<number> {
  room.reconnection.enabled = false;
  return new Promise((resolve) => room.onLeave((code) => resolve(code)));
}

describe('one gate for every room (default limits)', () => {
  const t = arenaSuite();

  const kinds = [
    { kind: 'lobby', type: 'filter', good: { kind: 'race' } },
    { kind: 'race', type: 'ready', good: { ready: false } },
    { kind: 'tournament', type: 'ready', good: { ready: false } },
    { kind: 'gan', type: 'ready', good: { ready: false } },
    { kind: 'playground', type: 'spec', good: { spec: SPEC_TEMPLATES[0]!.spec } },
  ] as const;

  async function join(kind: string): Promise<{ room: Room; errors: unknown[] }> {
    const errors: unknown[] = [];
    let room: Room;
    if (kind === 'lobby') room = await t.client.joinOrCreate('lobby', {});
    else room = await (await guestClient(t.url, `gate-${kind}-${Math.random().toString(36).slice(2, 6)}`)).client.create(kind, { countdownSeconds: 300, breakSeconds: 300 });
    room.onMessage('*', (type, msg) => type === 'error' && errors.push(msg));
    return { room, errors };
  }

  for (const { kind, type, good } of kinds) {
    it(`${kind}: refuses "*" nested 4,000 deep naming it, takes the next good message, closes on the second offence`, async () => {
      const { room, errors } = await join(kind);
      const refusal = nextMessage<{ code: string; about: string; message: string }>(room, 'error');
      room.send('*', nested(4000));
      expect(await refusal).toMatchObject({ code: 'BAD_MESSAGE', about: '*', message: expect.stringContaining('unknown message type "*"') });
      const before = errors.length;
      room.send(type, good);
      await new Promise((r) => setTimeout(r, 300));
      expect(errors.length, 'the good message was taken without an error').toBe(before);
      const gone = closed(room);
      room.send('teleport', {});
      expect(await gone).toBe(4002);
      const health = await fetch(`${t.url}/health`);
      expect(health.status).toBe(200);
    });

    it(`${kind}: closes a connection that sends 1,500 messages in one burst, answering at most the limit`, async () => {
      const { room, errors } = await join(kind);
      const gone = closed(room);
      for (let i = 0; i < 1500; i++) room.send(type, good);
      expect(await gone).toBe(4002);
      expect(errors.length).toBeLessThanOrEqual(30);
    });
  }

  it('refuses payloads out of bounds with the reason, and garbage closes only the sender', async () => {
    const { room } = await join('race');
    const deep = nextMessage<{ message: string }>(room, 'error');
    room.send('ready', nested(20, true));
    expect((await deep).message).toBe('ready: the payload is nested deeper than 8 levels');
    const watcher = await t.client.joinById(room.roomId, { role: 'spectator' });
    const gone = closed(room);
    room.connection.send(Uint8Array.of(13, 0xa5, 0x72, 0x65, 0x61, 0x64, 0x79, 0xc1));
    expect(await gone).toBe(4002);
    await waitFor(() => watcher.connection.isOpen, 'the spectator to stay');
    await watcher.leave();
  });

  it('closes a connection that sends a frame over ROOM_MAX_MESSAGE_BYTES before reading it', async () => {
    const { room } = await join('lobby');
    const gone = closed(room);
    room.send('filter', { task: 'x'.repeat(5000) });
    expect(await gone).toBe(1009);
  });
});
