/**
 * What the fuzzer sends: seeded messages built to hurt a room. Each case is
 * either a message the SDK packs (`room.send(type, payload)`) or raw bytes put
 * on the room's WebSocket as they are.
 */
import { Packr } from 'msgpackr';
import { createRng, type Rng } from '../../contract/random.ts';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';

export type FuzzCase =
  | { kind: 'send'; label: string; type: string | number; payload: unknown }
  | { kind: 'raw'; label: string; bytes: Uint8Array };

/** Values that break careless code: special numbers, huge and odd strings, wrong types. */
function weirdScalar(rng: Rng): unknown {
  const pick = [
    Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -(2 ** 31), 2 ** 32, -1, 0, 1, 0.5,
    '', ' ', 'x'.repeat(10_000), 'x'.repeat(1_500), '\u0000', '\uffff\ud800', '💥'.repeat(50), '"; drop table players; --', '${process.exit()}', '%s%s%s%n',
    null, undefined, true, false, [], {}, 'toString', '__proto__',
  ];
  return pick[rng.int(pick.length)];
}

/** An object whose own keys reach for prototypes. */
function prototypeBomb(rng: Rng): unknown {
  const keys = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];
  return JSON.parse(`{"${keys[rng.int(keys.length)]}": {"polluted": true, "toString": 1}, "spec": {"__proto__": {"admin": true}}}`);
}

/** Nested arrays (or objects) `depth` deep, built without recursion. */
export function nested(depth: number, asObject = false): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

/** A plausible message for a known type, so mutations land near real handlers. */
function template(type: string, rng: Rng): Record<string, unknown> {
  const spec = structuredClone(SPEC_TEMPLATES[rng.int(SPEC_TEMPLATES.length)]!.spec) as unknown as Record<string, unknown>;
  switch (type) {
    case 'spec':
      return { spec };
    case 'ready':
      return { ready: rng.next() < 0.5 };
    case 'control':
      return { runId: 'someone-elses-run', run: 'b', control: { type: ['setLearningRate', 'pause', 'rewind', 'addLayer', 'injectNoise'][rng.int(5)], learningRate: 0.1, toStep: 5, strength: 0.5 } };
    case 'design':
      return { side: rng.next() < 0.5 ? 'generator' : 'discriminator', network: { layers: [{ units: 8, activation: 'relu' }], learningRate: 0.001 } };
    case 'landscape':
      return { resolution: 9, range: 1 };
    case 'filter':
      return { kind: 'race', task: 'spiral' };
    default:
      return {};
  }
}

/** Replaces one value somewhere inside `value` with a weird one. */
function mutate(value: unknown, rng: Rng): unknown {
  if (value === null || typeof value !== 'object') return weirdScalar(rng);
  const keys = Object.keys(value);
  if (keys.length === 0 || rng.next() < 0.2) return weirdScalar(rng);
  const key = keys[rng.int(keys.length)]!;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
  copy[key] = rng.next() < 0.6 ? mutate(copy[key], rng) : weirdScalar(rng);
  return copy;
}

const packr = new Packr();

/** A ROOM_DATA frame (code 13) with a string type, as the SDK lays it out. */
function dataFrame(type: string, payloadBytes: Uint8Array): Uint8Array {
  const t = Buffer.from(type);
  return Uint8Array.from([13, 0xa0 | Math.min(t.length, 31), ...t.subarray(0, 31), ...payloadBytes]);
}

/** Random bytes, sometimes behind a plausible frame header. */
function randomBytes(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

/**
 * A seeded stream of fuzz cases for a room that takes `knownTypes`: known
 * types with mutated, oversized, deeply nested or prototype-poisoned payloads,
 * unknown and non-string types, `"*"`, and raw frames (random, truncated, other
 * protocol codes, payloads nested 10,000 deep). `rawShare` is the share of raw
 * frames, which close the connection they are sent on.
 */
export function fuzzCases(seed: number, knownTypes: readonly string[], rawShare = 0.05): () => FuzzCase {
  const rng = createRng(seed);
  return () => {
    if (rng.next() < rawShare) {
      const k = rng.int(8);
      const type = knownTypes[rng.int(knownTypes.length)]!;
      switch (k) {
        case 0:
          return { kind: 'raw', label: 'random bytes', bytes: randomBytes(rng, 1 + rng.int(200)) };
        case 1: {
          const whole = dataFrame(type, packr.pack(template(type, rng)));
          return { kind: 'raw', label: 'truncated frame', bytes: whole.subarray(0, 1 + rng.int(whole.length - 1)) };
        }
        case 2:
          return { kind: 'raw', label: 'other protocol code', bytes: Uint8Array.from([[17, 19, 20, 21, 22, 14, 10, 12, 0, 31, 255][rng.int(11)]!, ...randomBytes(rng, rng.int(40))]) };
        case 3:
          return { kind: 'raw', label: 'payload nested 10,000 deep', bytes: dataFrame(type, Uint8Array.from([...new Array(10_000).fill(0x91), 0x90])) };
        case 4:
          return { kind: 'raw', label: 'array header claiming 4 billion items', bytes: dataFrame(type, Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff, 1, 2, 3)) };
        case 5:
          return { kind: 'raw', label: 'map type', bytes: Uint8Array.from([13, 0x81, 0xa1, 0x61, 0x01, 0x80]) };
        case 6:
          return { kind: 'raw', label: 'extension payload', bytes: dataFrame(type, Uint8Array.of(0xd6, 0xff, 0, 0, 0, 0)) };
        default:
          return { kind: 'raw', label: 'empty frame', bytes: new Uint8Array(0) };
      }
    }
    const k = rng.int(12);
    const known = knownTypes[rng.int(knownTypes.length)]!;
    switch (k) {
      case 0:
      case 1:
      case 2:
        return { kind: 'send', label: 'mutated known message', type: known, payload: mutate(template(known, rng), rng) };
      case 3:
        return { kind: 'send', label: 'weird payload', type: known, payload: weirdScalar(rng) };
      case 4:
        return { kind: 'send', label: 'prototype keys', type: known, payload: prototypeBomb(rng) };
      case 5:
        return { kind: 'send', label: '"*" nested 4,000 deep', type: '*', payload: nested(1000 + rng.int(3000)) };
      case 6:
        return { kind: 'send', label: 'nested payload', type: known, payload: nested(5 + rng.int(2000), rng.next() < 0.5) };
      case 7:
        return { kind: 'send', label: 'huge array', type: known, payload: new Array(rng.next() < 0.5 ? 300 : 100_000).fill(rng.next()) };
      case 8:
        return { kind: 'send', label: 'unknown type', type: ['teleport', '', 'x'.repeat(10_000), 'constructor', '__proto__', 'toString', 'hasOwnProperty', '💥'][rng.int(8)]!, payload: template(known, rng) };
      case 9:
        return { kind: 'send', label: 'numeric type', type: [0, 1, -1, 255, 2 ** 40, 13][rng.int(6)]!, payload: weirdScalar(rng) };
      case 10:
        return { kind: 'send', label: 'missing payload', type: known, payload: undefined };
      default:
        return { kind: 'send', label: 'valid message', type: known, payload: template(known, rng) };
    }
  };
}
