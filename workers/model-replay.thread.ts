/**
 * Entry point of the server's model-replay thread: trains a stored run again from its run file (a run is a
 * value: the same file gives the same weights on the same backend) and answers with the model in tf.js's
 * layers format, its preprocessing block included. One run at a time; the server queues the rest.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { preprocessingOf } from '../contract/model-preprocessing.ts';
import { ModelReplayRequest, type ModelReplayAnswer } from '../contract/model-replay.messages.ts';
import { runFileJob } from '../shared/run.schema.ts';
import { layersModelFiles, type LayersModelFiles } from './engine/model-export.ts';
import { runTraining } from './engine/training-loop.ts';
import { initBackend } from './engine/tf-backend.ts';
import { lowerThreadPriority } from './thread-priority.ts';

if (!parentPort) throw new Error('model-replay.thread.ts must run in a worker thread');
const port = parentPort;
const post = (msg: ModelReplayAnswer, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

lowerThreadPriority((workerData as { nice?: number } | null)?.nice);
const backend = await initBackend();
post({ type: 'ready', backend });

port.on('message', (raw: unknown) => {
  const read = ModelReplayRequest.safeParse(raw);
  if (!read.success) return; // only the server talks to this port, from the same build
  const { id, runFile, weightsPath } = read.data;
  let files: LayersModelFiles | undefined;
  const job = runFileJob(runFile, 'model-export');
  runTraining(job, { onFinish: async (session) => void (files = await layersModelFiles(session.net, preprocessingOf(runFile.spec, runFile.task), weightsPath)) })
    .then((result) => {
      if (!files) throw new Error('the replay ended without a model');
      const weights = files.weights;
      post({ type: 'replayed', id, backend, weightsHash: result.weightsHash, samples: result.samples, heldOutAccuracy: result.heldOutAccuracy, modelJson: files.modelJson, weights }, [weights.buffer as ArrayBuffer]);
    })
    .catch((err: unknown) => post({ type: 'failed', id, message: err instanceof Error ? err.message : String(err) }));
});
