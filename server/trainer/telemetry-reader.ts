import type { Redis } from 'ioredis';
import { decodeFrame } from '../../shared/frame-codec.ts';
import { moduleLogger } from '../logger.ts';
import { GanFrame, GanResult } from '../../shared/gan.schema.ts';
import { telemetryKey } from '../../shared/redis-keys.ts';
import { logRedisOutages } from '../../shared/redis-outage.ts';
import { LandscapeFrame } from '../../shared/landscape.schema.ts';
import { ProbeFrame, RunEvent, RunResult } from '../../shared/run.schema.ts';
import { RecoveryInfo } from '../../shared/trainer.messages.ts';
import { HeardFilter } from './heard-filter.ts';
import type { RunListener } from './trainer.port.ts';

/** Options of the telemetry reader. */
export interface TelemetryReaderOptions {
  /**
   * Another connection to the same Redis (the trainer's command connection).
   * With it, a run watched while the reader waits in a blocking read is read
   * at once (`CLIENT UNBLOCK`); without it, from the next round.
   */
  unblocker?: Redis;
  /** How long one blocking read waits (ms; default 200). */
  blockMs?: number;
}

interface Watched {
  listener: RunListener;
  lastId: string;
  /** Drops what the listener has heard: repeats after a worker resumed the run, and what came before `afterSamples`. */
  heard: HeardFilter;
}

/** Where a watched run is read from. */
export interface WatchOptions {
  /** Stream id to read after (default `0`: the start of the stream). */
  fromId?: string;
  /** Frames, probes and events at or before these samples (GAN: iterations) are not passed on (default: all are). */
  afterSamples?: number;
}

/**
 * Reads the telemetry streams of every run this server follows, on one
 * blocking connection, and hands each entry to the run's listener. A run is
 * read from the start of its stream, so a server that starts late (or
 * restarts) catches up on everything the stream still holds. A run that a
 * worker resumed from a checkpoint repeats its telemetry from there: the
 * repeats are not passed on, as with the embedded trainer.
 */
export class TelemetryReader {
  private readonly conn: Redis;
  private readonly runs = new Map<string, Watched>();
  private running = true;
  private wake?: () => void;
  private readonly loop: Promise<void>;
  private readonly unblocker?: Redis;
  private readonly blockMs: number;
  /** The blocking connection's client id (for CLIENT UNBLOCK); read again after each reconnect. */
  private clientId?: number;
  private blocked = false;
  /** Counts blocking reads, so a nudge knows whether the read it meant has ended. */
  private round = 0;

  constructor(conn: Redis, options: TelemetryReaderOptions = {}) {
    this.conn = logRedisOutages(conn, 'telemetry reader', (line) => moduleLogger('telemetry').warn(line));
    this.unblocker = options.unblocker;
    this.blockMs = options.blockMs ?? 200;
    this.conn.on('ready', () => (this.clientId = undefined));
    this.loop = this.run();
  }

  /** Follows a run from the start of its stream (or from `options.fromId`). */
  watch(runId: string, listener: RunListener, options: WatchOptions = {}): void {
    this.runs.set(runId, { listener, lastId: options.fromId ?? '0', heard: new HeardFilter(options.afterSamples) });
    this.wake?.();
    if (this.blocked) void this.nudge().catch(() => {});
  }

  /**
   * A read already waiting does not name the run just watched: end it, so the
   * next one does. The unblock travels on another connection and may reach
   * Redis before the read itself does; then it unblocks nothing, and is tried
   * again while that same read is still out.
   */
  private async nudge(): Promise<void> {
    const round = this.round;
    for (let i = 0; i < 20 && this.unblocker && this.blocked && this.round === round && this.clientId !== undefined; i++) {
      if ((await this.unblocker.client('UNBLOCK', this.clientId)) === 1) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  unwatch(runId: string): RunListener | undefined {
    const w = this.runs.get(runId);
    this.runs.delete(runId);
    return w?.listener;
  }

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  private dispatch(runId: string, kind: string, value: Buffer): void {
    const w = this.runs.get(runId);
    if (!w) return;
    try {
      switch (kind) {
        case 'f': {
          const frame = decodeFrame(runId, new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
          if (w.heard.fresh('frame', frame.samples)) w.listener.onFrame(frame);
          return;
        }
        case 'e': {
          const event = RunEvent.parse(JSON.parse(value.toString('utf8')));
          if (w.heard.freshEvent(event.samples)) w.listener.onEvent?.(event);
          return;
        }
        case 'p': {
          const probe = ProbeFrame.parse(JSON.parse(value.toString('utf8')));
          if (w.heard.fresh('probe', probe.samples)) w.listener.onProbe?.(probe);
          return;
        }
        case 'r': {
          const info = RecoveryInfo.parse(JSON.parse(value.toString('utf8')));
          if (w.heard.wentBack()) w.listener.onRecovered?.(info);
          return;
        }
        case 'l':
          w.listener.onLandscape?.(LandscapeFrame.parse(JSON.parse(value.toString('utf8'))));
          return;
        case 'd':
          this.runs.delete(runId);
          w.listener.onDone(RunResult.parse(JSON.parse(value.toString('utf8'))));
          return;
        case 'g': {
          const frame = GanFrame.parse(JSON.parse(value.toString('utf8')));
          if (w.heard.fresh('frame', frame.iteration)) w.listener.gan?.onFrame(frame);
          return;
        }
        case 'G':
          this.runs.delete(runId);
          w.listener.gan?.onDone(GanResult.parse(JSON.parse(value.toString('utf8'))));
          return;
        case 'x':
          this.runs.delete(runId);
          w.listener.onFailed(value.toString('utf8'));
          return;
      }
    } catch (err) {
      moduleLogger('telemetry').error({ runId, kind, err }, 'unreadable telemetry entry');
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.runs.size === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        if (this.unblocker && this.clientId === undefined) this.clientId = Number(await this.conn.client('ID'));
        // From here to the read being out, nothing awaits: a run watched after this line gets a nudge.
        const ids = [...this.runs.keys()];
        if (ids.length === 0) continue; // all unwatched meanwhile
        this.round++;
        this.blocked = true;
        const reply = (await this.conn
          .xreadBuffer('BLOCK', this.blockMs, 'STREAMS', ...ids.map(telemetryKey), ...ids.map((id) => this.runs.get(id)!.lastId))
          .finally(() => (this.blocked = false))) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
        for (const [key, entries] of reply ?? []) {
          const runId = key.toString('utf8').split(':')[2]!;
          for (const [id, fields] of entries) {
            const w = this.runs.get(runId);
            if (w) w.lastId = id.toString('utf8');
            this.dispatch(runId, fields[1]!.toString('utf8'), fields[3]!);
          }
        }
      } catch (err) {
        if (!this.running) return;
        moduleLogger('telemetry').warn({ err }, 'telemetry reader failed; retrying');
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async close(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.conn.disconnect();
    await this.loop.catch(() => {});
  }
}
