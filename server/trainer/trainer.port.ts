import type { Control } from '../../shared/control.schema.ts';
import type { ProbeFrame, RunEvent, RunResult, TelemetryFrame, TrainJob } from '../../shared/run.schema.ts';

/** Where a run's telemetry and outcome are delivered. */
export interface RunListener {
  onFrame(frame: TelemetryFrame): void;
  onProbe?(probe: ProbeFrame): void;
  onEvent?(event: RunEvent): void;
  onDone(result: RunResult): void;
  onFailed(message: string): void;
}

/**
 * The only way the server reaches training. Two adapters implement it: worker
 * threads in this process (embedded default) and a BullMQ queue (REDIS_URL).
 */
export interface Trainer {
  readonly kind: 'local' | 'bullmq';
  /** Queues a run; its listener hears every frame and exactly one of done or failed. */
  submit(job: TrainJob, listener: RunListener): Promise<void>;
  /** Steers a running run; it takes effect between two steps and comes back as a `control` event (or `controlRefused`). */
  control(runId: string, control: Control): Promise<void>;
  /** Stops a run; its listener hears nothing more. */
  cancel(runId: string): Promise<void>;
  /** The TensorFlow.js backend(s) training uses, for /health. */
  backend(): Promise<string>;
  close(): Promise<void>;
}
