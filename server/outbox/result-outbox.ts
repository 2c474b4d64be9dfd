import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DATABASE_UNREACHABLE, isDatabaseUnreachable } from '../db/db-unreachable.ts';
import { moduleLogger } from '../logger.ts';
import { removeFileDurably, writeFileDurably } from './durable-file.ts';

const log = moduleLogger('outbox');

/** One kind of result the outbox can hold: how to read it back from disk, and how to store it. */
export interface OutboxKind<T, R> {
  schema: z.ZodType<T>;
  /** Stores the result; must be idempotent by the result's key (a retry after a lost reply stores nothing twice). */
  store(payload: T): Promise<R>;
}

/** What a room hears while its result waits. */
export interface StoreHooks {
  /** The result could not be stored now and waits in the outbox; `reason` is safe to show players. */
  onPending?(reason: string): void;
}

/** Options of the outbox. */
export interface ResultOutboxOptions {
  /** Folder of the waiting results (created if missing). */
  dir: string;
  /** First wait before a retry, in ms (default 500); it doubles each time. */
  firstRetryMs?: number;
  /** Longest wait between two retries, in ms (default 30000). */
  maxRetryMs?: number;
}

/** A result on disk: `payload` is the kind's own (JSON, non-finite numbers kept). */
const OutboxFile = z.object({ version: z.literal(1), kind: z.string(), key: z.string(), queuedAt: z.string(), payload: z.unknown() });

interface Waiting {
  /** Order of arrival: results are stored in it (on disk, the file name's order). */
  seq: string;
  file: string;
  kind: string;
  key: string;
  payload: unknown;
  attempts: number;
  resolve: Array<(value: unknown) => void>;
  reject: Array<(err: Error) => void>;
}

/**
 * Finished matches that could not be stored because the database was unreachable wait here, one JSON file
 * each in `dir` (fsync'd, atomically renamed), and are stored in the order they came, retried with
 * exponential backoff until the database is back; a file goes once its result is stored. A server that
 * stops meanwhile stores them after it starts again. Storing is idempotent by key, so a result whose
 * first store committed but whose reply was lost is not stored twice. A result the database refuses for
 * another reason is moved to `dir/refused/` and logged as an error, and the results behind it go on.
 */
export class ResultOutbox<Kinds extends Record<string, OutboxKind<any, any>>> {
  private readonly kinds: Kinds;
  private readonly dir: string;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly queue: Waiting[] = [];
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private closed = false;
  private seq = 0;

  constructor(kinds: Kinds, options: ResultOutboxOptions) {
    this.kinds = kinds;
    this.dir = options.dir;
    this.firstRetryMs = options.firstRetryMs ?? 500;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
  }

  /** Reads the results a previous process left waiting and starts storing them. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort();
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        const parsed = OutboxFile.parse(JSON.parse(await readFile(file, 'utf8'), revive));
        const kind = this.kinds[parsed.kind];
        if (!kind) throw new Error(`unknown kind "${parsed.kind}"`);
        this.queue.push({ seq: name, file, kind: parsed.kind, key: parsed.key, payload: kind.schema.parse(parsed.payload), attempts: 0, resolve: [], reject: [] });
      } catch (err) {
        log.error({ file, err }, 'a waiting result could not be read; moved aside to refused/');
        await this.moveAside(file);
      }
    }
    if (this.queue.length > 0) {
      log.warn({ waiting: this.queue.length }, 'results left waiting by the last run; storing them');
      this.kick(0);
    }
  }

  /** Results waiting to be stored. */
  pending(): number {
    return this.queue.length;
  }

  /** Whether a result with this key (any kind) waits to be stored. */
  waits(key: string): boolean {
    return this.queue.some((w) => w.key === key);
  }

  /**
   * Stores a result now, or, when the database is unreachable (or earlier results still wait), keeps it on
   * disk and stores it once it can; resolves with what storing it returned, however long that takes.
   * Rejects when the database refuses it for another reason (or the disk cannot keep it).
   */
  async store<K extends keyof Kinds & string>(kind: K, key: string, payload: z.infer<Kinds[K]['schema']>, hooks: StoreHooks = {}): Promise<Awaited<ReturnType<Kinds[K]['store']>>> {
    const same = this.queue.find((w) => w.kind === kind && w.key === key);
    if (same) return this.wait(same);
    // Taken before anything awaits, so results that fail together wait in the order they came.
    const seq = `${String(Date.now()).padStart(15, '0')}-${String(this.seq++ % 1e6).padStart(6, '0')}`;
    if (this.queue.length === 0) {
      try {
        return await this.kinds[kind]!.store(payload);
      } catch (err) {
        if (!isDatabaseUnreachable(err)) throw err;
        log.warn({ kind, key, reason: describe(err) }, 'the database is unreachable: the result waits in the outbox');
      }
    }
    const waiting = await this.keep(seq, kind, key, payload);
    hooks.onPending?.(DATABASE_UNREACHABLE);
    const stored = this.wait(waiting);
    this.kick(this.queue.length === 1 ? this.firstRetryMs : undefined);
    return stored;
  }

  private wait(w: Waiting): Promise<any> {
    return new Promise((resolve, reject) => {
      w.resolve.push(resolve);
      w.reject.push(reject);
    });
  }

  private async keep(seq: string, kind: string, key: string, payload: unknown): Promise<Waiting> {
    const name = `${seq}-${kind}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;
    const file = path.join(this.dir, name);
    await mkdir(this.dir, { recursive: true });
    await writeFileDurably(file, JSON.stringify({ version: 1, kind, key, queuedAt: new Date().toISOString(), payload }, keepNonFinite));
    const w: Waiting = { seq, file, kind, key, payload, attempts: 0, resolve: [], reject: [] };
    const after = this.queue.findIndex((q) => q.seq > seq);
    this.queue.splice(after < 0 ? this.queue.length : after, 0, w);
    return w;
  }

  /** Starts the drain after `delayMs`, unless one is already under way or scheduled. */
  private kick(delayMs: number | undefined): void {
    if (this.closed || this.draining || this.timer || delayMs === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draining = this.drain().finally(() => (this.draining = undefined));
    }, delayMs);
  }

  /** Stores the waiting results in order; on an unreachable database, schedules the next try and stops. */
  private async drain(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      const w = this.queue[0]!;
      w.attempts++;
      try {
        const value = await this.kinds[w.kind]!.store(w.payload);
        await removeFileDurably(w.file);
        this.forget(w);
        log.info({ kind: w.kind, key: w.key, attempts: w.attempts }, 'a waiting result is stored');
        for (const r of w.resolve) r(value);
      } catch (err) {
        if (isDatabaseUnreachable(err)) {
          const retryInMs = Math.min(this.maxRetryMs, this.firstRetryMs * 2 ** Math.min(w.attempts - 1, 20));
          log.warn({ kind: w.kind, key: w.key, attempt: w.attempts, waiting: this.queue.length, retryInMs, reason: describe(err) }, 'a waiting result could not be stored yet; retrying');
          this.draining = undefined;
          this.kick(retryInMs);
          return;
        }
        log.error({ kind: w.kind, key: w.key, err }, 'the database refused a waiting result; moved aside to refused/');
        await this.moveAside(w.file);
        this.forget(w);
        for (const r of w.reject) r(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private forget(w: Waiting): void {
    this.queue.splice(this.queue.indexOf(w), 1);
  }

  private async moveAside(file: string): Promise<void> {
    const refused = path.join(this.dir, 'refused');
    await mkdir(refused, { recursive: true });
    await rename(file, path.join(refused, path.basename(file))).catch((err) => log.error({ file, err }, 'could not move a result aside'));
  }

  /** Stops retrying; what still waits stays on disk for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.draining;
    if (this.queue.length > 0) log.warn({ waiting: this.queue.length, dir: this.dir }, 'results still wait for the database; they are stored after the next start');
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const text = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return (typeof e?.code === 'string' ? `${e.code}: ${text}` : text).slice(0, 300);
}

/** JSON keeps NaN and ±Infinity (a diverged run's loss) as `{"$number":"NaN"}`. */
function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value;
}

function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$number') return Number((value as { $number: string }).$number);
  }
  return value;
}
