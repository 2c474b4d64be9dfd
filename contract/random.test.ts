import { describe, expect, it } from 'vitest';
import { createRng, permutation, permutationInto } from './random.ts';

describe('shuffles', () => {
  it('permutationInto writes the same shuffle as permutation, with the same draws, into the array it is given', () => {
    const a = createRng(11);
    const b = createRng(11);
    const reused = new Uint32Array(250);
    for (let epoch = 0; epoch < 3; epoch++) {
      const fresh = permutation(250, a);
      expect(permutationInto(reused, b)).toBe(reused);
      expect([...reused]).toEqual([...fresh]);
    }
    expect(b.next()).toBe(a.next());
    expect([...reused].sort((x, y) => x - y)).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });
});
