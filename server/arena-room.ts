import { Room, type AuthContext, type Client, type RoomOptions } from '@colyseus/core';
import type { RoomIdentity } from '../shared/identity.schema.ts';
import type { ArenaServices } from './arena.services.ts';

/**
 * A room of the arena (race, playground, tournament, GAN battle): it is handed
 * the arena's services when it is defined (server/app.ts) and knows who joins
 * from their token before onJoin runs.
 */
export abstract class ArenaRoom<T extends RoomOptions = RoomOptions> extends Room<T> {
  /** Set by `withServices` in server/app.ts. */
  protected services!: ArenaServices;

  /** Players bring a signed guest token; spectators may come without one. */
  override onAuth(_client: Client, options: unknown, context: AuthContext): Promise<RoomIdentity> {
    return this.services.identity.authenticate(context.token, options);
  }
}
