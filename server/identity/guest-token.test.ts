import { describe, expect, it } from 'vitest';
import { GuestTokenError, signGuestToken, verifyGuestToken } from './guest-token.ts';

const SECRET = 'a-test-secret-that-is-long-enough-1234';
const ID = '3b241101-e2bb-4255-8caf-4136c566a962';

describe('guest tokens', () => {
  it('round-trips the player id and name', () => {
    const claims = verifyGuestToken(SECRET, signGuestToken(SECRET, ID, 'ada'));
    expect(claims).toMatchObject({ sub: ID, name: 'ada' });
  });

  it('refuses a token signed with another secret, a tampered one and garbage, in words', () => {
    const token = signGuestToken(SECRET, ID, 'ada');
    expect(() => verifyGuestToken('another-secret-that-is-long-enough-000', token)).toThrow(/not signed by this arena/);
    const [v, body, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: ID, name: 'eve', iat: 1 })).toString('base64url');
    expect(() => verifyGuestToken(SECRET, `${v}.${forged}.${sig}`)).toThrow(GuestTokenError);
    expect(() => verifyGuestToken(SECRET, `${v}.${body}.${sig}x`)).toThrow(GuestTokenError);
    expect(() => verifyGuestToken(SECRET, 'hello')).toThrow(/not a guest token/);
  });
});
