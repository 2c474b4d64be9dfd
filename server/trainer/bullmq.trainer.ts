import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Control } from '../../shared/control.schema.ts';
import type { LandscapeRequest } from '../../shared/landscape.schema.ts';
import { appliedKey, checkpointInfoKey, checkpointKey, controlsKey, RUN_STATE_TTL_SEC, telemetryKey, WORKER_HEARTBEAT_PATTERN } from '../../contract/redis-keys.ts';
import { LoggedControl } from '../../shared/control.schema.ts';
import { ForkUnavailable, forkedJob } from '../../contract/fork-job.ts';
import { CheckpointInfo, type ToTrainer } from '../../contract/trainer.messages.ts';
import { streamFields } from '../../contract/trainer.wire.ts';
import { BACKEND_DEGRADED, WorkerHeartbeat } from '../../contract/worker-heartbeat.schema.ts';
import { RunResult, TrainJob, type RunPriority } from '../../shared/run.schema.ts';
import { GanJob, GanResult } from '../../shared/gan.schema.ts';
import { isRedisUnreachable, logRedisOutages } from '../../contract/redis-outage.ts';
import { describeZodError } from '../../shared/validation.ts';
import { moduleLogger } from '../logger.ts';
import { TelemetryReader } from './telemetry-reader.ts';
import { ganRunListener, type AttachOptions, type ForkRequest, type GanListener, type RunListener, type Trainer } from './trainer.port.ts';

const log = moduleLogger('trainer');

/**
 * BullMQ priorities by who waits (lower is sooner). Live runs carry none: BullMQ
 * takes jobs without a priority before any prioritized job, FIFO among
 * themselves; background work waits behind every live run.
 */
export const QUEUE_PRIORITY: Record<RunPriority, number | undefined> = { live: undefined, background: 10 };

/** How long `forget` waits for a worker to mark a job finished whose result is already on its stream (ms). */
const FINISHING_MS = 10_000;

/** Options of the BullMQ trainer. */
export interface BullmqTrainerOptions {
  /** A connection for commands; the trainer makes its own duplicates for blocking reads. */
  redis: Redis;
  /** Queue name (default `arena-train`). */
  queueName: string;
}

/**
 * Puts runs on a BullMQ queue for `npm run worker` processes. Each run's
 * telemetry, events and result come back on its own Redis stream; controls go
 * out on another. Failures the worker cannot report (a run that failed for
 * good) come from the queue's events.
 */
export class BullmqTrainer implements Trainer {
  readonly kind = 'bullmq' as const;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly reader: TelemetryReader;

  constructor(options: BullmqTrainerOptions) {
    this.redis = options.redis;
    this.queue = new Queue(options.queueName, { connection: options.redis });
    this.events = new QueueEvents(options.queueName, { connection: logRedisOutages(options.redis.duplicate(), 'queue events') });
    this.reader = new TelemetryReader(options.redis.duplicate(), { unblocker: options.redis, onRejected: (runId) => void this.cancel(runId).catch(() => {}) });
    // Without listeners BullMQ prints every failed reconnect; the connections report an outage once instead.
    const onError = (what: string) => (err: Error) => {
      if (!isRedisUnreachable(err)) log.error({ err }, `${what} error`);
    };
    this.queue.on('error', onError('queue'));
    this.events.on('error', onError('queue events'));
    this.events.on('failed', ({ jobId, failedReason }) => {
      void this.failIfFinal(jobId, failedReason);
    });
    // A worker died under a run: BullMQ moved it back to wait for another worker. Players hear it now, not once that worker has started.
    this.events.on('stalled', ({ jobId }) => {
      void this.announceStall(jobId).catch((err: unknown) => log.warn({ runId: jobId, err }, 'could not announce a stalled run'));
    });
  }

  /**
   * Tells a stalled run's listener it resumes, and from which step: the checkpoint the next
   * worker will load (what it is of is kept beside the bytes, so nothing is decoded here).
   */
  private async announceStall(runId: string): Promise<void> {
    if (!this.reader.has(runId)) return;
    const [job, info] = await Promise.all([this.queue.getJob(runId), this.redis.get(checkpointInfoKey(runId))]);
    if (!job || job.name !== 'train') return; // a GAN run keeps no checkpoints: it fails, and the room says so
    const checkpoint = info ? CheckpointInfo.safeParse(JSON.parse(info)) : undefined;
    this.reader.recovered(runId, { fromStep: checkpoint?.success ? checkpoint.data.step : 0, reason: 'training worker crashed' }, Math.max(1, job.stalledCounter));
  }

  /** Appends a trainer wire message to a run's controls stream. */
  private async tell(msg: Extract<ToTrainer, { runId: string }>): Promise<void> {
    await this.redis.multi().xadd(controlsKey(msg.runId), '*', ...streamFields(msg)).expire(controlsKey(msg.runId), RUN_STATE_TTL_SEC).exec();
  }

  /** A failed attempt that will be retried is not the end of the run. */
  private async failIfFinal(jobId: string, reason: string): Promise<void> {
    const job = await this.queue.getJob(jobId);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'failed' || state === 'unknown') this.reader.unwatch(jobId)?.onFailed(reason);
  }

  async submit(job: TrainJob, listener: RunListener): Promise<void> {
    const parsed = TrainJob.safeParse(job);
    if (!parsed.success) {
      listener.onFailed(`invalid run: ${describeZodError(parsed.error).message}`);
      return;
    }
    await this.events.waitUntilReady();
    this.reader.watch(job.runId, listener);
    await this.enqueue(parsed.data);
  }

  /**
   * Forks from the checkpoint the parent's worker saved last: its bytes are copied, inside Redis,
   * to where a worker looks for the checkpoint of a run it starts; the fork's job is the parent's
   * with the parent's applied log up to that checkpoint (read in the same transaction).
   */
  async fork(request: ForkRequest, listener: RunListener): Promise<TrainJob> {
    const parentJob = await this.queue.getJob(request.parentRunId);
    const parent = parentJob?.name === 'train' ? TrainJob.safeParse(parentJob.data) : undefined;
    if (!parent?.success) throw new ForkUnavailable(`run ${request.parentRunId} is not training on this queue`);
    const { runId, parentRunId } = request;
    const replies = await this.redis
      .multi()
      .get(checkpointInfoKey(parentRunId))
      .lrange(appliedKey(parentRunId), 0, -1)
      .copy(checkpointKey(parentRunId), checkpointKey(runId), 'REPLACE')
      .copy(checkpointInfoKey(parentRunId), checkpointInfoKey(runId), 'REPLACE')
      .expire(checkpointKey(runId), RUN_STATE_TTL_SEC)
      .expire(checkpointInfoKey(runId), RUN_STATE_TTL_SEC)
      .exec();
    const [info, applied, copied] = (replies ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    }) as [string | null, string[], number];
    const from = info ? CheckpointInfo.safeParse(JSON.parse(info)) : undefined;
    try {
      if (!from?.success || copied !== 1) throw new ForkUnavailable('there is no checkpoint to fork from yet: wait a moment, or take one');
      const job = forkedJob(parent.data, applied.map((raw) => LoggedControl.parse(JSON.parse(raw))), from.data, runId);
      await this.events.waitUntilReady();
      this.reader.watch(job.runId, listener);
      await this.enqueue(job);
      return job;
    } catch (err) {
      await this.redis.del(checkpointKey(runId), checkpointInfoKey(runId));
      throw err;
    }
  }

  /**
   * Puts a run on the queue under its run id (BullMQ adds nothing when a job with that id is there already).
   * Its record (and result) is kept as long as its telemetry stream, so a server that comes back within
   * `RUN_STATE_TTL_SEC` finds how it ended either way.
   */
  private async enqueue(job: TrainJob | GanJob): Promise<void> {
    const kept = { removeOnComplete: { age: RUN_STATE_TTL_SEC }, removeOnFail: { age: RUN_STATE_TTL_SEC } };
    if ('generator' in job) {
      await this.queue.add('gan', job, { jobId: job.runId, attempts: 1, ...kept });
      return;
    }
    const priority = QUEUE_PRIORITY[job.priority ?? 'live'];
    await this.queue.add('train', job, {
      jobId: job.runId,
      ...(priority !== undefined ? { priority } : {}),
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      ...kept,
    });
  }

  /** A GAN run goes on the same queue as a job named `gan`; its frames come back on its telemetry stream. */
  async submitGan(job: GanJob, listener: GanListener): Promise<void> {
    const parsed = GanJob.safeParse(job);
    if (!parsed.success) {
      listener.onFailed(`invalid GAN run: ${describeZodError(parsed.error).message}`);
      return;
    }
    await this.events.waitUntilReady();
    this.reader.watch(job.runId, ganRunListener(listener));
    await this.enqueue(parsed.data);
  }

  /**
   * Follows a run this server did not submit, or submitted before it
   * restarted: the run kept training in the workers, and its telemetry stream
   * is read again from its start (everything up to `afterSamples` skipped),
   * then live, up to its result or failure. A run that ended while nobody
   * listened is answered from its stream, or, once that has expired, from the
   * queue's record of the job; a run the queue never got (the server died
   * before it queued it) or has forgotten is queued again, and its worker
   * resumes it from the checkpoint Redis still holds, or starts it again.
   */
  async attach(job: TrainJob | GanJob, listener: RunListener, options: AttachOptions = {}): Promise<void> {
    const gan = 'generator' in job;
    const { runId } = job;
    await this.events.waitUntilReady();
    this.reader.watch(runId, listener, options.afterSamples !== undefined ? { afterSamples: options.afterSamples } : {});
    const queued = await this.queue.getJob(runId);
    const state = queued ? await queued.getState() : 'unknown';
    if (state === 'failed') {
      this.reader.unwatch(runId)?.onFailed(queued!.failedReason);
      return;
    }
    const ended = await this.streamHasEnded(runId);
    if (ended) return; // the reader delivers the stream's last word
    if (state === 'completed') {
      const result = (gan ? GanResult : RunResult).safeParse(queued!.returnvalue);
      const l = this.reader.unwatch(runId);
      if (!result.success) l?.onFailed('the run ended, but its result could not be read back');
      else if (gan) l?.gan?.onDone(result.data as GanResult);
      else l?.onDone(result.data as RunResult);
      return;
    }
    if (state !== 'unknown') return; // queued or training: the reader follows it
    const parsed = gan ? GanJob.safeParse(job) : TrainJob.safeParse(job);
    if (!parsed.success) {
      this.reader.unwatch(runId)?.onFailed(`invalid run: ${describeZodError(parsed.error).message}`);
      return;
    }
    log.warn({ runId }, 'attached to a run the queue does not hold: queued again');
    await this.enqueue(parsed.data);
  }

  /** Whether the run's telemetry stream ends with its result or failure (its last entry's type, field `t`). */
  private async streamHasEnded(runId: string): Promise<boolean> {
    const last = (await this.redis.xrevrange(telemetryKey(runId), '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
    const fields = last[0]?.[1] ?? [];
    const type = fields[fields.indexOf('t') + 1];
    return fields.includes('t') && (type === 'done' || type === 'ganDone' || type === 'failed');
  }

  /**
   * The run is stored: its job and streams go. A run still training is left alone; one whose result is on
   * its stream while its worker still holds the job (it is finishing) is waited for, briefly.
   */
  async forget(runId: string): Promise<void> {
    const queued = await this.queue.getJob(runId);
    let state = queued ? await queued.getState() : 'unknown';
    if (state === 'active' && (await this.streamHasEnded(runId))) {
      await queued!.waitUntilFinished(this.events, FINISHING_MS).catch(() => {});
      state = await queued!.getState();
    }
    if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') return;
    if (queued) await queued.remove();
    await this.redis.del(telemetryKey(runId), controlsKey(runId));
  }

  async control(runId: string, control: Control): Promise<void> {
    await this.tell({ type: 'control', runId, control });
  }

  /** Goes out on the run's controls stream; the worker answers on its telemetry stream. */
  async requestLandscape(runId: string, request: LandscapeRequest): Promise<void> {
    await this.tell({ type: 'landscape', runId, request });
  }

  /** What the run's worker saved last for crash recovery (every checkpoint it makes). */
  async latestCheckpoint(runId: string): Promise<Uint8Array | undefined> {
    const bytes = await this.redis.getBuffer(checkpointKey(runId));
    return bytes ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
  }

  async cancel(runId: string): Promise<void> {
    this.reader.unwatch(runId);
    const job = await this.queue.getJob(runId);
    if (!job) return;
    const state = await job.getState();
    if (state === 'active') await this.tell({ type: 'cancel', runId });
    else if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await job.remove();
  }

  async backend(): Promise<string> {
    const keys = await this.redis.keys(WORKER_HEARTBEAT_PATTERN);
    if (keys.length === 0) return 'none (no worker running)';
    const values = await this.redis.mget(...keys);
    const beats = values.flatMap((v) => {
      const beat = v ? WorkerHeartbeat.safeParse(JSON.parse(v)) : undefined;
      return beat?.success ? [beat.data] : [];
    });
    const backends = [...new Set(beats.map((b) => b.backend))].sort().join(',');
    const problems = [...new Set(beats.flatMap((b) => (b.problem ? [b.problem] : [])))];
    return problems.length ? `${BACKEND_DEGRADED}${backends} (${problems.join('; ')})` : backends;
  }

  async close(): Promise<void> {
    await this.reader.close();
    await this.events.close();
    await this.queue.close();
  }
}
