import { z } from 'zod';
import { RunResult, TelemetryFrame, TrainJob } from './run.schema.ts';

/** What the server tells a training thread. */
export const ToTrainer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('train'), job: TrainJob }),
  z.object({ type: z.literal('cancel'), runId: z.string() }),
]);
export type ToTrainer = z.infer<typeof ToTrainer>;

/** What a training thread or worker tells the server. */
export const FromTrainer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: z.string() }),
  z.object({ type: z.literal('frame'), frame: TelemetryFrame }),
  z.object({ type: z.literal('done'), result: RunResult }),
  z.object({ type: z.literal('failed'), runId: z.string(), message: z.string() }),
]);
export type FromTrainer = z.infer<typeof FromTrainer>;
