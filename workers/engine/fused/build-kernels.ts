import wabt from 'wabt';
import { kernelsWat } from './kernels.wat.ts';

/** Where the committed kernels live, beside their source. */
export const KERNELS_WASM = new URL('./kernels.wasm', import.meta.url);

/** Compiles the kernels' WebAssembly text (kernels.wat.ts) to a binary with wabt (a dev dependency: only this build and its test load it). */
export async function buildKernels(): Promise<Uint8Array> {
  const w = await wabt();
  const mod = w.parseWat('kernels.wat', kernelsWat(), { simd: true });
  try {
    mod.resolveNames();
    mod.validate();
    return mod.toBinary({ canonicalize_lebs: true }).buffer;
  } finally {
    mod.destroy();
  }
}
