import type { Client } from '@colyseus/core';
import type { z } from 'zod';
import { ErrorCode, type RoomErrorMessage } from '../shared/protocol.ts';
import { describeZodError } from '../shared/validation.ts';
import type { GuardedRoom } from './gate/guarded-room.ts';
import { moduleLogger } from './logger.ts';

/** What a room sends a client, as an `error` message, when it refuses what the client sent. */
export type RoomRefusal = RoomErrorMessage;

/** Sends one client a refusal; nobody else hears of it. */
export function refuse(client: Client, refusal: RoomRefusal): void {
  client.send('error', refusal);
}

/**
 * Registers `handler` for messages of `type` on `room` and lets that type through
 * the room's gate (which has already bounded the payload's size and shape, and
 * refused every type no handler takes). The payload is checked
 * against its shared schema first (a missing payload counts as `{}`), and a bad
 * one is refused naming the field; `guard` may then refuse it for who sent it
 * or when; a handler that throws is logged under `module` and answered with a
 * generic error. Whatever happens, only the sender hears of it.
 */
export function onValidated<S extends Record<string, z.ZodType>, K extends keyof S & string>(
  room: GuardedRoom<any>,
  module: string,
  schemas: S,
  type: K,
  handler: (client: Client, msg: z.infer<S[K]>) => void,
  guard?: (client: Client) => Omit<RoomRefusal, 'about'> | undefined,
): void {
  room.acceptType(type);
  room.onMessage(type, (client: Client, payload: unknown) => {
    const parsed = schemas[type]!.safeParse(payload ?? {});
    if (!parsed.success) {
      const err = describeZodError(parsed.error);
      refuse(client, { code: ErrorCode.BadMessage, message: err.message, field: err.field, about: type });
      return;
    }
    const no = guard?.(client);
    if (no) {
      refuse(client, { ...no, about: type });
      return;
    }
    try {
      handler(client, parsed.data as z.infer<S[K]>);
    } catch (err) {
      moduleLogger(module).error({ roomId: room.roomId, type, err }, 'message handler failed');
      refuse(client, { code: ErrorCode.Internal, message: 'the server could not handle that message', about: type });
    }
  });
}
