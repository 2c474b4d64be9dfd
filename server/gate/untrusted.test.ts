import { describe, expect, it } from 'vitest';
import { describeUntrusted } from './untrusted.ts';

describe('describeUntrusted', () => {
  it('names a deeply nested array without formatting it', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => String(deep)).toThrow(RangeError); // what the old catch-all did
    expect(describeUntrusted(deep)).toBe('an array');
  });

  it('cuts long strings and escapes control characters', () => {
    expect(describeUntrusted('x'.repeat(10_000))).toBe(`"${'x'.repeat(64)}…"`);
    expect(describeUntrusted('a\nb\u0000')).toBe('"a\\nb\\u0000"');
  });

  it('prints numbers and names everything else', () => {
    expect(describeUntrusted(-0)).toBe('0');
    expect(describeUntrusted(Number.NaN)).toBe('NaN');
    expect(describeUntrusted({ toString: () => 'boom' })).toBe('an object');
    expect(describeUntrusted(Object.create(null))).toBe('an object');
    expect(describeUntrusted(null)).toBe('null');
    expect(describeUntrusted(undefined)).toBe('nothing');
  });
});
