import { ServerError } from '@colyseus/core';
import { z } from 'zod';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import { PlayerName } from '../../shared/identity.schema.ts';
import { GuestTokenError, verifyGuestToken } from './guest-token.ts';

const JoinRole = z.object({ role: z.enum(['player', 'spectator']).default('player'), name: PlayerName.optional() }).loose();

/**
 * Who is joining a room, for every room's `onAuth`: a player must bring a
 * guest token this arena signed (the SDK's `client.auth.token`); a spectator
 * may come without one and is then anonymous. Throws a 401 that says what to do.
 */
export function authenticateJoin(secret: string, token: string | undefined, options: unknown): RoomIdentity {
  const role = JoinRole.safeParse(options ?? {});
  const wantsToPlay = !role.success || role.data.role === 'player';
  if (token) {
    try {
      const claims = verifyGuestToken(secret, token);
      return { playerId: claims.sub, name: claims.name };
    } catch (err) {
      if (err instanceof GuestTokenError) throw new ServerError(401, `your guest token was refused: ${err.message}; sign in again`);
      throw err;
    }
  }
  if (wantsToPlay) throw new ServerError(401, 'players need a guest token: POST /api/guests with your name, then join with the token');
  return { playerId: null, name: role.data?.name ?? 'spectator' };
}
