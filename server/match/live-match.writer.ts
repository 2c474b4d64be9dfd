import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { moduleLogger } from '../logger.ts';
import type { MatchChange, MatchLifecycle } from './lifecycle.ts';
import { deleteLiveMatch, writeLiveMatch, type LiveMatchEventRow } from './live-match.repository.ts';

const log = moduleLogger('live-match');

/** Options of a `LiveMatchWriter`. */
export interface LiveMatchWriterOptions {
  /** How long frame summaries may wait to be written with what follows them (ms, default 1000). Other events are written at once. */
  frameDelayMs?: number;
  /** First wait after a failed write before the next try (ms, default 500; doubles up to 30 s). */
  retryMs?: number;
}

/**
 * Persists a match's lifecycle as it changes (live_matches, live_match_events),
 * so that a server that starts after this one died finds it and carries it on.
 * It never blocks the room: events queue here and go out in batches, one write
 * at a time; frame summaries wait up to `frameDelayMs` to share a write, every
 * other event goes out at once. A failed write (the database is away) is tried
 * again with backoff, with everything queued since. Once the match is over
 * (stored or aborted) its rows are deleted and the writer stops.
 */
export class LiveMatchWriter {
  private readonly db: Kysely<Database>;
  private readonly match: MatchLifecycle;
  private readonly frameDelayMs: number;
  private readonly retryMs: number;
  private readonly queued: LiveMatchEventRow[] = [];
  private phase: string;
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  private failures = 0;
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(db: Kysely<Database>, match: MatchLifecycle, options: LiveMatchWriterOptions = {}) {
    this.db = db;
    this.match = match;
    this.frameDelayMs = options.frameDelayMs ?? 1000;
    this.retryMs = options.retryMs ?? 500;
    this.phase = match.phase;
    // What the log already holds (a restored match: written before; a new one: its first events) goes with the first write.
    match.events.forEach((event, seq) => this.queued.push({ seq, event }));
    this.unsubscribe = match.subscribe((change) => this.changed(change));
    this.schedule(0);
  }

  private changed(change: MatchChange): void {
    this.queued.push({ seq: change.seq, event: change.event });
    this.phase = change.phase;
    this.schedule(change.event.type === 'frame' ? this.frameDelayMs : 0);
  }

  /** A write within `delayMs` (sooner if one is already due sooner). */
  private schedule(delayMs: number): void {
    if (this.stopped || this.writing) return; // the write under way schedules the next when it lands
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.write(), delayMs);
    this.timer.unref?.();
  }

  private async write(): Promise<void> {
    this.timer = undefined;
    if (this.writing || this.stopped) return;
    const batch = this.queued.slice();
    const phase = this.phase;
    const over = phase === 'stored' || phase === 'aborted';
    this.writing = (over ? deleteLiveMatch(this.db, this.match.id) : writeLiveMatch(this.db, this.header(phase), batch)).then(
      () => {
        this.queued.splice(0, batch.length);
        this.failures = 0;
        if (over) this.stop();
      },
      (err: unknown) => {
        this.failures++;
        log.error({ matchId: this.match.id, err, failures: this.failures }, 'could not persist a live match; trying again');
      },
    );
    await this.writing;
    this.writing = undefined;
    if (this.stopped) return;
    if (this.failures > 0) this.schedule(Math.min(30_000, this.retryMs * 2 ** (this.failures - 1)));
    else if (this.queued.length > 0) this.schedule(this.queued.some((q) => (q.event as { type: string }).type !== 'frame') ? 0 : this.frameDelayMs);
  }

  private header(phase: string): Parameters<typeof writeLiveMatch>[1] {
    return { id: this.match.id, roomId: this.match.roomId, kind: this.match.kind, phase, header: this.match.header() };
  }

  /** Waits until everything queued so far is written (or a write of it failed). */
  async flush(): Promise<void> {
    while (!this.stopped && (this.writing || this.timer)) {
      if (this.timer) {
        clearTimeout(this.timer);
        await this.write();
      } else await this.writing;
      if (this.failures > 0) return;
    }
  }

  /** Stops persisting (the match is over, or the room is going away with the process). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe();
  }
}
