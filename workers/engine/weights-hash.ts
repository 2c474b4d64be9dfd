import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs';

/** SHA-256 of the variables' float32 bytes, in order: equal hashes mean bit-identical weights. */
export function weightsHash(vars: readonly tf.Variable[]): string {
  const h = createHash('sha256');
  for (const v of vars) {
    const data = v.dataSync() as Float32Array;
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest('hex');
}
