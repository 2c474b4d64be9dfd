import { z } from 'zod';
import { Control, LoggedControl } from './control.schema.ts';
import { LandscapeFrame, LandscapeRequest } from './landscape.schema.ts';
import { GanFrame, GanJob, GanResult } from './gan.schema.ts';
import { ProbeFrame, RunEvent, RunResult, TelemetryFrame, TrainJob } from './run.schema.ts';

/** Why and from where a run was resumed after its thread or worker died (see `RunListener.onRecovered`). */
export const RecoveryInfo = z.object({
  /** The step its last checkpoint was taken at (0: it starts over). */
  fromStep: z.number().int().min(0),
  /** Short, for players: e.g. `training thread crashed`. Details go to the server's log only. */
  reason: z.string().max(200),
});
export type RecoveryInfo = z.infer<typeof RecoveryInfo>;

/** What the server tells a training thread. */
export const ToTrainer = z.discriminatedUnion('type', [
  /** Train a run, from the start or from a checkpoint's bytes. */
  z.object({ type: z.literal('train'), job: TrainJob, resumeFrom: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'resumeFrom must be a Uint8Array').optional() }),
  z.object({ type: z.literal('control'), runId: z.string(), control: Control }),
  z.object({ type: z.literal('cancel'), runId: z.string() }),
  /** Compute the run's loss landscape between two steps; answered with a `landscape` message. */
  z.object({ type: z.literal('landscape'), runId: z.string(), request: LandscapeRequest }),
  /** Train a GAN run (generator against discriminator); cancelled like any run. */
  z.object({ type: z.literal('gan'), job: GanJob }),
]);
export type ToTrainer = z.infer<typeof ToTrainer>;

/** What a training thread or worker tells the server. */
export const FromTrainer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: z.string() }),
  z.object({ type: z.literal('frame'), frame: TelemetryFrame }),
  z.object({ type: z.literal('probe'), probe: ProbeFrame }),
  z.object({ type: z.literal('event'), event: RunEvent }),
  /** A control took effect (it is in the run's log now): scheduled by the job, or sent live. The server keeps the log to resume the run elsewhere. */
  z.object({ type: z.literal('applied'), runId: z.string(), source: z.enum(['scheduled', 'live']), logged: LoggedControl }),
  z.object({ type: z.literal('checkpoint'), runId: z.string(), step: z.number().int(), bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes must be a Uint8Array') }),
  z.object({ type: z.literal('done'), result: RunResult }),
  z.object({ type: z.literal('failed'), runId: z.string(), message: z.string() }),
  z.object({ type: z.literal('landscape'), landscape: LandscapeFrame }),
  z.object({ type: z.literal('ganFrame'), frame: GanFrame }),
  z.object({ type: z.literal('ganDone'), result: GanResult }),
]);
export type FromTrainer = z.infer<typeof FromTrainer>;
