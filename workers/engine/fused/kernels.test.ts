import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../contract/random.ts';
import { buildKernels, KERNELS_WASM } from './build-kernels.ts';
import { instantiateKernels } from './kernels.ts';

describe('the fused step’s WebAssembly kernels', () => {
  it('the committed kernels.wasm is what kernels.wat.ts builds (run `npm run build:kernels` after changing it)', async () => {
    expect(Buffer.from(await buildKernels()).equals(readFileSync(KERNELS_WASM))).toBe(true);
  });

  it.each([
    [64, 784, 128, false],
    [784, 64, 128, true],
    [7, 5, 3, false],
    [13, 9, 21, true],
    [1, 33, 17, false],
    [4, 1, 8, false],
  ])('gemm %i×%i·%i×… (A transposed: %s) equals float32 sums in order, to the bit', (M, K, N, transposed) => {
    const { kernels, memory } = instantiateKernels(64);
    const f = new Float32Array(memory.buffer);
    const rng = createRng(M * 1000 + K);
    const [a, b, c] = [0, M * K * 4 + 16, M * K * 4 + K * N * 4 + 32];
    for (let i = 0; i < M * K + K * N; i++) f[i + (i < M * K ? 0 : 4)] = rng.normal();
    const A = (i: number, p: number) => f[transposed ? p * M + i : i * K + p]!;
    kernels.gemm(a, transposed ? 1 : K, transposed ? M : 1, b, N, c, N, M, N, K);
    const out = f.subarray(c / 4, c / 4 + M * N);
    const want = new Float32Array(M * N);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s = Math.fround(s + Math.fround(A(i, p) * f[b / 4 + p * N + j]!));
        want[i * N + j] = s;
      }
    expect(Array.from(out)).toEqual(Array.from(want));
  });
});
