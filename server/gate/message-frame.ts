import { Protocol } from '@colyseus/core';
import { describeUntrusted } from './untrusted.ts';
import { inspectMsgpack, type ShapeLimits } from './msgpack-shape.ts';

/** What one frame from a client is, judged from its bytes before anything decodes it. */
export type FrameVerdict =
  /** A protocol frame Colyseus handles itself (join, leave, ping). */
  | { kind: 'protocol' }
  /** A room message of a known type whose payload is within bounds. */
  | { kind: 'message'; type: string }
  /** A well-formed frame the room will not take: answer it, naming what was wrong. */
  | { kind: 'refuse'; about?: string; field?: string; message: string }
  /** Bytes that are not a frame any client of ours sends. */
  | { kind: 'garbage'; reason: string };

/** Frames handled by Colyseus without room code; everything else but ROOM_DATA is refused. */
const PROTOCOL_FRAMES: ReadonlySet<number> = new Set([Protocol.JOIN_ROOM, Protocol.LEAVE_ROOM, Protocol.PING]);

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Longest message type, in bytes (ours are short words). */
const MAX_TYPE_BYTES = 64;

/**
 * Judges one frame: only `ROOM_DATA` with a string type the room knows and a
 * payload within `limits` goes on to Colyseus (which decodes it) and the room.
 */
export function judgeFrame(bytes: Uint8Array, knownTypes: ReadonlySet<string>, limits: ShapeLimits & { maxBytes: number }): FrameVerdict {
  if (bytes.length === 0) return { kind: 'garbage', reason: 'an empty frame' };
  if (bytes.length > limits.maxBytes) return { kind: 'garbage', reason: `a frame larger than ${limits.maxBytes} bytes` };
  const code = bytes[0]!;
  if (PROTOCOL_FRAMES.has(code)) return bytes.length === 1 ? { kind: 'protocol' } : { kind: 'garbage', reason: `protocol frame ${code} with a body` };
  if (code !== Protocol.ROOM_DATA) return { kind: 'garbage', reason: `frame code ${code} is not accepted` };

  // The type: a MessagePack string (fixstr, str8, str16, str32); Colyseus also allows numbers, which no room here uses.
  const head = bytes[1];
  if (head === undefined) return { kind: 'garbage', reason: 'a message without a type' };
  let length: number;
  let offset: number;
  if (head >= 0xa0 && head <= 0xbf) ((length = head & 0x1f), (offset = 2));
  else if (head === 0xd9 && bytes.length >= 3) ((length = bytes[2]!), (offset = 3));
  else if (head === 0xda && bytes.length >= 4) ((length = (bytes[2]! << 8) | bytes[3]!), (offset = 4));
  else if (head === 0xdb) return { kind: 'refuse', field: 'type', message: `message types are at most ${MAX_TYPE_BYTES} bytes` };
  else if (head === 0xd9 || head === 0xda) return { kind: 'garbage', reason: 'a truncated message type' };
  else return { kind: 'refuse', field: 'type', message: 'message types are strings' };
  if (offset + length > bytes.length) return { kind: 'garbage', reason: 'a truncated message type' };
  if (length > MAX_TYPE_BYTES) return { kind: 'refuse', field: 'type', message: `message types are at most ${MAX_TYPE_BYTES} bytes` };
  const type = utf8.decode(bytes.subarray(offset, offset + length));
  if (!knownTypes.has(type)) {
    const about = describeUntrusted(type, 32);
    return { kind: 'refuse', about: type.slice(0, 32), message: `unknown message type ${about}; this room takes ${[...knownTypes].join(', ')}` };
  }
  const shape = inspectMsgpack(bytes, offset + length, limits);
  if (!shape.ok) {
    if (shape.problem === 'the payload is truncated' || shape.problem.startsWith('byte ') || shape.problem === 'there are bytes after the payload') {
      return { kind: 'garbage', reason: shape.problem };
    }
    return { kind: 'refuse', about: type, message: `${type}: ${shape.problem}` };
  }
  return { kind: 'message', type };
}
