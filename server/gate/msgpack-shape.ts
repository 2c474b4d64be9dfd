/**
 * Checks the shape of a MessagePack payload from its bytes, before anything
 * decodes it: nesting depth, array and map lengths, string lengths and map keys
 * are bounded, and only the plain JSON-like types (nil, booleans, numbers,
 * strings, arrays, maps with string keys) plus msgpackr's record extension
 * (which `@colyseus/sdk` uses for objects) are accepted. The walk is iterative,
 * so a payload nested 10,000 deep costs one pass over its bytes and no stack.
 */

/** Bounds on one payload. */
export interface ShapeLimits {
  /** Deepest nesting of arrays, maps and records (the payload itself is depth 1). */
  maxDepth: number;
  /** Most elements in one array, entries in one map or keys in one record. */
  maxItems: number;
  /** Longest string, in bytes. */
  maxStringBytes: number;
}

/** Keys that would reach an object's prototype if some code copied them blindly. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** msgpackr's record extension type: `fixext1 0x72 <id>` defines a record shape. */
const RECORD_EXT = 0x72;

/** Byte sizes of the fixed-width numbers (float32/64, uint8–64, int8–64), by their MessagePack type byte. */
const FIXED_WIDTH: Readonly<Record<number, number>> = { 0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8 };

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** What is wrong with a payload, in words that name no content of it. */
export type ShapeVerdict = { ok: true } | { ok: false; problem: string };

interface Frame {
  /** Values still to read in this container. */
  remaining: number;
  /** Whether the next value read is a map key. */
  keyNext: boolean;
  /** Map: every other value is a key. Record definition: the key list. */
  kind: 'array' | 'map' | 'recordKeys' | 'record';
  /** For a record definition: its id, and how many keys were read so far. */
  recordId?: number;
}

class Reader {
  pos: number;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array, start: number) {
    this.bytes = bytes;
    this.pos = start;
  }
  need(n: number): boolean {
    return this.pos + n <= this.bytes.length;
  }
  u8(): number {
    return this.bytes[this.pos++]!;
  }
  uint(n: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.bytes[this.pos++]!;
    return v;
  }
  string(n: number): string {
    const s = utf8.decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

const fail = (problem: string): ShapeVerdict => ({ ok: false, problem });

/**
 * Checks `bytes[start..]` holds exactly one MessagePack value within `limits`
 * (nothing after it; an empty range is an absent payload and passes).
 */
export function inspectMsgpack(bytes: Uint8Array, start: number, limits: ShapeLimits): ShapeVerdict {
  const r = new Reader(bytes, start);
  if (!r.need(1)) return { ok: true };
  const stack: Frame[] = [];
  /** Records defined so far in this payload: id → key count. */
  const records = new Map<number, number>();
  let values = 0;
  for (;;) {
    const top = stack[stack.length - 1];
    if (top && top.remaining === 0) {
      stack.pop();
      if (top.kind === 'recordKeys') {
        // the definition's keys are read; the record's values follow
        const count = records.get(top.recordId!)!;
        if (count > 0) stack.push({ remaining: count, keyNext: false, kind: 'record' });
      }
      continue;
    }
    if (!top && values === 1) break;
    if (!r.need(1)) return fail('the payload is truncated');
    const isKey = top?.kind === 'map' ? top.keyNext : top?.kind === 'recordKeys';
    if (top) {
      top.remaining--;
      if (top.kind === 'map') top.keyNext = !top.keyNext;
    } else {
      values++;
    }
    const b = r.u8();

    // strings (the only thing a key may be)
    let strLen = -1;
    if (b >= 0xa0 && b <= 0xbf) strLen = b & 0x1f;
    else if (b === 0xd9 || b === 0xda || b === 0xdb) {
      const n = b === 0xd9 ? 1 : b === 0xda ? 2 : 4;
      if (!r.need(n)) return fail('the payload is truncated');
      strLen = r.uint(n);
    }
    if (strLen >= 0) {
      if (strLen > limits.maxStringBytes) return fail(`a string is longer than ${limits.maxStringBytes} bytes`);
      if (!r.need(strLen)) return fail('the payload is truncated');
      if (isKey) {
        const key = r.string(strLen);
        if (FORBIDDEN_KEYS.has(key)) return fail(`the key "${key}" is not accepted`);
      } else r.pos += strLen;
      continue;
    }
    if (isKey) return fail('a map key is not a string');

    // containers
    let items = -1;
    let kind: Frame['kind'] = 'array';
    if (b >= 0x90 && b <= 0x9f) items = b & 0x0f;
    else if (b >= 0x80 && b <= 0x8f) ((items = b & 0x0f), (kind = 'map'));
    else if (b === 0xdc || b === 0xdd || b === 0xde || b === 0xdf) {
      const n = b === 0xdc || b === 0xde ? 2 : 4;
      if (!r.need(n)) return fail('the payload is truncated');
      items = r.uint(n);
      if (b === 0xde || b === 0xdf) kind = 'map';
    }
    if (items >= 0) {
      if (items > limits.maxItems) return fail(`an ${kind === 'map' ? 'object' : 'array'} has more than ${limits.maxItems} entries`);
      if (stack.length + 1 > limits.maxDepth) return fail(`the payload is nested deeper than ${limits.maxDepth} levels`);
      if (items > 0) stack.push({ remaining: kind === 'map' ? items * 2 : items, keyNext: true, kind });
      continue;
    }

    // msgpackr records: a definition (fixext1 'r' id, then the key array, then the values) or a reference by id
    if (b === 0xd4) {
      if (!r.need(2)) return fail('the payload is truncated');
      const type = r.u8();
      const id = r.u8();
      if (type !== RECORD_EXT || id < 0x40 || id > 0x7f) return fail(`extension type ${type} is not accepted`);
      if (!r.need(1)) return fail('the payload is truncated');
      const head = r.u8();
      let keys: number;
      if (head >= 0x90 && head <= 0x9f) keys = head & 0x0f;
      else if (head === 0xdc) {
        if (!r.need(2)) return fail('the payload is truncated');
        keys = r.uint(2);
      } else return fail('a record definition has no key list');
      if (keys > limits.maxItems) return fail(`an object has more than ${limits.maxItems} entries`);
      if (stack.length + 1 > limits.maxDepth) return fail(`the payload is nested deeper than ${limits.maxDepth} levels`);
      records.set(id, keys);
      if (keys > 0) stack.push({ remaining: keys, keyNext: true, kind: 'recordKeys', recordId: id });
      continue;
    }
    if (b >= 0x40 && b <= 0x7f && records.has(b)) {
      const count = records.get(b)!;
      if (stack.length + 1 > limits.maxDepth) return fail(`the payload is nested deeper than ${limits.maxDepth} levels`);
      if (count > 0) stack.push({ remaining: count, keyNext: false, kind: 'record' });
      continue;
    }

    // scalars
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) continue;
    const size = FIXED_WIDTH[b];
    if (size !== undefined) {
      if (!r.need(size)) return fail('the payload is truncated');
      r.pos += size;
      continue;
    }
    if (b === 0xc4 || b === 0xc5 || b === 0xc6) return fail('binary data is not accepted');
    if (b >= 0xc7 && b <= 0xc9) return fail('extension types are not accepted');
    if (b >= 0xd4 && b <= 0xd8) return fail('extension types are not accepted');
    return fail(`byte 0x${b.toString(16)} is not MessagePack`);
  }
  if (r.pos !== bytes.length) return fail('there are bytes after the payload');
  return { ok: true };
}
