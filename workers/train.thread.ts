/**
 * Entry point of a training thread in the embedded trainer. A thread trains
 * any number of runs at once; each run yields between slices of steps, so
 * they interleave fairly on the thread's core.
 */
import { parentPort } from 'node:worker_threads';
import type { Control } from '../shared/control.schema.ts';
import { ToTrainer, type FromTrainer } from '../shared/trainer.messages.ts';
import { initBackend } from './engine/tf-backend.ts';
import { runTraining } from './engine/run-training.ts';

if (!parentPort) throw new Error('train.thread.ts must run in a worker thread');
const port = parentPort;
const post = (msg: FromTrainer): void => port.postMessage(msg);
const running = new Map<string, { abort: AbortController; inbox: Control[] }>();

const backend = await initBackend();
post({ type: 'ready', backend });

port.on('message', (raw: unknown) => {
  const parsed = ToTrainer.safeParse(raw);
  if (!parsed.success) return; // only the server talks to this port; drop anything else
  const msg = parsed.data;
  if (msg.type === 'cancel') {
    running.get(msg.runId)?.abort.abort(new Error('cancelled'));
    return;
  }
  if (msg.type === 'control') {
    running.get(msg.runId)?.inbox.push(msg.control);
    return;
  }
  const { job, resumeFrom } = msg;
  const run = { abort: new AbortController(), inbox: [] as Control[] };
  running.set(job.runId, run);
  runTraining(job, {
    signal: run.abort.signal,
    resumeFrom,
    pullControls: () => run.inbox.splice(0),
    onFrame: (frame) => post({ type: 'frame', frame }),
    onProbe: (probe) => post({ type: 'probe', probe }),
    onEvent: (event) => post({ type: 'event', event }),
    onCheckpoint: (bytes, step) => post({ type: 'checkpoint', runId: job.runId, step, bytes }),
  })
    .then((result) => post({ type: 'done', result }))
    .catch((err: unknown) => post({ type: 'failed', runId: job.runId, message: err instanceof Error ? err.message : String(err) }))
    .finally(() => running.delete(job.runId));
});
