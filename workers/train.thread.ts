/**
 * Entry point of a training thread in the embedded trainer. A thread trains
 * any number of runs at once; each run yields between slices of steps, so
 * they interleave fairly on the thread's core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Control } from '../shared/control.schema.ts';
import type { LandscapeRequest } from '../shared/landscape.schema.ts';
import { ToTrainer, type FromTrainer } from '../contract/trainer.messages.ts';
import { readThreadMessage, toThread } from '../contract/trainer.wire.ts';
import { initBackend } from './engine/tf-backend.ts';
import { runTraining } from './engine/training-loop.ts';
import { runGan } from './engine/gan.ts';
import { lowerThreadPriority } from './thread-priority.ts';

if (!parentPort) throw new Error('train.thread.ts must run in a worker thread');
const port = parentPort;
const post = (msg: FromTrainer): void => port.postMessage(toThread(msg));
const running = new Map<string, { abort: AbortController; inbox: Control[] }>();

/** Loss landscape requests waiting for their run's next step boundary. */
const landscapeInbox = new Map<string, LandscapeRequest[]>();

// Training yields the CPU to the server's own thread (HTTP, WebSocket, rooms) whenever both want it.
lowerThreadPriority((workerData as { nice?: number } | null)?.nice);

const backend = await initBackend();
post({ type: 'ready', backend });

port.on('message', (raw: unknown) => {
  const read = readThreadMessage(ToTrainer, raw);
  if (!read.ok) return; // only the server talks to this port, from the same build; drop anything else
  const msg = read.msg;
  if (msg.type === 'cancel') {
    running.get(msg.runId)?.abort.abort(new Error('cancelled'));
    return;
  }
  if (msg.type === 'control') {
    running.get(msg.runId)?.inbox.push(msg.control);
    return;
  }
  if (msg.type === 'landscape') {
    landscapeInbox.get(msg.runId)?.push(msg.request);
    return;
  }
  if (msg.type === 'gan') {
    const gan = { abort: new AbortController(), inbox: [] as Control[] };
    running.set(msg.job.runId, gan);
    runGan(msg.job, { signal: gan.abort.signal, onFrame: (frame) => post({ type: 'ganFrame', frame }) })
      .then((result) => post({ type: 'ganDone', result }))
      .catch((err: unknown) => post({ type: 'failed', runId: msg.job.runId, message: err instanceof Error ? err.message : String(err) }))
      .finally(() => running.delete(msg.job.runId));
    return;
  }
  const { job, resumeFrom } = msg;
  const run = { abort: new AbortController(), inbox: [] as Control[] };
  running.set(job.runId, run);
  const landscapes: LandscapeRequest[] = [];
  landscapeInbox.set(job.runId, landscapes);
  runTraining(job, {
    signal: run.abort.signal,
    resumeFrom,
    pullControls: () => run.inbox.splice(0),
    onFrame: (frame) => post({ type: 'frame', frame }),
    onProbe: (probe) => post({ type: 'probe', probe }),
    onEvent: (event) => post({ type: 'event', event }),
    onControlApplied: (logged, source) => post({ type: 'applied', runId: job.runId, source, logged }),
    onCheckpoint: (bytes, step, controlsApplied) => post({ type: 'checkpoint', runId: job.runId, step, controlsApplied, bytes }),
    pullLandscapeRequests: () => landscapes.splice(0),
    onLandscape: (landscape) => post({ type: 'landscape', landscape }),
  })
    .then((result) => post({ type: 'done', result }))
    .catch((err: unknown) => post({ type: 'failed', runId: job.runId, message: err instanceof Error ? err.message : String(err) }))
    .finally(() => {
      running.delete(job.runId);
      landscapeInbox.delete(job.runId);
    });
});
