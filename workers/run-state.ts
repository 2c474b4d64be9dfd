import type { Redis } from 'ioredis';
import { LoggedControl, type Control } from '../shared/control.schema.ts';
import type { LandscapeFrame, LandscapeRequest } from '../shared/landscape.schema.ts';
import { moduleLogger } from './logger.ts';
import { appliedKey, checkpointInfoKey, checkpointKey, controlsKey, RUN_STATE_TTL_SEC, TELEMETRY_MAXLEN, telemetryKey } from '../contract/redis-keys.ts';
import type { ProbeFrame, RunEvent, RunResult, TelemetryFrame } from '../shared/run.schema.ts';
import { CheckpointInfo, ToTrainer, type FromTrainer, type RecoveryInfo } from '../contract/trainer.messages.ts';
import { readStreamEntry, streamFields } from '../contract/trainer.wire.ts';

/** An applied control as the run's durable log keeps it; live ones remember their entry in the controls stream. */
export interface AppliedControl extends LoggedControl {
  source: 'scheduled' | 'live';
  streamId?: string;
}

/** What a worker finds in Redis when it picks a run up: its last checkpoint and the controls it had applied. */
export interface SavedRun {
  checkpoint?: Uint8Array;
  /** What that checkpoint is of (absent for a checkpoint written without it). */
  checkpointInfo?: CheckpointInfo;
  applied: AppliedControl[];
}

/** A control read from the run's stream, with its stream id. */
export interface IncomingControl {
  control: Control;
  streamId: string;
}

/**
 * A run's durable state and its two streams in Redis: checkpoints, the log of
 * applied controls, telemetry out and controls in. Writes go out at once on
 * one connection, so they land in the order they were made.
 */
export class RunState {
  private readonly redis: Redis;
  private readonly runId: string;
  /** Writes sent and not yet answered. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(redis: Redis, runId: string) {
    this.redis = redis;
    this.runId = runId;
  }

  async load(): Promise<SavedRun> {
    const [checkpoint, info, applied] = await Promise.all([
      this.redis.getBuffer(checkpointKey(this.runId)),
      this.redis.get(checkpointInfoKey(this.runId)),
      this.redis.lrange(appliedKey(this.runId), 0, -1),
    ]);
    const checkpointInfo = info ? CheckpointInfo.safeParse(JSON.parse(info)) : undefined;
    return {
      ...(checkpoint ? { checkpoint: new Uint8Array(checkpoint) } : {}),
      ...(checkpointInfo?.success ? { checkpointInfo: checkpointInfo.data } : {}),
      applied: applied.map((raw) => {
        const v = JSON.parse(raw) as AppliedControl;
        return { ...LoggedControl.parse(v), source: v.source === 'live' ? 'live' : 'scheduled', ...(v.streamId ? { streamId: v.streamId } : {}) };
      }),
    };
  }

  /**
   * Sends a write now. One ioredis connection sends commands in the order they
   * are made (and keeps that order in its offline queue while Redis is away),
   * so writes need not wait for each other's replies. Chaining them on replies
   * held every write back until the training thread next yielded after the
   * previous reply: a frame reached the server a whole step late, and a burst
   * of writes queued up for as many steps.
   */
  private queue(write: () => Promise<unknown>): void {
    const sent: Promise<void> = write()
      .then(
        () => {},
        (err: unknown) => moduleLogger('run-state').error({ runId: this.runId, err }, 'could not write to Redis'),
      )
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  /** The bytes and what they are of, together (one transaction: a server that reads both never gets one without the other). */
  saveCheckpoint(bytes: Uint8Array, info: CheckpointInfo): void {
    this.queue(() =>
      this.redis
        .multi()
        .set(checkpointKey(this.runId), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', RUN_STATE_TTL_SEC)
        .set(checkpointInfoKey(this.runId), JSON.stringify(info), 'EX', RUN_STATE_TTL_SEC)
        .exec(),
    );
  }

  appendApplied(entry: AppliedControl): void {
    this.queue(() => this.redis.multi().rpush(appliedKey(this.runId), JSON.stringify(entry)).expire(appliedKey(this.runId), RUN_STATE_TTL_SEC).exec());
  }

  /** Appends a trainer wire message to the run's telemetry stream. */
  publish(msg: FromTrainer): void {
    this.queue(() => this.redis.xadd(telemetryKey(this.runId), 'MAXLEN', '~', String(TELEMETRY_MAXLEN), '*', ...streamFields(msg)));
  }

  frame(frame: TelemetryFrame): void {
    this.publish({ type: 'frame', frame });
  }

  event(event: RunEvent): void {
    this.publish({ type: 'event', event });
  }

  probe(probe: ProbeFrame): void {
    this.publish({ type: 'probe', probe });
  }

  /** The run was picked up again after its worker died (BullMQ had found it stalled `stalls` times) or handed it back: the server tells its players. */
  recovered(info: RecoveryInfo, stalls: number): void {
    this.publish({ type: 'recovered', runId: this.runId, info, stalls });
  }

  landscape(landscape: LandscapeFrame): void {
    this.publish({ type: 'landscape', landscape });
  }

  done(result: RunResult): void {
    this.publish({ type: 'done', result });
    this.queue(() => this.redis.expire(telemetryKey(this.runId), RUN_STATE_TTL_SEC));
  }

  /** The run failed for good (its job's last attempt): the server hears why from the stream. */
  failed(message: string): void {
    this.publish({ type: 'failed', runId: this.runId, message });
    this.queue(() => this.redis.expire(telemetryKey(this.runId), RUN_STATE_TTL_SEC));
  }

  /** Waits until every queued write has landed. */
  flush(): Promise<unknown> {
    return Promise.all([...this.inFlight]);
  }

  /**
   * Reads the controls stream after `lastId`, waiting up to `blockMs` for
   * something new (on a connection of its own: it blocks). Cancel requests
   * come back as `cancelled`, loss landscape requests as `landscapes`.
   */
  static async readControls(conn: Redis, runId: string, lastId: string, blockMs: number): Promise<{ controls: IncomingControl[]; lastId: string; cancelled: boolean; landscapes: LandscapeRequest[] }> {
    const reply = (await conn.xreadBuffer('BLOCK', blockMs, 'STREAMS', controlsKey(runId), lastId)) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
    let last = lastId;
    let cancelled = false;
    const controls: IncomingControl[] = [];
    const landscapes: LandscapeRequest[] = [];
    for (const [rawId, fields] of reply?.[0]?.[1] ?? []) {
      const id = rawId.toString('utf8');
      last = id;
      const read = readStreamEntry(ToTrainer, runId, fields);
      if (!read.ok) {
        moduleLogger('run-state').warn({ runId, type: read.type, problem: read.error }, 'unreadable entry on a controls stream; skipped');
        continue;
      }
      const msg = read.msg;
      if (msg.type === 'cancel') cancelled = true;
      else if (msg.type === 'control') controls.push({ control: msg.control, streamId: id });
      else if (msg.type === 'landscape') landscapes.push(msg.request);
    }
    return { controls, lastId: last, cancelled, landscapes };
  }

  /** Forgets the run's resume state once it has finished for good (its telemetry stays a while for late servers). */
  async clear(): Promise<void> {
    await this.flush();
    await this.redis.del(checkpointKey(this.runId), checkpointInfoKey(this.runId), appliedKey(this.runId));
    await this.redis.expire(controlsKey(this.runId), 3600);
  }
}
