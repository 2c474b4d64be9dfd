import { matchMaker } from '@colyseus/core';
import { ErrorCode, type RoomErrorMessage } from '../../shared/protocol.ts';
import { moduleLogger } from '../logger.ts';

/**
 * A rematch: once a match is over, any of its players may call one; the first call creates a room of the
 * same kind with the same options (a fresh seed the server draws: rated) and every client sees its id in
 * state (`rematch`), to join with one click. Later calls change nothing.
 */
export class Rematch {
  private made?: Promise<void>;
  private readonly kind: string;
  private readonly options: () => Record<string, unknown>;
  private readonly show: (roomId: string) => void;

  /** `options`: what the new room is created with; `show`: mirrors its id into the state. */
  constructor(kind: string, options: () => Record<string, unknown>, show: (roomId: string) => void) {
    this.kind = kind;
    this.options = options;
    this.show = show;
  }

  /** A client's call for a rematch: refused (the reason returned) unless a player calls it once the match is over. */
  request(who: { isPlayer: boolean; over: boolean; tell: (error: RoomErrorMessage) => void }): RoomErrorMessage | undefined {
    if (!who.isPlayer) return { code: ErrorCode.NotAllowed, message: 'only players can call a rematch', about: 'rematch' };
    if (!who.over) return { code: ErrorCode.WrongPhase, message: 'a rematch can be called once the match is over', about: 'rematch' };
    const { seed: _drawnAgain, ...options } = this.options();
    this.made ??= matchMaker
      .createRoom(this.kind, options)
      .then((room) => this.show(room.roomId))
      .catch((err: unknown) => {
        this.made = undefined;
        moduleLogger('match').error({ kind: this.kind, err }, 'could not create the rematch room');
        who.tell({ code: ErrorCode.Internal, message: 'the rematch room could not be created: try again', about: 'rematch' });
      });
    return undefined;
  }
}
