import type { AuthContext, Client, RoomOptions } from '@colyseus/core';
import type { RoomIdentity } from '../shared/identity.schema.ts';
import type { ArenaServices } from './arena.services.ts';
import { GuardedRoom } from './gate/guarded-room.ts';

/**
 * A room of the arena (race, playground, tournament, GAN battle): it is handed
 * the arena's services when it is defined (server/app.ts) and knows who joins
 * from their token before onJoin runs. Every frame a client sends passes the
 * room's gate first (`GuardedRoom`).
 */
export abstract class ArenaRoom<T extends RoomOptions = RoomOptions> extends GuardedRoom<T> {
  /** Set by `bindRoom` in server/app.ts. */
  protected services!: ArenaServices;

  /** Players bring a signed guest token; spectators may come without one. */
  override onAuth(_client: Client, options: unknown, context: AuthContext): Promise<RoomIdentity> {
    return this.services.identity.authenticate(context.token, options);
  }
}
