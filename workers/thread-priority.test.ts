import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { TRAINING_THREAD_NICE } from './thread-priority.ts';

/** Calls lowerThreadPriority(nice) in a thread of its own and answers what it returned. */
function inThread(nice?: number): Promise<number | undefined> {
  const url = new URL('./thread-priority.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(url)}).then((m) => require('node:worker_threads').parentPort.postMessage(m.lowerThreadPriority(${nice ?? ''}) ?? null))`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    worker.once('message', (v: number | null) => {
      resolve(v ?? undefined);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('lowerThreadPriority', () => {
  it.runIf(process.platform === 'linux')('lowers only the calling thread, never raises it', async () => {
    const before = getPriority();
    expect(await inThread()).toBe(Math.max(before, TRAINING_THREAD_NICE));
    expect(await inThread(19)).toBe(19);
    expect(await inThread(-5)).toBe(before); // raising needs privileges: it is not tried
    expect(getPriority()).toBe(before); // the process (its main thread) keeps its priority
  });
});
