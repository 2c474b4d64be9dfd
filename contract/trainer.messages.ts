import { z } from 'zod';
import { Control, LoggedControl } from '../shared/control.schema.ts';
import { LandscapeFrame, LandscapeRequest } from '../shared/landscape.schema.ts';
import { GanFrame, GanJob, GanResult } from '../shared/gan.schema.ts';
import { ProbeFrame, RunEvent, RunResult, TelemetryFrame, TrainJob } from '../shared/run.schema.ts';

/**
 * The trainer wire: every message between the server and training, whether it travels between
 * threads (embedded trainer, `postMessage`) or over Redis streams (BullMQ workers). One
 * definition, two encodings (see `trainer.wire.ts`). Bump the version whenever a message changes
 * shape; a side that reads another version rejects the message with a clear error.
 */
export const TRAINER_WIRE_VERSION = 1;

/** Why and from where a run was resumed after its thread or worker died (see `RunListener.onRecovered`). */
export const RecoveryInfo = z.object({
  /** The step its last checkpoint was taken at (0: it starts over). */
  fromStep: z.number().int().min(0),
  /** Short, for players: e.g. `training thread crashed`. Details go to the server's log only. */
  reason: z.string().max(200),
});
export type RecoveryInfo = z.infer<typeof RecoveryInfo>;

/** What a checkpoint is of, told beside its bytes: a server forks or announces a resume from it without decoding the bytes. */
export const CheckpointInfo = z.object({
  /** The step it was taken before. */
  step: z.number().int().min(0),
  /** How many entries of the run's control log had taken effect by then. */
  controlsApplied: z.number().int().min(0),
});
export type CheckpointInfo = z.infer<typeof CheckpointInfo>;

const bytes = (what: string) => z.custom<Uint8Array>((v) => v instanceof Uint8Array, `${what} must be a Uint8Array`);

/** What the server tells training: a thread (every type) or a BullMQ run's controls stream (`control`, `cancel`, `landscape`). */
export const ToTrainer = z.discriminatedUnion('type', [
  /** Train a run, from the start or from a checkpoint's bytes. */
  z.object({ type: z.literal('train'), job: TrainJob, resumeFrom: bytes('resumeFrom').optional() }),
  /** Steer a running run; answered with a `control` event, or a `controlRefused` one with the engine's reason. */
  z.object({ type: z.literal('control'), runId: z.string(), control: Control }),
  z.object({ type: z.literal('cancel'), runId: z.string() }),
  /** Compute the run's loss landscape between two steps; answered with a `landscape` message. */
  z.object({ type: z.literal('landscape'), runId: z.string(), request: LandscapeRequest }),
  /** Train a GAN run (generator against discriminator); cancelled like any run. */
  z.object({ type: z.literal('gan'), job: GanJob }),
]);
export type ToTrainer = z.infer<typeof ToTrainer>;

/** What training tells the server: a thread (every type but `recovered`) or a BullMQ run's telemetry stream (every type but `ready`, `applied`, `checkpoint`). */
export const FromTrainer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: z.string() }),
  /** A light telemetry frame (over Redis: the compact binary encoding of `frame-codec.ts`). */
  z.object({ type: z.literal('frame'), frame: TelemetryFrame }),
  z.object({ type: z.literal('probe'), probe: ProbeFrame }),
  /** Detector findings and the controls that took effect (`control`) or that the engine refused (`controlRefused`, with its reason). */
  z.object({ type: z.literal('event'), event: RunEvent }),
  /** A control took effect (it is in the run's log now): scheduled by the job, or sent live. The server keeps the log to resume the run elsewhere. */
  z.object({ type: z.literal('applied'), runId: z.string(), source: z.enum(['scheduled', 'live']), logged: LoggedControl }),
  /** A checkpoint and what it is of. (A BullMQ worker keeps its bytes under `checkpointKey` instead.) */
  z.object({ type: z.literal('checkpoint'), runId: z.string(), ...CheckpointInfo.shape, bytes: bytes('bytes') }),
  z.object({ type: z.literal('done'), result: RunResult }),
  /** The run failed for good (a thread's error; a BullMQ job's last attempt). */
  z.object({ type: z.literal('failed'), runId: z.string(), message: z.string() }),
  z.object({ type: z.literal('landscape'), landscape: LandscapeFrame }),
  z.object({ type: z.literal('ganFrame'), frame: GanFrame }),
  z.object({ type: z.literal('ganDone'), result: GanResult }),
  /**
   * A BullMQ worker took a run over after its previous worker died (`stalls`: how many times
   * BullMQ had found it stalled then, so the server, which may have announced that stall
   * already, says it once) or handed it back.
   */
  z.object({ type: z.literal('recovered'), runId: z.string(), info: RecoveryInfo, stalls: z.number().int().min(0) }),
]);
export type FromTrainer = z.infer<typeof FromTrainer>;
