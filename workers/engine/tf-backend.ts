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
