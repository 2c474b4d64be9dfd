import { readFileSync } from 'node:fs';

/** The kernels' exports (byte offsets into their memory; counts in floats unless said). */
export interface Kernels {
  gemm(a: number, aRow: number, aCol: number, b: number, ldb: number, c: number, ldc: number, M: number, N: number, K: number): void;
  sgd(w: number, grad: number, count4: number, lr: number): void;
  momentum(w: number, grad: number, acc: number, count4: number, lr: number, mu: number): void;
  adam(w: number, grad: number, m: number, v: number, count4: number, step: number, b1: number, oneMinusB1: number, b2: number, oneMinusB2: number, eps: number): void;
  rmsprop(w: number, grad: number, ms: number, count4: number, lr: number, rho: number, oneMinusRho: number, eps: number): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
  /** One dense layer for evaluation, points in lanes (see kernels.wat.ts). */
  /** C = A·B for a sparse A in compressed rows (see kernels.wat.ts). */
  spmm(ptr: number, idx: number, vals: number, rows: number, b: number, ldb: number, c: number, ldc: number, N: number): void;
  dense_lanes(x: number, xStride: number, fanIn: number, w: number, fanOut: number, b: number, out: number, outStride: number, n4: number, act: number): void;
  /** The fast path's float64 affine map z = x·W + b (W and b float32), sums in order (see kernels.wat.ts). */
  affine64(x: number, n: number, fanIn: number, w: number, fanOut: number, b: number, z: number): void;
  /** The fast path's float64 weight and bias gradients xᵀ·dZ and the column sums of dZ, sums in row order (see kernels.wat.ts). */
  weight_grad64(x: number, n: number, fanIn: number, dz: number, fanOut: number, gw: number, gb: number): void;
}

let compiled: WebAssembly.Module | undefined;

/** A fresh instance of the kernels over its own memory (64 KiB pages), compiled once per process. */
export function instantiateKernels(pages: number): { kernels: Kernels; memory: WebAssembly.Memory } {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./kernels.wasm', import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: pages });
  const exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as Kernels;
  return { kernels: stableShape(exports), memory };
}

/**
 * The exports copied into an object literal, the same fields in the same order each time, so every instance's
 * kernels share one hidden class. Code that calls them (a training step, a frame's evaluation) then sees one shape
 * for all runs; each instance's own exports object had a new one, and V8 threw away that code at the first step of
 * every new run and compiled it again until it gave up on the shape (the first five or so runs in a process).
 */
function stableShape(e: Kernels): Kernels {
  return {
    gemm: e.gemm,
    sgd: e.sgd,
    momentum: e.momentum,
    adam: e.adam,
    rmsprop: e.rmsprop,
    transpose: e.transpose,
    spmm: e.spmm,
    dense_lanes: e.dense_lanes,
    affine64: e.affine64,
    weight_grad64: e.weight_grad64,
  };
}
