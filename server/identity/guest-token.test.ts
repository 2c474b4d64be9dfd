import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GuestTokenError, signGuestToken, verifyGuestToken, type GuestTokenPolicy } from './guest-token.ts';

const SECRET = 'a-test-secret-that-is-long-enough-1234';
const OLD_SECRET = 'the-secret-before-the-rotation-000000';
const ID = '3b241101-e2bb-4255-8caf-4136c566a962';
const DAY = 86_400_000;
const policy: GuestTokenPolicy = { keys: { current: SECRET }, ttlSeconds: 30 * 86_400 };
const NOW = Date.UTC(2025, 5, 1);

/** A token as servers signed them before tokens carried `exp`: `{sub, name, iat}` only. */
function legacyToken(secret: string, iatMs: number): string {
  const body = Buffer.from(JSON.stringify({ sub: ID, name: 'ada', iat: Math.floor(iatMs / 1000) })).toString('base64url');
  return `g1.${body}.${createHmac('sha256', secret).update(`g1.${body}`).digest('base64url')}`;
}

const refusal = (f: () => unknown): GuestTokenError => {
  try {
    f();
  } catch (err) {
    if (err instanceof GuestTokenError) return err;
    throw err;
  }
  throw new Error('the token was accepted');
};

describe('guest tokens', () => {
  it('round-trips the player id and name, with an expiry one lifetime after signing', () => {
    const v = verifyGuestToken(policy, signGuestToken(policy, ID, 'ada', NOW), NOW);
    expect(v.claims).toMatchObject({ sub: ID, name: 'ada', iat: NOW / 1000, exp: NOW / 1000 + 30 * 86_400 });
    expect(v.expiresAt).toBe(NOW / 1000 + 30 * 86_400);
    expect(v).toMatchObject({ signedWithPrevious: false, stale: false });
  });

  it('refuses a token signed with another secret, a tampered one and garbage, each with its code', () => {
    const token = signGuestToken(policy, ID, 'ada', NOW);
    const other = refusal(() => verifyGuestToken({ ...policy, keys: { current: 'another-secret-that-is-long-enough-000' } }, token, NOW));
    expect(other).toMatchObject({ code: 'BAD_SIGNATURE', message: expect.stringMatching(/not signed by this arena/) });
    const [v, body, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: ID, name: 'eve', iat: NOW / 1000, exp: NOW / 1000 + 1e9 })).toString('base64url');
    expect(refusal(() => verifyGuestToken(policy, `${v}.${forged}.${sig}`, NOW)).code).toBe('BAD_SIGNATURE');
    expect(refusal(() => verifyGuestToken(policy, `${v}.${body}.${sig}x`, NOW)).code).toBe('BAD_SIGNATURE');
    expect(refusal(() => verifyGuestToken(policy, 'hello', NOW))).toMatchObject({ code: 'BAD_TOKEN', message: expect.stringMatching(/not a guest token/) });
    // After the refusals, the good token still passes.
    expect(verifyGuestToken(policy, token, NOW).claims.sub).toBe(ID);
  });

  it('expires after its lifetime, says when, and turns stale past half of it', () => {
    const token = signGuestToken(policy, ID, 'ada', NOW);
    expect(verifyGuestToken(policy, token, NOW + 14 * DAY).stale).toBe(false);
    expect(verifyGuestToken(policy, token, NOW + 16 * DAY).stale).toBe(true);
    expect(verifyGuestToken(policy, token, NOW + 30 * DAY - 1000).claims.sub).toBe(ID);
    const expired = refusal(() => verifyGuestToken(policy, token, NOW + 30 * DAY));
    expect(expired.code).toBe('TOKEN_EXPIRED');
    expect(expired.message).toContain(`expired on ${new Date(NOW + 30 * DAY).toISOString()}`);
    expect(expired.message).toContain('30 days');
  });

  it('shortens tokens already out when the lifetime is shortened', () => {
    const token = signGuestToken(policy, ID, 'ada', NOW);
    const shorter = { ...policy, ttlSeconds: 7 * 86_400 };
    expect(verifyGuestToken(shorter, token, NOW + 6 * DAY).expiresAt).toBe(NOW / 1000 + 7 * 86_400);
    expect(refusal(() => verifyGuestToken(shorter, token, NOW + 8 * DAY)).code).toBe('TOKEN_EXPIRED');
  });

  it('keeps tokens from before `exp` working for one lifetime after they were signed, and marks them stale', () => {
    const young = verifyGuestToken(policy, legacyToken(SECRET, NOW - 2 * DAY), NOW);
    expect(young).toMatchObject({ claims: { sub: ID, name: 'ada' }, stale: true, expiresAt: (NOW - 2 * DAY) / 1000 + 30 * 86_400 });
    expect(refusal(() => verifyGuestToken(policy, legacyToken(SECRET, NOW - 31 * DAY), NOW)).code).toBe('TOKEN_EXPIRED');
  });

  it('accepts tokens signed with the previous secret (stale, to be swapped), and signs new ones with the current one', () => {
    const before: GuestTokenPolicy = { ...policy, keys: { current: OLD_SECRET } };
    const after: GuestTokenPolicy = { ...policy, keys: { current: SECRET, previous: OLD_SECRET } };
    const old = signGuestToken(before, ID, 'ada', NOW);
    expect(verifyGuestToken(after, old, NOW)).toMatchObject({ claims: { sub: ID }, signedWithPrevious: true, stale: true });
    expect(verifyGuestToken(after, legacyToken(OLD_SECRET, NOW), NOW).signedWithPrevious).toBe(true);
    const fresh = signGuestToken(after, ID, 'ada', NOW);
    expect(verifyGuestToken({ ...policy, keys: { current: SECRET } }, fresh, NOW).signedWithPrevious).toBe(false);
    // A previous secret does not stretch a token's life, and one rotation later the old token is refused.
    expect(refusal(() => verifyGuestToken(after, old, NOW + 30 * DAY)).code).toBe('TOKEN_EXPIRED');
    expect(refusal(() => verifyGuestToken({ ...policy, keys: { current: 'a-third-secret-that-is-long-enough-0000', previous: SECRET } }, old, NOW)).code).toBe('BAD_SIGNATURE');
  });
});
