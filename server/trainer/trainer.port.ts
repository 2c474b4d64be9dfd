import type { Control } from '../../shared/control.schema.ts';
import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import type { RecoveryInfo } from '../../contract/trainer.messages.ts';

export type { RecoveryInfo };
export { ForkUnavailable } from '../../contract/fork-job.ts';
import type { LandscapeFrame, LandscapeRequest } from '../../shared/landscape.schema.ts';
import type { GanFrame, GanJob, GanResult } from '../../shared/gan.schema.ts';
import type { ProbeFrame, RunEvent, RunResult, TelemetryFrame, TrainJob } from '../../shared/run.schema.ts';

/** Where a run's telemetry and outcome are delivered. */
export interface RunListener {
  onFrame(frame: TelemetryFrame): void;
  onProbe?(probe: ProbeFrame): void;
  onEvent?(event: RunEvent): void;
  /** The answer to `Trainer.requestLandscape`. */
  onLandscape?(landscape: LandscapeFrame): void;
  onDone(result: RunResult): void;
  onFailed(message: string): void;
  /**
   * The run lost the thread or worker that trained it and goes on elsewhere, from its last checkpoint
   * (`fromStep`; 0 when it had none and starts again). Frames the listener already heard are not repeated
   * by the embedded trainer; the result is the one an unbroken run gives.
   */
  onRecovered?(info: RecoveryInfo): void;
  /** Set only for a GAN run (`submitGan`): its frames and result come here instead of `onFrame`/`onDone`. */
  gan?: GanListener;
}

/** A recovery as a line for players, e.g. `training worker crashed; resuming from step 150`. */
export function describeRecovery(info: RecoveryInfo): string {
  return `${info.reason}; ${info.fromStep > 0 ? `resuming from step ${info.fromStep}` : 'starting again from the beginning'}`;
}

/** The `notice` a room broadcasts when a run (of `player`, in rooms with several) was resumed. */
export function recoveryNotice(info: RecoveryInfo, player?: string): RoomNoticeMessage {
  return { message: player ? `${player}'s run: ${describeRecovery(info)}` : describeRecovery(info) };
}

/** Where a GAN run's frames and outcome are delivered. */
export interface GanListener {
  onFrame(frame: GanFrame): void;
  onDone(result: GanResult): void;
  onFailed(message: string): void;
  /** The GAN run lost its thread or worker and starts again from its beginning elsewhere. */
  onRecovered?(info: RecoveryInfo): void;
}

/** A GAN listener in the shape the adapters keep for every run. */
export function ganRunListener(gan: GanListener): RunListener {
  return { onFrame: () => {}, onDone: () => {}, onFailed: (m) => gan.onFailed(m), ...(gan.onRecovered ? { onRecovered: (i: RecoveryInfo) => gan.onRecovered!(i) } : {}), gan };
}

/**
 * Which checkpoint of its parent a fork starts from: for now the latest of a run that is
 * training. (A checkpoint kept after its run ended would be named here by its step.)
 */
export type ForkFrom = { checkpoint: 'latest' };

/** A fork: a new run (`runId`) that starts where a checkpoint of `parentRunId` left off, with the parent's controls up to it as the start of its log. */
export interface ForkRequest {
  parentRunId: string;
  runId: string;
  from: ForkFrom;
}

/** How a run is followed again (see `Trainer.attach`). */
export interface AttachOptions {
  /**
   * Frames, probes and events at or before these samples (a GAN run: iterations) are not delivered: the
   * listener has them already, e.g. from the match's log. Pass the samples of the last frame kept, and keep
   * the events up to it. Default: everything the trainer still holds of the run, from its start.
   */
  afterSamples?: number;
  /**
   * Embedded trainer only: the latest checkpoint the server kept of the run, to resume it from when it is not
   * training in this process (it died with the previous one). Its controls up to the checkpoint must be at the
   * start of `job.controls`, as in a fork. Without it such a run starts again from its first step.
   */
  resumeFrom?: Uint8Array;
}

/**
 * The only way the server reaches training. Two adapters implement it: worker
 * threads in this process (embedded default) and a BullMQ queue (REDIS_URL).
 */
export interface Trainer {
  readonly kind: 'local' | 'bullmq';
  /** Queues a run; its listener hears every frame and exactly one of done or failed. An invalid job fails at once. */
  submit(job: TrainJob, listener: RunListener): Promise<void>;
  /**
   * Starts a fork of a run this trainer trains (see `ForkRequest`), heard by `listener` like a
   * submitted run, and resolves with the fork's job (its `parent` step and its log up to it).
   * The server never reads checkpoints: training forks them. Rejects with `ForkUnavailable`
   * (a reason for the player: no checkpoint yet, say) when it cannot fork now.
   */
  fork(request: ForkRequest, listener: RunListener): Promise<TrainJob>;
  /** Queues a GAN run (generator against discriminator); like `submit`, an invalid job fails at once. Cancel it with `cancel`. */
  submitGan(job: GanJob, listener: GanListener): Promise<void>;
  /**
   * Follows a run submitted earlier (by this process before it restarted, or by another): the listener
   * hears what a listener given to `submit` would hear from `options.afterSamples` on, then exactly one of
   * done or failed, also when the run ended while nobody listened. A run that went on elsewhere and is
   * still going is followed live; one that trains nowhere any more (its trainer died with the process) is
   * resumed from `options.resumeFrom` or started again. `job` is the job as submitted (a GAN job for a GAN
   * run, whose listener is `ganRunListener(...)`), with the controls applied so far in `controls`.
   * BullMQ: the run kept training in the workers and its telemetry stream is read again from its start.
   */
  attach(job: TrainJob | GanJob, listener: RunListener, options?: AttachOptions): Promise<void>;
  /**
   * The run's outcome is stored: the trainer may drop what it kept so that the run could be attached again
   * (BullMQ: its job, telemetry and controls streams). Harmless for a run it does not know.
   */
  forget(runId: string): Promise<void>;
  /** Steers a running run; it takes effect between two steps and comes back as a `control` event, or a `controlRefused` one with the engine's reason. */
  control(runId: string, control: Control): Promise<void>;
  /** Asks a running run for its loss landscape; it changes nothing in the run and comes back through the listener's `onLandscape`. */
  requestLandscape(runId: string, request: LandscapeRequest): Promise<void>;
  /** The latest checkpoint a running run has made (bytes the engine reads back), or undefined before its first or once it has ended. */
  latestCheckpoint(runId: string): Promise<Uint8Array | undefined>;
  /** Stops a run; its listener hears nothing more. */
  cancel(runId: string): Promise<void>;
  /** The TensorFlow.js backend(s) training uses, for /health. */
  backend(): Promise<string>;
  close(): Promise<void>;
}
