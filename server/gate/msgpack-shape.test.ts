import { Packr, pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { inspectMsgpack, type ShapeLimits } from './msgpack-shape.ts';

const LIMITS: ShapeLimits = { maxDepth: 8, maxItems: 256, maxStringBytes: 1024 };
/** The SDK packs with `new Packr()`, whose records extension encodes objects. */
const sdk = new Packr();
const check = (bytes: Uint8Array, limits = LIMITS) => inspectMsgpack(bytes, 0, limits);

describe('inspectMsgpack', () => {
  it('passes what the client sends, as the SDK packs it and as plain MessagePack', () => {
    const spec = { spec: { layers: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.01, features: ['x1', 'x2'] } };
    for (const value of [spec, { control: { type: 'pause' } }, { ready: true }, {}, null, -0, Number.NaN, 1e300, -5, 2 ** 40, 'hello', [1, [2, [3]]]]) {
      expect(check(sdk.pack(value)), JSON.stringify(value)).toEqual({ ok: true });
      expect(check(pack(value)), JSON.stringify(value)).toEqual({ ok: true });
    }
    expect(check(new Uint8Array(0))).toEqual({ ok: true }); // no payload at all
  });

  it('refuses payloads nested deeper than the limit without recursing', () => {
    const deep = new Uint8Array(100_000).fill(0x91);
    deep[deep.length - 1] = 0x90;
    expect(check(deep)).toEqual({ ok: false, problem: 'the payload is nested deeper than 8 levels' });
    let nested: unknown = 1;
    for (let i = 0; i < 9; i++) nested = { a: nested };
    expect(check(sdk.pack(nested))).toMatchObject({ ok: false, problem: expect.stringContaining('nested deeper') });
  });

  it('refuses huge arrays, maps, strings and lengths that lie', () => {
    expect(check(pack(new Array(257).fill(0)))).toMatchObject({ ok: false, problem: expect.stringContaining('more than 256') });
    expect(check(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]))).toMatchObject({ ok: false, problem: expect.stringContaining('more than 256') });
    expect(check(pack('x'.repeat(2000)))).toMatchObject({ ok: false, problem: expect.stringContaining('longer than 1024') });
    expect(check(new Uint8Array([0x92, 0x01]))).toEqual({ ok: false, problem: 'the payload is truncated' });
    expect(check(new Uint8Array([0xa5, 0x61]))).toEqual({ ok: false, problem: 'the payload is truncated' });
    expect(check(new Uint8Array([0x01, 0x02]))).toEqual({ ok: false, problem: 'there are bytes after the payload' });
    expect(check(new Uint8Array([0xc1]))).toEqual({ ok: false, problem: 'byte 0xc1 is not MessagePack' });
  });

  it('refuses prototype keys, non-string keys, binary data and other extensions', () => {
    expect(check(pack(JSON.parse('{"__proto__":{"admin":true}}')))).toMatchObject({ ok: false, problem: expect.stringContaining('__proto__') });
    expect(check(sdk.pack({ constructor: 1 }))).toMatchObject({ ok: false, problem: expect.stringContaining('constructor') });
    expect(check(pack(new Map([[1, 2]])))).toEqual({ ok: false, problem: 'a map key is not a string' });
    expect(check(pack(new Uint8Array([1, 2, 3])))).toEqual({ ok: false, problem: 'binary data is not accepted' });
    expect(check(pack(new Date(0)))).toMatchObject({ ok: false, problem: expect.stringContaining('extension') });
  });

  it('checks every value of a record and of repeated records', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ x: i, y: [i] }));
    expect(check(sdk.pack({ rows }))).toEqual({ ok: true });
    expect(check(sdk.pack({ rows: [{ x: 'x'.repeat(2000) }] }))).toMatchObject({ ok: false, problem: expect.stringContaining('longer than') });
  });

  it('never throws on random bytes', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
      expect(() => check(bytes)).not.toThrow();
    }
  });
});
