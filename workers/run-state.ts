import type { Redis } from 'ioredis';
import { Control, LoggedControl } from '../shared/control.schema.ts';
import { appliedKey, cancelKey, checkpointKey, controlsKey, RUN_STATE_TTL_SEC } from '../shared/redis-keys.ts';

/** An applied control as the run's durable log keeps it. */
export interface AppliedControl extends LoggedControl {
  source: 'scheduled' | 'live';
}

/** What a worker finds in Redis when it picks a run up: its last checkpoint and the controls it had applied. */
export interface SavedRun {
  checkpoint?: Uint8Array;
  applied: AppliedControl[];
}

/**
 * A run's durable state in Redis: checkpoints, the log of applied controls,
 * the controls sent to it and a cancel flag. Writes are queued on one
 * connection, so they land in the order they were made.
 */
export class RunState {
  private readonly redis: Redis;
  private readonly runId: string;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(redis: Redis, runId: string) {
    this.redis = redis;
    this.runId = runId;
  }

  async load(): Promise<SavedRun> {
    const [checkpoint, applied] = await Promise.all([this.redis.getBuffer(checkpointKey(this.runId)), this.redis.lrange(appliedKey(this.runId), 0, -1)]);
    return {
      ...(checkpoint ? { checkpoint: new Uint8Array(checkpoint) } : {}),
      applied: applied.map((raw) => {
        const v = JSON.parse(raw) as AppliedControl;
        return { ...LoggedControl.parse(v), source: v.source === 'live' ? 'live' : 'scheduled' };
      }),
    };
  }

  private queue(write: () => Promise<unknown>): void {
    this.pending = this.pending.then(write, write).catch((err: unknown) => console.error(`run ${this.runId}: could not save state: ${(err as Error).message}`));
  }

  saveCheckpoint(bytes: Uint8Array): void {
    this.queue(() => this.redis.set(checkpointKey(this.runId), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', RUN_STATE_TTL_SEC));
  }

  appendApplied(entry: AppliedControl): void {
    this.queue(() => this.redis.multi().rpush(appliedKey(this.runId), JSON.stringify(entry)).expire(appliedKey(this.runId), RUN_STATE_TTL_SEC).exec());
  }

  /** Waits until every queued write has landed. */
  flush(): Promise<unknown> {
    return this.pending;
  }

  /** Controls sent to the run from index `from` on, and whether it was cancelled. */
  async poll(from: number): Promise<{ controls: Control[]; read: number; cancelled: boolean }> {
    const replies = await this.redis.multi().lrange(controlsKey(this.runId), from, -1).exists(cancelKey(this.runId)).exec();
    const raw = (replies?.[0]?.[1] as string[] | undefined) ?? [];
    const controls = raw.flatMap((r) => {
      const parsed = Control.safeParse(JSON.parse(r));
      return parsed.success ? [parsed.data] : [];
    });
    return { controls, read: raw.length, cancelled: Number(replies?.[1]?.[1]) > 0 };
  }

  /** Forgets the run's state once it has finished for good. */
  async clear(): Promise<void> {
    await this.flush();
    await this.redis.del(checkpointKey(this.runId), appliedKey(this.runId), controlsKey(this.runId), cancelKey(this.runId));
  }
}
