import type { Redis } from 'ioredis';
import { Control, LoggedControl } from '../shared/control.schema.ts';
import { encodeFrame } from '../shared/frame-codec.ts';
import { LandscapeRequest, type LandscapeFrame } from '../shared/landscape.schema.ts';
import { moduleLogger } from './logger.ts';
import { appliedKey, checkpointKey, controlsKey, RUN_STATE_TTL_SEC, TELEMETRY_MAXLEN, telemetryKey } from '../shared/redis-keys.ts';
import type { ProbeFrame, RunEvent, RunResult, TelemetryFrame } from '../shared/run.schema.ts';

/** An applied control as the run's durable log keeps it; live ones remember their entry in the controls stream. */
export interface AppliedControl extends LoggedControl {
  source: 'scheduled' | 'live';
  streamId?: string;
}

/** What a worker finds in Redis when it picks a run up: its last checkpoint and the controls it had applied. */
export interface SavedRun {
  checkpoint?: Uint8Array;
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
    const [checkpoint, applied] = await Promise.all([this.redis.getBuffer(checkpointKey(this.runId)), this.redis.lrange(appliedKey(this.runId), 0, -1)]);
    return {
      ...(checkpoint ? { checkpoint: new Uint8Array(checkpoint) } : {}),
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

  saveCheckpoint(bytes: Uint8Array): void {
    this.queue(() => this.redis.set(checkpointKey(this.runId), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', RUN_STATE_TTL_SEC));
  }

  appendApplied(entry: AppliedControl): void {
    this.queue(() => this.redis.multi().rpush(appliedKey(this.runId), JSON.stringify(entry)).expire(appliedKey(this.runId), RUN_STATE_TTL_SEC).exec());
  }

  private publish(kind: string, value: string | Buffer): void {
    this.queue(() => this.redis.xadd(telemetryKey(this.runId), 'MAXLEN', '~', String(TELEMETRY_MAXLEN), '*', 'k', kind, 'v', value));
  }

  frame(f: TelemetryFrame): void {
    const bytes = encodeFrame(f);
    this.publish('f', Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  event(e: RunEvent): void {
    this.publish('e', JSON.stringify(e));
  }

  probe(p: ProbeFrame): void {
    this.publish('p', JSON.stringify(p));
  }

  /** The run was picked up again after its worker died or handed it back: the server tells its players. */
  recovered(info: { fromStep: number; reason: string }): void {
    this.publish('r', JSON.stringify(info));
  }

  landscape(l: LandscapeFrame): void {
    this.publish('l', JSON.stringify(l));
  }

  done(r: RunResult): void {
    this.publish('d', JSON.stringify(r));
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
    const reply = (await conn.xread('BLOCK', blockMs, 'STREAMS', controlsKey(runId), lastId)) as Array<[string, Array<[string, string[]]>]> | null;
    let last = lastId;
    let cancelled = false;
    const controls: IncomingControl[] = [];
    const landscapes: LandscapeRequest[] = [];
    for (const [id, fields] of reply?.[0]?.[1] ?? []) {
      last = id;
      const kind = fields[1];
      if (kind === 'cancel') cancelled = true;
      else if (kind === 'control') {
        const parsed = Control.safeParse(JSON.parse(fields[3] ?? 'null'));
        if (parsed.success) controls.push({ control: parsed.data, streamId: id });
      } else if (kind === 'landscape') {
        const parsed = LandscapeRequest.safeParse(JSON.parse(fields[3] ?? 'null'));
        if (parsed.success) landscapes.push(parsed.data);
      }
    }
    return { controls, lastId: last, cancelled, landscapes };
  }

  /** Forgets the run's resume state once it has finished for good (its telemetry stays a while for late servers). */
  async clear(): Promise<void> {
    await this.flush();
    await this.redis.del(checkpointKey(this.runId), appliedKey(this.runId));
    await this.redis.expire(controlsKey(this.runId), 3600);
  }
}
