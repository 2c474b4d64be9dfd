/**
 * Messages between the server and its model-replay thread (workers/model-replay.thread.ts): the server sends a
 * stored run's file, the thread trains it again and answers with the model in tf.js's layers format.
 */
import { z } from 'zod';
import { RunFile } from '../shared/run.schema.ts';

/** Server → thread: replay one run file. */
export const ModelReplayRequest = z.object({ id: z.number().int(), runFile: RunFile, weightsPath: z.string().min(1) });
export type ModelReplayRequest = z.infer<typeof ModelReplayRequest>;

/** Thread → server: ready (with the tf.js backend it runs), a replayed model, or why it could not be replayed. */
export const ModelReplayAnswer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: z.string() }),
  z.object({
    type: z.literal('replayed'),
    id: z.number().int(),
    backend: z.string(),
    weightsHash: z.string(),
    samples: z.number().int(),
    heldOutAccuracy: z.number(),
    modelJson: z.record(z.string(), z.unknown()),
    weights: z.instanceof(Uint8Array),
  }),
  z.object({ type: z.literal('failed'), id: z.number().int(), message: z.string() }),
]);
export type ModelReplayAnswer = z.infer<typeof ModelReplayAnswer>;
