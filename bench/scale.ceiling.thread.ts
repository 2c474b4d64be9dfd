/**
 * A thread of the scale benchmark's hardware ceiling: on `{ kernel, ms }` it
 * runs that kernel for `ms` milliseconds and answers with iterations per
 * second. `matMul` is a 256×256 matrix product on the engine's backend (on
 * wasm: XNNPACK's SIMD kernels), `scalar` a chain of integer multiplies in
 * plain JavaScript.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { CeilingRequest } from './scale.ceiling.ts';

if (!parentPort) throw new Error('scale.ceiling.thread.ts must run in a worker thread');
const port = parentPort;
await initBackend();
const a = tf.randomNormal([256, 256], 0, 1, 'float32', 1);

function matMulFor(ms: number): number {
  const t = performance.now();
  let n = 0;
  while (performance.now() - t < ms) {
    tf.tidy(() => tf.matMul(a, a).dataSync());
    n++;
  }
  return n / ((performance.now() - t) / 1000);
}

function scalarFor(ms: number): number {
  const t = performance.now();
  let n = 0;
  let x = 1;
  while (performance.now() - t < ms) {
    for (let i = 0; i < 100_000; i++) x = (x * 1103515245 + 12345) | 0;
    n++;
  }
  return (n + (x & 0)) / ((performance.now() - t) / 1000);
}

port.on('message', (raw: unknown) => {
  const { kernel, ms } = CeilingRequest.parse(raw);
  port.postMessage(kernel === 'matMul' ? matMulFor(ms) : scalarFor(ms));
});
port.postMessage('ready');
