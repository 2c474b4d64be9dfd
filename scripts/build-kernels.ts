// Regenerates workers/engine/fused/kernels.wasm from kernels.wat.ts (`npm run build:kernels`); commit the result.
import { writeFileSync } from 'node:fs';
import { buildKernels, KERNELS_WASM } from '../workers/engine/fused/build-kernels.ts';

const bytes = await buildKernels();
writeFileSync(KERNELS_WASM, bytes);
console.log(`wrote ${KERNELS_WASM.pathname} (${bytes.length} bytes)`);
