import { getPriority, setPriority } from 'node:os';
import { readlinkSync } from 'node:fs';

/**
 * Niceness of the embedded trainer's threads (0 normal, 19 lowest). They share the server's process with the
 * thread that answers HTTP and WebSocket traffic; at nice 10 the kernel gives that thread about nine tenths of a
 * contended core, so /health and room patches stay prompt while every core trains. Training keeps whatever CPU
 * the server does not use, and a race is decided by its budget in samples, not by how fast it trained.
 */
export const TRAINING_THREAD_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority to `nice` (never raises it: that needs privileges). Linux only,
 * where a thread has its own priority, set through its thread id (`/proc/thread-self`); elsewhere setpriority(2)
 * would lower the whole process, so this does nothing there. Returns the thread's niceness after the call, or
 * undefined where it could not tell.
 */
export function lowerThreadPriority(nice: number = TRAINING_THREAD_NICE): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return undefined; // no /proc (a sandbox): the thread keeps its priority
  }
}
