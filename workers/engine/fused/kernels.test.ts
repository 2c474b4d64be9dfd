import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../contract/random.ts';
import { buildKernels, KERNELS_WASM } from './build-kernels.ts';
import { instantiateKernels } from './kernels.ts';
import { LANE_ACTIVATION } from './kernels.wat.ts';
import { sparseRowsOf } from './sparse-rows.ts';

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
  it.each([
    [600, 784, 128, 0.19],
    [9, 13, 37, 0.3],
    [5, 7, 3, 0.5],
    [4, 6, 64, 0],
  ])('spmm %i×%i·%i×… (density %f) equals the dense gemm to the bit, and float32 sums in order over the nonzero entries', (M, K, N, density) => {
    const { kernels, memory } = instantiateKernels(Math.ceil((4 * (3 * M * K + K * N + 2 * M * N) + 4096) / 65_536));
    const f = new Float32Array(memory.buffer);
    const i32 = new Int32Array(memory.buffer);
    const rng = createRng(M * 31 + N);
    const A = new Float32Array(M * K).map(() => (rng.next() < density ? rng.normal() : 0));
    const B = new Float32Array(K * N).map(() => rng.normal());
    const sp = sparseRowsOf(A, M, K) ?? sparseRowsOf(A.map((v, i) => (i % 3 ? 0 : v)), M, K)!; // (the densest case thinned below the limit)
    const dense = new Float32Array(M * K);
    for (let r = 0; r < M; r++) for (let k = sp.rowStart[r]!; k < sp.rowStart[r + 1]!; k++) dense[r * K + sp.rowColumn[k]!] = sp.rowValues[k]!;
    // Layout (floats): A dense, B, C from gemm, C from spmm, then the compressed rows.
    const [a, b, cg, cs] = [0, M * K, M * K + K * N, M * K + K * N + M * N].map((v) => v * 4) as [number, number, number, number];
    let end = cs + M * N * 4;
    const put = (v: Int32Array | Float32Array) => {
      (v instanceof Int32Array ? i32 : f).set(v, end / 4);
      const at = end;
      end += v.length * 4 + 16;
      return at;
    };
    f.set(dense, a / 4);
    f.set(B, b / 4);
    const [ptr, idx, vals] = [put(sp.rowStart), put(sp.rowColumn), put(sp.rowValues)];
    kernels.gemm(a, K, 1, b, N, cg, N, M, N, K);
    kernels.spmm(ptr, idx, vals, M, b, N, cs, N, N);
    const viaGemm = Array.from(f.subarray(cg / 4, cg / 4 + M * N));
    const viaSpmm = Array.from(f.subarray(cs / 4, cs / 4 + M * N));
    expect(viaSpmm).toEqual(viaGemm);
    const want: number[] = [];
    for (let r = 0; r < M; r++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = sp.rowStart[r]!; k < sp.rowStart[r + 1]!; k++) s = Math.fround(s + Math.fround(sp.rowValues[k]! * B[sp.rowColumn[k]! * N + j]!));
        want.push(s);
      }
    expect(viaSpmm).toEqual(want);
  });

  it('dense_lanes: one layer four points at a time, tanh within 1e-6 of Math.tanh, relu and leaky relu exact', () => {
    const { kernels, memory } = instantiateKernels(1);
    const f = new Float32Array(memory.buffer);
    const [fanIn, fanOut, n] = [3, 5, 400];
    const stride = 400; // floats between two features (or units) of the points
    const [x, w, b, out] = [0, 4 * fanIn * stride, 4 * (fanIn * stride + 16), 4 * (fanIn * stride + 32)];
    const rng = createRng(11);
    for (let i = 0; i < fanIn * n; i++) f[(Math.floor(i / n) * stride + (i % n))] = rng.normal() * 3;
    for (let i = 0; i < fanIn * fanOut; i++) f[w / 4 + i] = rng.normal();
    for (let j = 0; j < fanOut; j++) f[b / 4 + j] = rng.normal();
    const z = (p: number, j: number) => {
      let s = f[b / 4 + j]!;
      for (let k = 0; k < fanIn; k++) s = Math.fround(s + Math.fround(f[k * stride + p]! * f[w / 4 + k * fanOut + j]!));
      return s;
    };
    for (const [code, fn, tol] of [
      [LANE_ACTIVATION.none, (v: number) => v, 0],
      [LANE_ACTIVATION.relu, (v: number) => Math.max(v, 0), 0],
      [LANE_ACTIVATION.leakyRelu, (v: number) => (v > 0 ? v : Math.fround(v * Math.fround(0.01))), 0],
      [LANE_ACTIVATION.tanh, Math.tanh, 1e-6],
    ] as const) {
      kernels.dense_lanes(x, stride * 4, fanIn, w, fanOut, b, out, stride * 4, n / 4, code);
      let worst = 0;
      for (let p = 0; p < n; p++) for (let j = 0; j < fanOut; j++) worst = Math.max(worst, Math.abs(f[out / 4 + j * stride + p]! - fn(z(p, j))));
      expect(worst, `activation ${code}`).toBeLessThanOrEqual(tol);
    }
    // tanh over its whole range, including tiny values and beyond the clamp (inputs, weight, bias and outputs apart)
    const [x2, w2, b2, out2] = [0, 8192 * 4, 8196 * 4, 8200 * 4];
    for (let i = 0; i < 4096; i++) f[i] = i < 4000 ? (i - 2000) / 200 : [1e-5, -3e-4, 30, -1e9][i % 4]!;
    f[w2 / 4] = 1;
    f[b2 / 4] = 0;
    kernels.dense_lanes(x2, 4096 * 4, 1, w2, 1, b2, out2, 4096 * 4, 1024, LANE_ACTIVATION.tanh);
    let worst = 0;
    for (let i = 0; i < 4096; i++) worst = Math.max(worst, Math.abs(f[out2 / 4 + i]! - Math.tanh(f[i]!)));
    expect(worst).toBeLessThan(1e-6);
  });

  it.each([
    [10, 2, 4],
    [10, 8, 8],
    [32, 16, 16],
    [7, 5, 3],
    [3, 9, 13],
    [1, 1, 1],
  ])('affine64 and weight_grad64 (%i rows, %i → %i units) equal float64 sums in order, to the bit', (n, fanIn, fanOut) => {
    const { kernels, memory } = instantiateKernels(4);
    const rng = createRng(n * 100 + fanIn * 10 + fanOut);
    const [x, w, b, z, dz, gw, gb] = [0, 8192, 16384, 24576, 65536, 98304, 131072];
    const f32 = new Float32Array(memory.buffer);
    const f64 = new Float64Array(memory.buffer);
    // Inputs with zeros among them (as relu gives): their rows are skipped in the weight gradients.
    for (let i = 0; i < n * fanIn; i++) f64[x / 8 + i] = i % 3 === 1 ? 0 : rng.normal();
    for (let i = 0; i < fanIn * fanOut; i++) f32[w / 4 + i] = rng.normal();
    for (let j = 0; j < fanOut; j++) f32[b / 4 + j] = rng.normal();
    for (let i = 0; i < n * fanOut; i++) f64[dz / 8 + i] = rng.normal() / 7;
    kernels.affine64(x, n, fanIn, w, fanOut, b, z);
    kernels.weight_grad64(x, n, fanIn, dz, fanOut, gw, gb);
    const X = (r: number, k: number) => f64[x / 8 + r * fanIn + k]!;
    const D = (r: number, j: number) => f64[dz / 8 + r * fanOut + j]!;
    for (let r = 0; r < n; r++)
      for (let j = 0; j < fanOut; j++) {
        let s = f32[b / 4 + j]!;
        for (let k = 0; k < fanIn; k++) s += X(r, k) * f32[w / 4 + k * fanOut + j]!;
        expect(f64[z / 8 + r * fanOut + j], `z[${r},${j}]`).toBe(s);
      }
    for (let k = 0; k < fanIn; k++)
      for (let j = 0; j < fanOut; j++) {
        let s = 0;
        for (let r = 0; r < n; r++) if (X(r, k) !== 0) s += X(r, k) * D(r, j);
        expect(f64[gw / 8 + k * fanOut + j], `gw[${k},${j}]`).toBe(s);
      }
    for (let j = 0; j < fanOut; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += D(r, j);
      expect(f64[gb / 8 + j], `gb[${j}]`).toBe(s);
    }
  });
});
