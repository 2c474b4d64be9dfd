import { ServerError } from '@colyseus/core';
import { z } from 'zod';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import { PlayerName } from '../../shared/identity.schema.ts';
import { GuestTokenError, verifyGuestToken, type GuestTokenPolicy } from './guest-token.ts';

const JoinRole = z.object({ role: z.enum(['player', 'spectator']).default('player'), name: PlayerName.optional() }).loose();

/** The words of a refused token, the same in a room's 401 and the HTTP API's. */
export function tokenRefusal(err: GuestTokenError): string {
  return `your guest token was refused (${err.code}): ${err.message}; sign in again`;
}

/**
 * Who is joining a room, for every room's `onAuth`: a player must bring a
 * guest token this arena signed that has not expired (the SDK's
 * `client.auth.token`); a spectator may come without one and is then
 * anonymous. The name is the account's current one (`accountName`), not the
 * one the token was signed with, so a rename wins over older tokens; the
 * token's name serves only when the account is gone (the database was reset).
 * Throws a 401 that names the reason (`TOKEN_EXPIRED`, `BAD_SIGNATURE`, …) and what to do.
 */
export async function authenticateJoin(
  policy: GuestTokenPolicy,
  token: string | undefined,
  options: unknown,
  accountName: (playerId: string) => Promise<string | undefined>,
  now = Date.now(),
): Promise<RoomIdentity> {
  const role = JoinRole.safeParse(options ?? {});
  const wantsToPlay = !role.success || role.data.role === 'player';
  if (token) {
    let sub: string;
    let signedName: string;
    try {
      ({ sub, name: signedName } = verifyGuestToken(policy, token, now).claims);
    } catch (err) {
      if (err instanceof GuestTokenError) throw new ServerError(401, tokenRefusal(err));
      throw err;
    }
    return { playerId: sub, name: (await accountName(sub)) ?? signedName };
  }
  if (wantsToPlay) throw new ServerError(401, 'players need a guest token: POST /api/guests with your name, then join with the token');
  return { playerId: null, name: role.data?.name ?? 'spectator' };
}
