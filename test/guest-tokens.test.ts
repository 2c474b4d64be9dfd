import { createHmac } from 'node:crypto';
import { Client } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../server/config.ts';
import { signGuestToken, verifyGuestToken, type GuestTokenPolicy } from '../server/identity/guest-token.ts';
import type { GuestIdentity } from '../shared/identity.schema.ts';
import type { RaceState } from '../shared/race.state.ts';
import { arenaSuite, guestClient, TEST_SECRET, waitFor } from './support/arena.ts';

/** The arena under test rotated its secret: TEST_SECRET is now the previous one. */
const CURRENT = 'the-secret-after-rotation-for-guest-tokens';
const DAY = 86_400_000;
const TTL = 30 * 86_400;
const now = Date.now();
/** Signs as this arena does (current secret), or as it did before the rotation. */
const current: GuestTokenPolicy = { keys: { current: CURRENT }, ttlSeconds: TTL };
const beforeRotation: GuestTokenPolicy = { keys: { current: TEST_SECRET }, ttlSeconds: TTL };
const stranger: GuestTokenPolicy = { keys: { current: 'a-secret-this-arena-never-had-0000000' }, ttlSeconds: TTL };

/** A token as servers signed them before tokens carried `exp`: `{sub, name, iat}` only. */
function legacyToken(secret: string, playerId: string, name: string, iatMs: number): string {
  const body = Buffer.from(JSON.stringify({ sub: playerId, name, iat: Math.floor(iatMs / 1000) })).toString('base64url');
  return `g1.${body}.${createHmac('sha256', secret).update(`g1.${body}`).digest('base64url')}`;
}

describe('guest tokens expire, refresh and survive a secret rotation (real server, HTTP API and @colyseus/sdk)', () => {
  const t = arenaSuite({ ARENA_SECRET: CURRENT, ARENA_SECRET_PREVIOUS: TEST_SECRET, GUEST_TOKEN_TTL_DAYS: '30' });

  const post = async (path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as GuestIdentity & { error: { code: string; message: string } } };
  };
  const refresh = (token?: string) => post('/api/guests/refresh', token);

  /** Creates a race with this token and returns the name its entry shows, then leaves. */
  async function joinedName(token: string): Promise<string> {
    const client = new Client(t.url);
    client.auth.token = token;
    const room = await client.create<RaceState>('race', { budget: 4000, countdownSeconds: 60 });
    room.onMessage('welcome', () => {});
    const name = await waitFor(() => [...(room.state.entries?.values() ?? [])][0]?.player, 'the entry to show in the state');
    await room.leave();
    return name;
  }

  async function refusedJoin(token: string): Promise<{ code: number; message: string }> {
    const client = new Client(t.url);
    client.auth.token = token;
    return client.create('race', {}).then(
      () => {
        throw new Error('the room let the token in');
      },
      (err: { code: number; message: string }) => err,
    );
  }

  it('answers an expired token with 401 TOKEN_EXPIRED from the API and from a room, a forged one with BAD_SIGNATURE; a good token still works after', async () => {
    const ada = await post('/api/guests', undefined, { name: 'ada' });
    expect(ada.status).toBe(201);
    expect(Date.parse(ada.body.expiresAt) - now).toBeGreaterThan(29.9 * DAY);
    const expired = signGuestToken(current, ada.body.playerId, 'ada', now - 31 * DAY);

    const r = await refresh(expired);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('TOKEN_EXPIRED');
    expect(r.body.error.message).toMatch(/your guest token was refused \(TOKEN_EXPIRED\): the token expired on \d{4}-\d\d-\d\dT.*30 days/);
    expect((await post('/api/guests', expired, { name: 'ada' })).body.error.code).toBe('TOKEN_EXPIRED');
    expect(await refusedJoin(expired)).toMatchObject({ code: 401, message: expect.stringMatching(/guest token was refused \(TOKEN_EXPIRED\): the token expired on/) });

    const forged = signGuestToken(stranger, ada.body.playerId, 'ada');
    const f = await refresh(forged);
    expect([f.status, f.body.error.code]).toEqual([401, 'BAD_SIGNATURE']);
    expect(f.body.error.message).toMatch(/not signed by this arena/);
    expect(await refusedJoin(forged)).toMatchObject({ code: 401, message: expect.stringMatching(/\(BAD_SIGNATURE\)/) });
    expect((await refresh('not-a-token')).body.error.code).toBe('BAD_TOKEN');
    const none = await refresh();
    expect([none.status, none.body.error.code]).toEqual([401, 'NO_TOKEN']);

    // After the refusals the account's good token still refreshes and joins.
    expect((await refresh(ada.body.token)).body).toMatchObject({ playerId: ada.body.playerId, name: 'ada' });
    expect(await joinedName(ada.body.token)).toBe('ada');
  });

  it('gives a young token back as it is, and a fresh one for a token past half its life or from before tokens had an expiry', async () => {
    const { playerId, token } = await guestClient(t.url, 'bea');
    const young = await refresh(token);
    expect(young.status).toBe(200);
    expect(young.body.token).toBe(token);

    const old = signGuestToken(current, playerId, 'bea', now - 20 * DAY);
    const renewed = await refresh(old);
    expect(renewed.body).toMatchObject({ playerId, name: 'bea' });
    expect(renewed.body.token).not.toBe(old);
    expect(Date.parse(renewed.body.expiresAt)).toBeGreaterThan(now + 29.9 * DAY);
    expect(verifyGuestToken(current, renewed.body.token).stale).toBe(false);
    expect(await joinedName(renewed.body.token)).toBe('bea');

    // Tokens signed before this change (no `exp`) live one lifetime from when they were signed.
    const legacy = legacyToken(CURRENT, playerId, 'bea', now - 10 * DAY);
    expect(await joinedName(legacy)).toBe('bea');
    const fromLegacy = await refresh(legacy);
    expect(fromLegacy.body.playerId).toBe(playerId);
    expect(verifyGuestToken(current, fromLegacy.body.token).claims.exp).toBeGreaterThan(now / 1000 + 29.9 * 86_400);
    expect((await refresh(legacyToken(CURRENT, playerId, 'bea', now - 31 * DAY))).body.error.code).toBe('TOKEN_EXPIRED');
  });

  it('lets a token signed with the previous secret join, and refreshes it into the current secret', async () => {
    const { playerId } = await guestClient(t.url, 'cy');
    const signedBefore = signGuestToken(beforeRotation, playerId, 'cy');
    expect(await joinedName(signedBefore)).toBe('cy');
    expect(await joinedName(legacyToken(TEST_SECRET, playerId, 'cy', now - DAY))).toBe('cy');

    const r = await refresh(signedBefore);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ playerId, name: 'cy' });
    expect(r.body.token).not.toBe(signedBefore);
    // The fresh token needs no previous secret any more: it survives the next rotation.
    expect(verifyGuestToken(current, r.body.token).claims.sub).toBe(playerId);
    expect(() => verifyGuestToken(current, signedBefore)).toThrow(/not signed by this arena/);
  });

  it('joins a renamed player under the new name, even with a token from before the rename', async () => {
    const { token: beforeRename, playerId } = await guestClient(t.url, 'dee');
    const renamed = await post('/api/guests', beforeRename, { name: 'dee the second' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ playerId, name: 'dee the second' });
    expect(await joinedName(beforeRename)).toBe('dee the second');
    expect(await joinedName(signGuestToken(beforeRotation, playerId, 'dee'))).toBe('dee the second');
    expect((await refresh(beforeRename)).body.name).toBe('dee the second');
    const profile = await (await fetch(`${t.url}/api/players/${playerId}`)).json();
    expect(profile.name).toBe('dee the second');
  });

  it('checks the new settings at start-up, naming the bad one', () => {
    expect(() => readConfig({ ARENA_SECRET_PREVIOUS: 'short' })).toThrow(/ARENA_SECRET_PREVIOUS must be at least 32 characters/);
    expect(() => readConfig({ GUEST_TOKEN_TTL_DAYS: '0' })).toThrow(/GUEST_TOKEN_TTL_DAYS must be more than 0/);
    expect(() => readConfig({ GUEST_TOKEN_TTL_DAYS: 'soon' })).toThrow(/GUEST_TOKEN_TTL_DAYS/);
    expect(readConfig({}).GUEST_TOKEN_TTL_DAYS).toBe(30);
  });
});
