import { execFileSync } from 'node:child_process';

/**
 * How many runs a worker process trains at once when WORKER_CONCURRENCY does
 * not say: one per GPU on tfjs-node-gpu (runs on one GPU only queue behind
 * each other on it), otherwise one per core (each run keeps one core busy:
 * the wasm and cpu backends compute on the calling thread).
 */
export function defaultConcurrency(backend: string, cores: number, gpus: number): number {
  return Math.max(1, backend === 'tfjs-node-gpu' ? gpus : cores);
}

/**
 * GPUs this process may use: the devices CUDA_VISIBLE_DEVICES names when it
 * is set, else the lines `nvidia-smi -L` prints, else 1 (a GPU backend loaded,
 * so there is at least one).
 */
export function gpuCount(env: NodeJS.ProcessEnv = process.env, listGpus: () => string = () => execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000 })): number {
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) return visible.split(',').filter((d) => d.trim() !== '' && d.trim() !== '-1').length;
  try {
    return Math.max(1, listGpus().split('\n').filter((l) => l.startsWith('GPU ')).length);
  } catch {
    return 1;
  }
}
