import { CloseCode, Room, type Client, type RoomOptions } from '@colyseus/core';
import { moduleLogger } from '../logger.ts';
import { DEFAULT_GATE_LIMITS, MessageGate, type GateLimits } from './message-gate.ts';

const log = moduleLogger('gate');

/** A WebSocket close reason is at most 123 bytes of UTF-8. */
function closeReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 120) r = r.slice(0, -1);
  return r;
}

/**
 * A room whose every incoming frame passes one `MessageGate` before Colyseus
 * decodes it or any handler sees it (see `message-gate.ts` for what it checks).
 * Rooms register the types they take with `acceptType` (`onValidated` does it);
 * any other type is refused before dispatch, so no room needs a `"*"` handler.
 *
 * Colyseus reads a client's frames through the room's `_onMessage` (bound when
 * the client joins); the gate wraps it on this instance, the one place every
 * frame of every room passes, ahead of Colyseus's own decoding and limits.
 */
export abstract class GuardedRoom<T extends RoomOptions = RoomOptions> extends Room<T> {
  /** Set by `bindRoom` in server/app.ts from the ROOM_* settings; defaults otherwise. */
  protected gateLimits: GateLimits = DEFAULT_GATE_LIMITS;
  private readonly acceptedTypes = new Set<string>();
  private gate?: MessageGate;

  constructor() {
    super();
    const self = this as unknown as { _onMessage: (client: Client, bytes: Uint8Array) => void };
    const decode = self._onMessage;
    self._onMessage = (client, bytes) => {
      this.gate ??= new MessageGate(this.gateLimits, this.acceptedTypes);
      const decision = this.gate.admit(client, bytes);
      if (decision.kind === 'pass') return decode.call(this, client, bytes);
      if (decision.refusal) client.send('error', decision.refusal);
      if (decision.kind === 'close' && decision.reason !== 'already closed') {
        log.warn({ room: this.roomName, roomId: this.roomId, sessionId: client.sessionId, reason: decision.reason }, 'closed a connection that sent what no client sends');
        client.leave(CloseCode.WITH_ERROR, closeReason(decision.reason));
      }
    };
  }

  /** Lets messages of `type` through the gate (to the handler registered for it). */
  acceptType(type: string): void {
    this.acceptedTypes.add(type);
  }
}
