import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Control } from '../../shared/control.schema.ts';
import { cancelKey, controlsKey, WORKER_HEARTBEAT_PATTERN } from '../../shared/redis-keys.ts';
import { RunResult, TelemetryFrame, type TrainJob } from '../../shared/run.schema.ts';
import type { RunListener, Trainer } from './trainer.port.ts';

/** Options of the BullMQ trainer. */
export interface BullmqTrainerOptions {
  /** A connection for commands; the trainer makes its own duplicates for blocking reads. */
  redis: Redis;
  /** Queue name (default `arena-train`). */
  queueName: string;
}

/**
 * Puts runs on a BullMQ queue for `npm run worker` processes and listens to
 * the queue's events for their telemetry (job progress) and outcome.
 */
export class BullmqTrainer implements Trainer {
  readonly kind = 'bullmq' as const;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly listeners = new Map<string, RunListener>();

  constructor(options: BullmqTrainerOptions) {
    this.redis = options.redis;
    this.queue = new Queue(options.queueName, { connection: options.redis });
    this.events = new QueueEvents(options.queueName, { connection: options.redis.duplicate() });
    this.events.on('progress', ({ jobId, data }) => {
      const frame = TelemetryFrame.safeParse(data);
      if (frame.success) this.listeners.get(jobId)?.onFrame(frame.data);
    });
    this.events.on('completed', ({ jobId, returnvalue }) => {
      const listener = this.take(jobId);
      const result = RunResult.safeParse(returnvalue);
      if (!listener) return;
      if (result.success) listener.onDone(result.data);
      else listener.onFailed('the worker returned a malformed result');
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      void this.failIfFinal(jobId, failedReason);
    });
  }

  private take(jobId: string): RunListener | undefined {
    const listener = this.listeners.get(jobId);
    this.listeners.delete(jobId);
    return listener;
  }

  /** A failed attempt that will be retried is not the end of the run. */
  private async failIfFinal(jobId: string, reason: string): Promise<void> {
    const job = await this.queue.getJob(jobId);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'failed' || state === 'unknown') this.take(jobId)?.onFailed(reason);
  }

  async submit(job: TrainJob, listener: RunListener): Promise<void> {
    await this.events.waitUntilReady();
    this.listeners.set(job.runId, listener);
    await this.queue.add('train', job, {
      jobId: job.runId,
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  async control(runId: string, control: Control): Promise<void> {
    await this.redis.multi().rpush(controlsKey(runId), JSON.stringify(control)).expire(controlsKey(runId), 3600).exec();
  }

  async cancel(runId: string): Promise<void> {
    this.listeners.delete(runId);
    const job = await this.queue.getJob(runId);
    if (!job) return;
    const state = await job.getState();
    if (state === 'active') await this.redis.set(cancelKey(runId), '1', 'EX', 3600);
    else if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await job.remove();
  }

  async backend(): Promise<string> {
    const keys = await this.redis.keys(WORKER_HEARTBEAT_PATTERN);
    if (keys.length === 0) return 'none (no worker running)';
    const values = await this.redis.mget(...keys);
    const backends = new Set(values.flatMap((v) => (v ? [String(JSON.parse(v).backend)] : [])));
    return [...backends].sort().join(',');
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.events.close();
    await this.queue.close();
  }
}
