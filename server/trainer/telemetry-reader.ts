import type { Redis } from 'ioredis';
import { moduleLogger } from '../logger.ts';
import { telemetryKey } from '../../contract/redis-keys.ts';
import { logRedisOutages } from '../../contract/redis-outage.ts';
import { FromTrainer, type RecoveryInfo } from '../../contract/trainer.messages.ts';
import { readStreamEntry } from '../../contract/trainer.wire.ts';
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
  /**
   * An entry of a run's stream could not be read (another wire version, a malformed message):
   * the run's listener has heard `onFailed` with the reason, and it is no longer watched; the
   * owner stops the run (default: nothing more).
   */
  onRejected?: (runId: string) => void;
}

interface Watched {
  listener: RunListener;
  lastId: string;
  /** Drops what the listener has heard: repeats after a worker resumed the run, and what came before `afterSamples`. */
  heard: HeardFilter;
  /** The run's stalls (BullMQ's count) already announced to the listener, so a stall is told once. */
  stallsTold: number;
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
  private readonly onRejected?: (runId: string) => void;
  /** The blocking connection's client id (for CLIENT UNBLOCK); read again after each reconnect. */
  private clientId?: number;
  private blocked = false;
  /** Counts blocking reads, so a nudge knows whether the read it meant has ended. */
  private round = 0;

  constructor(conn: Redis, options: TelemetryReaderOptions = {}) {
    this.conn = logRedisOutages(conn, 'telemetry reader', (line) => moduleLogger('telemetry').warn(line));
    this.unblocker = options.unblocker;
    this.blockMs = options.blockMs ?? 200;
    this.onRejected = options.onRejected;
    this.conn.on('ready', () => (this.clientId = undefined));
    this.loop = this.run();
  }

  /** Follows a run from the start of its stream (or from `options.fromId`). */
  watch(runId: string, listener: RunListener, options: WatchOptions = {}): void {
    this.runs.set(runId, { listener, lastId: options.fromId ?? '0', heard: new HeardFilter(options.afterSamples), stallsTold: 0 });
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

  /**
   * The run was taken over after its worker died: the listener hears it once per stall, whether
   * the server noticed first (BullMQ's stalled event: `stalls` is the job's count after it) or
   * the worker that resumed it says so first. A run handed back (no new stall) is always told.
   */
  recovered(runId: string, info: RecoveryInfo, stalls: number): void {
    const w = this.runs.get(runId);
    if (!w) return;
    // What follows repeats what was heard from the checkpoint on (noted again when a second notice of the same stall comes).
    const tell = w.heard.wentBack();
    if (stalls > 0 && stalls <= w.stallsTold) return;
    w.stallsTold = Math.max(w.stallsTold, stalls);
    if (tell) w.listener.onRecovered?.(info);
  }

  private dispatch(runId: string, fields: Buffer[]): void {
    const w = this.runs.get(runId);
    if (!w) return;
    const read = readStreamEntry(FromTrainer, runId, fields);
    if (!read.ok) {
      moduleLogger('telemetry').error({ runId, type: read.type, problem: read.error }, 'unreadable entry on a telemetry stream: the run is failed');
      this.runs.delete(runId);
      this.onRejected?.(runId);
      w.listener.onFailed(`the training worker sent a message about this run that this server cannot read (${read.error})`);
      return;
    }
    const msg = read.msg;
    switch (msg.type) {
      case 'frame':
        if (w.heard.fresh('frame', msg.frame.samples)) w.listener.onFrame(msg.frame);
        return;
      case 'event':
        if (w.heard.freshEvent(msg.event.samples)) w.listener.onEvent?.(msg.event);
        return;
      case 'probe':
        if (w.heard.fresh('probe', msg.probe.samples)) w.listener.onProbe?.(msg.probe);
        return;
      case 'recovered':
        return this.recovered(runId, msg.info, msg.stalls);
      case 'landscape':
        return w.listener.onLandscape?.(msg.landscape);
      case 'done':
        this.runs.delete(runId);
        return w.listener.onDone(msg.result);
      case 'ganFrame':
        if (w.heard.fresh('frame', msg.frame.iteration)) w.listener.gan?.onFrame(msg.frame);
        return;
      case 'ganDone':
        this.runs.delete(runId);
        return w.listener.gan?.onDone(msg.result);
      case 'failed':
        this.runs.delete(runId);
        return w.listener.onFailed(msg.message);
      default: // thread-only messages (ready, applied, checkpoint) have no business on a stream
        moduleLogger('telemetry').warn({ runId, type: msg.type }, 'a thread-only message on a telemetry stream; ignored');
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
            try {
              this.dispatch(runId, fields);
            } catch (err) {
              moduleLogger('telemetry').error({ runId, err }, 'a run listener threw on a telemetry entry');
            }
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
