import { describe, expect, it } from 'vitest';
import { createRng } from '../../contract/random.ts';
import { round4 } from './round-significant.ts';

const viaString = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : 0);

describe('round4', () => {
  it('gives what toPrecision(4) gives, to the bit, on float32 values over 30 decades and on edges', () => {
    const rng = createRng(7);
    const u = () => rng.next();
    const f32 = new Float32Array(1);
    const values = [0, -0, 0.5, 1, 9999.5, 1000.5, 0.00012345, 1.2345, 12345, 99995, 9.9995, 0.99995, 123.45, 5e-5, 2.5e-3, 0.1, 0.3, 1e-18, 1e18, 1e-30, 3e30, NaN, Infinity, -Infinity];
    for (let i = 0; i < 200_000; i++) {
      f32[0] = (u() - 0.3) * 10 ** (u() * 30 - 15);
      values.push(f32[0]!, u() * 10 ** Math.floor(u() * 8 - 4));
    }
    for (let d = 1000; d <= 9999; d++) for (const e of [-6, -2, 0, 3]) values.push((d + 0.5) * 10 ** e);
    const wrong = values.filter((v) => !Object.is(round4(v), viaString(v)));
    expect(wrong).toEqual([]);
  });
});
