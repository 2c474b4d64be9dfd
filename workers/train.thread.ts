/**
 * Entry point of a training thread in the embedded trainer. A thread trains
 * any number of runs at once; each run yields between slices of steps, so
 * they interleave fairly on the thread's core.
 */
import { parentPort } from 'node:worker_threads';
import { ToTrainer, type FromTrainer } from '../shared/trainer.messages.ts';
import { initBackend } from './engine/tf-backend.ts';
import { runTraining } from './engine/run-training.ts';

if (!parentPort) throw new Error('train.thread.ts must run in a worker thread');
const port = parentPort;
const post = (msg: FromTrainer): void => port.postMessage(msg);
const running = new Map<string, AbortController>();

const backend = await initBackend();
post({ type: 'ready', backend });

port.on('message', (raw: unknown) => {
  const parsed = ToTrainer.safeParse(raw);
  if (!parsed.success) return; // only the server talks to this port; drop anything else
  const msg = parsed.data;
  if (msg.type === 'cancel') {
    running.get(msg.runId)?.abort(new Error('cancelled'));
    return;
  }
  const { job } = msg;
  const controller = new AbortController();
  running.set(job.runId, controller);
  runTraining(job, { signal: controller.signal, onFrame: (frame) => post({ type: 'frame', frame }) })
    .then((result) => post({ type: 'done', result }))
    .catch((err: unknown) => post({ type: 'failed', runId: job.runId, message: err instanceof Error ? err.message : String(err) }))
    .finally(() => running.delete(job.runId));
});
