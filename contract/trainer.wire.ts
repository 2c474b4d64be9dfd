/**
 * The two encodings of the trainer wire (`trainer.messages.ts`), one definition:
 * - between threads, a message travels as `{ v, msg }` (structured clone);
 * - over a Redis stream, as one entry with fields `v` (version), `t` (type) and `b` (body): the
 *   message as JSON, except a telemetry frame, which is the compact binary of `frame-codec.ts`.
 * Reading checks the version, then the message's shape against the schema, and answers with the
 * message or a clear error; it never throws.
 */
import type { z } from 'zod';
import { decodeFrame, encodeFrame } from './frame-codec.ts';
import { TRAINER_WIRE_VERSION, type FromTrainer, type ToTrainer } from './trainer.messages.ts';
import { describeZodError } from '../shared/validation.ts';

/** A message as it crosses between threads. */
export interface ThreadEnvelope<T> {
  v: number;
  msg: T;
}

/** What reading a message gave: the message, or why it was rejected (bounded, no payload). */
export type WireRead<T> = { ok: true; msg: T } | { ok: false; error: string; type?: string };

/** Longest description of a rejected message. */
const MAX_PROBLEM = 300;

const bounded = (s: string, max = MAX_PROBLEM): string => (s.length > max ? `${s.slice(0, max)}…` : s);

function versionProblem(v: unknown): string | undefined {
  if (v === TRAINER_WIRE_VERSION) return undefined;
  if (v === undefined) return `trainer wire: a message without a version (this side reads version ${TRAINER_WIRE_VERSION}): update the server and the workers together`;
  return `trainer wire: version ${bounded(String(v), 20)} is not supported (this side reads version ${TRAINER_WIRE_VERSION}): update the server and the workers together`;
}

function checked<S extends z.ZodType>(schema: S, value: unknown, type: string | undefined): WireRead<z.infer<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, msg: parsed.data };
  return { ok: false, ...(type ? { type } : {}), error: bounded(`trainer wire: a${type ? ` '${type}'` : ''} message that does not parse: ${describeZodError(parsed.error).message}`) };
}

const typeOf = (value: unknown): string | undefined => {
  const t = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  return typeof t === 'string' ? bounded(t, 40) : undefined;
};

/** Wraps a message for `postMessage`. */
export function toThread<T extends FromTrainer | ToTrainer>(msg: T): ThreadEnvelope<T> {
  return { v: TRAINER_WIRE_VERSION, msg };
}

/** Reads what a thread (or the server, in a thread) received. */
export function readThreadMessage<S extends z.ZodType>(schema: S, raw: unknown): WireRead<z.infer<S>> {
  const envelope = typeof raw === 'object' && raw !== null ? (raw as Partial<ThreadEnvelope<unknown>>) : {};
  const type = typeOf(envelope.msg);
  const problem = versionProblem(envelope.v);
  if (problem) return { ok: false, error: problem, ...(type ? { type } : {}) };
  return checked(schema, envelope.msg, type);
}

/** The fields of a Redis stream entry (`XADD key * ...fields`) carrying `msg`. */
export function streamFields(msg: FromTrainer | ToTrainer): Array<string | Buffer> {
  const body = msg.type === 'frame' ? Buffer.from(encodeFrame(msg.frame)) : JSON.stringify(msg);
  return ['v', String(TRAINER_WIRE_VERSION), 't', msg.type, 'b', body];
}

/** Reads a Redis stream entry of run `runId` (its fields as `XREAD` returns them). */
export function readStreamEntry<S extends z.ZodType>(schema: S, runId: string, fields: ReadonlyArray<Buffer | string>): WireRead<z.infer<S>> {
  const named = new Map<string, Buffer | string>();
  for (let i = 0; i + 1 < fields.length; i += 2) named.set(String(fields[i]), fields[i + 1]!);
  const v = named.get('v');
  const t = named.get('t');
  const type = t === undefined ? undefined : bounded(String(t), 40);
  const problem = versionProblem(v === undefined ? undefined : Number(String(v)) === TRAINER_WIRE_VERSION ? TRAINER_WIRE_VERSION : String(v));
  if (problem) return { ok: false, error: problem, ...(type ? { type } : {}) };
  const body = named.get('b');
  if (body === undefined) return { ok: false, error: `trainer wire: a${type ? ` '${type}'` : ''} entry without a body`, ...(type ? { type } : {}) };
  try {
    if (type === 'frame') {
      const b = typeof body === 'string' ? Buffer.from(body, 'binary') : body;
      return checked(schema, { type: 'frame', frame: decodeFrame(runId, new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) }, type);
    }
    const value: unknown = JSON.parse(String(body));
    if (typeOf(value) !== type) return { ok: false, error: `trainer wire: an entry of type '${type}' whose body is of type '${typeOf(value)}'`, ...(type ? { type } : {}) };
    return checked(schema, value, type);
  } catch (err) {
    return { ok: false, error: bounded(`trainer wire: an unreadable${type ? ` '${type}'` : ''} entry: ${err instanceof Error ? err.message : String(err)}`), ...(type ? { type } : {}) };
  }
}
