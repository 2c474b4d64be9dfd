import * as tf from '@tensorflow/tfjs';

/** Backends in the order the arena prefers them. */
export const BACKEND_PREFERENCE = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_PREFERENCE)[number];

let chosen: Promise<BackendChoice> | undefined;

async function tryBackend(choice: BackendChoice): Promise<boolean> {
  try {
    switch (choice) {
      case 'tfjs-node-gpu':
        // Optional dependency: installs only where libtensorflow could be downloaded.
        await import('@tensorflow/tfjs-node-gpu' as string);
        return await tf.setBackend('tensorflow');
      case 'tfjs-node':
        await import('@tensorflow/tfjs-node' as string);
        return await tf.setBackend('tensorflow');
      case 'wasm':
        await import('@tensorflow/tfjs-backend-wasm');
        return await tf.setBackend('wasm');
      case 'cpu':
        return await tf.setBackend('cpu');
    }
  } catch {
    return false;
  }
}

/**
 * Picks the best TensorFlow.js backend that loads here: tfjs-node-gpu, then
 * tfjs-node, then wasm, then cpu. `TF_BACKEND` (one of those names) forces a
 * choice and fails if it does not load. Safe to call many times.
 */
export function initBackend(forced: string | undefined = process.env.TF_BACKEND): Promise<BackendChoice> {
  chosen ??= (async () => {
    if (forced) {
      const wanted = BACKEND_PREFERENCE.find((b) => b === forced);
      if (!wanted) throw new Error(`TF_BACKEND must be one of ${BACKEND_PREFERENCE.join(', ')}, got "${forced}"`);
      if (!(await tryBackend(wanted))) throw new Error(`TF_BACKEND=${forced} was asked for but does not load here`);
      await tf.ready();
      return wanted;
    }
    for (const choice of BACKEND_PREFERENCE) {
      if (await tryBackend(choice)) {
        await tf.ready();
        return choice;
      }
    }
    throw new Error('no TensorFlow.js backend could be loaded');
  })();
  return chosen;
}

/**
 * What is wrong with the backend that loaded, in words, or undefined. tfjs-node-gpu loads on a
 * machine without a usable GPU (no CUDA device, or the container was started without one) and then
 * trains on the CPU, one run at a time: a worker reports that rather than hide it.
 * `backend` is tf.js's active backend (tfjs-node's exposes `isUsingGpuDevice`).
 */
export function backendProblem(choice: BackendChoice, backend: unknown = tf.backend()): string | undefined {
  if (choice !== 'tfjs-node-gpu') return undefined;
  const { isUsingGpuDevice } = backend as { isUsingGpuDevice?: unknown };
  return isUsingGpuDevice === false ? 'tfjs-node-gpu loaded but TensorFlow found no GPU device: it trains on the CPU' : undefined;
}
