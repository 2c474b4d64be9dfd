import type { Client } from '@colyseus/core';
import { ErrorCode, type RoomErrorMessage } from '../../shared/protocol.ts';
import { judgeFrame } from './message-frame.ts';
import type { ShapeLimits } from './msgpack-shape.ts';

/** The bounds every room applies to what a client sends (see `ServerConfig`, ROOM_*). */
export interface GateLimits extends ShapeLimits {
  /** Frames one connection may send in one second; more closes it (default 30). */
  messagesPerSecond: number;
  /** Largest frame, in bytes (default 4096; the WebSocket refuses larger ones before they are read). */
  maxBytes: number;
  /** Refused messages (unknown types, payloads out of bounds) a connection may send before it is closed (default 2: the second closes). */
  offencesBeforeClose: number;
}

export const DEFAULT_GATE_LIMITS: GateLimits = {
  messagesPerSecond: 30,
  maxBytes: 4096,
  maxDepth: 8,
  maxItems: 256,
  maxStringBytes: 1024,
  offencesBeforeClose: 2,
};

/** What the gate decided about one frame. */
export type GateDecision =
  | { kind: 'pass' }
  /** Answer the sender with this refusal; drop the frame. */
  | { kind: 'refuse'; refusal: RoomErrorMessage }
  /** Close the sender's connection; drop the frame (and everything after it). */
  | { kind: 'close'; reason: string; refusal?: RoomErrorMessage };

interface ClientTally {
  windowEndsAt: number;
  inWindow: number;
  offences: number;
  closed: boolean;
}

/**
 * One room's gate: every frame from every client passes `admit` before any
 * room or Colyseus code decodes it. It counts frames per connection per
 * second, checks the frame's type and payload shape, and counts offences.
 */
export class MessageGate {
  private readonly tallies = new WeakMap<Client, ClientTally>();

  readonly limits: GateLimits;
  private readonly knownTypes: ReadonlySet<string>;
  private readonly now: () => number;

  /** `knownTypes` is read live: types the room accepts later count too. `now` is in ms. */
  constructor(limits: GateLimits, knownTypes: ReadonlySet<string>, now: () => number = () => performance.now()) {
    this.limits = limits;
    this.knownTypes = knownTypes;
    this.now = now;
  }

  admit(client: Client, bytes: Uint8Array): GateDecision {
    let tally = this.tallies.get(client);
    if (!tally) this.tallies.set(client, (tally = { windowEndsAt: 0, inWindow: 0, offences: 0, closed: false }));
    if (tally.closed) return { kind: 'close', reason: 'already closed' };
    const t = this.now();
    if (t >= tally.windowEndsAt) ((tally.windowEndsAt = t + 1000), (tally.inWindow = 0));
    if (++tally.inWindow > this.limits.messagesPerSecond) return this.close(tally, `more than ${this.limits.messagesPerSecond} messages in a second`);

    const verdict = judgeFrame(bytes, this.knownTypes, this.limits);
    switch (verdict.kind) {
      case 'protocol':
      case 'message':
        return { kind: 'pass' };
      case 'garbage':
        return this.close(tally, verdict.reason);
      case 'refuse': {
        const refusal: RoomErrorMessage = { code: ErrorCode.BadMessage, message: verdict.message };
        if (verdict.field !== undefined) refusal.field = verdict.field;
        if (verdict.about !== undefined) refusal.about = verdict.about;
        if (++tally.offences >= this.limits.offencesBeforeClose) {
          return { ...this.close(tally, `${tally.offences} refused messages (the last: ${verdict.message})`), refusal };
        }
        return { kind: 'refuse', refusal };
      }
    }
  }

  private close(tally: ClientTally, reason: string): GateDecision & { kind: 'close' } {
    tally.closed = true;
    return { kind: 'close', reason };
  }
}
