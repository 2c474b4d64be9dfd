/**
 * What this machine's cores give code like the engine's, measured beside the
 * pool: one thread running a bare kernel against one thread per core running
 * it, with nothing of the arena in between. On a machine whose cores share
 * their vector units (hyperthreads, or a VM's vCPUs placed on them), the
 * SIMD kernel scales far less than the scalar loop, and so does training.
 */
import { Worker } from 'node:worker_threads';
import { z } from 'zod';

export const CeilingRequest = z.object({ kernel: z.enum(['matMul', 'scalar']), ms: z.number().positive() });
export type CeilingKernel = z.infer<typeof CeilingRequest>['kernel'];

const THREAD_FILE = new URL('./scale.ceiling.thread.ts', import.meta.url);

/** Threads that run a kernel on request; idle (waiting for a message) in between. */
export class CeilingProbe {
  private readonly threads: Worker[];

  private constructor(threads: Worker[]) {
    this.threads = threads;
  }

  static async start(count: number): Promise<CeilingProbe> {
    const threads = Array.from({ length: count }, () => new Worker(THREAD_FILE));
    await Promise.all(threads.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))));
    const probe = new CeilingProbe(threads);
    await probe.ratio('matMul', 300); // warm-up: the kernels compile, the JIT settles
    await probe.ratio('scalar', 300);
    return probe;
  }

  private run(w: Worker, kernel: CeilingKernel, ms: number): Promise<number> {
    return new Promise((resolve) => {
      w.once('message', resolve);
      w.postMessage({ kernel, ms });
    });
  }

  /** Iterations per second of every thread together against the first one alone. */
  async ratio(kernel: CeilingKernel, ms: number): Promise<number> {
    const one = await this.run(this.threads[0]!, kernel, ms);
    const all = await Promise.all(this.threads.map((w) => this.run(w, kernel, ms)));
    return all.reduce((a, b) => a + b, 0) / one;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((w) => w.terminate()));
  }
}
