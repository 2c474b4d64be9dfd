import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  PGliteAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { moduleLogger } from '../logger.ts';

const THREAD_FILE = new URL('./pglite.thread.ts', import.meta.url);

/** An error as it crosses from the database thread: Postgres's fields (`code`, `constraint`, `detail`…) travel beside the message. */
export interface ThreadError {
  name: string;
  message: string;
  fields: Record<string, string | number | boolean>;
}

/** The main thread to the database thread: a statement to run, or close the database. */
export type ToDatabaseThread = { type: 'query'; id: number; sql: string; parameters: readonly unknown[]; commit?: boolean } | { type: 'close'; id: number };

/** The database thread to the main thread. */
export type FromDatabaseThread =
  | { type: 'ready' }
  | { type: 'failed'; error: ThreadError }
  | { type: 'result'; id: number; rows: Array<Record<string, unknown>>; affectedRows?: number }
  | { type: 'error'; id: number; error: ThreadError }
  | { type: 'closed'; id: number };

/** The SQLSTATE of a connection lost (class 08): what callers already read as "the database is unreachable, try again later". */
const CONNECTION_FAILURE = '08006';

/** An error from the database thread, as PGlite threw it there: message, name and Postgres's fields. */
function rebuild(error: ThreadError): Error {
  const err = Object.assign(new Error(error.message), error.fields);
  err.name = error.name;
  return err;
}

function lost(why: string): Error {
  return Object.assign(new Error(`the embedded database thread stopped: ${why}`), { code: CONNECTION_FAILURE });
}

/**
 * One worker thread holding one PGlite on `dataDir`. Statements go over as SQL and parameters and come back as
 * rows (structured clone: dates, big integers and byte arrays arrive as they left). The thread keeps the process
 * alive only while a statement is out, as PGlite on the main thread did.
 */
class DatabaseThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (msg: FromDatabaseThread) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  /** Whether the database opened (a thread that could not open it fails `ready` with the reason instead). */
  private opened = false;
  /** Set once `close` was asked for: the thread's exit is then expected. */
  private closing = false;
  /** Why the thread is gone, once it is. */
  stopped?: Error;
  readonly ready: Promise<void>;

  constructor(dataDir: string) {
    this.worker = new Worker(THREAD_FILE, { workerData: { dataDir } });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (msg: FromDatabaseThread) => {
        if (msg.type === 'ready') {
          this.opened = true;
          if (this.pending.size === 0) this.worker.unref();
          return resolve();
        }
        if (msg.type === 'failed') return reject(rebuild(msg.error));
        const waiting = this.pending.get(msg.id);
        if (!waiting) return;
        this.pending.delete(msg.id);
        if (this.pending.size === 0) this.worker.unref();
        if (msg.type === 'error') waiting.reject(rebuild(msg.error));
        else waiting.resolve(msg);
      });
      this.worker.on('error', (err) => this.fail(lost(err.message), reject));
      this.worker.on('exit', (code) => this.fail(lost(`exit code ${code}`), reject));
    });
    this.ready.catch(() => {});
  }

  private fail(err: Error, rejectReady: (err: Error) => void): void {
    if (this.opened && !this.stopped && !this.closing) moduleLogger('db').error({ err, inFlight: this.pending.size }, 'the embedded database thread stopped; the next statement opens the database again');
    this.stopped ??= err;
    rejectReady(err);
    for (const waiting of this.pending.values()) waiting.reject(err);
    this.pending.clear();
  }

  /** Sends `msg` (given its id here) and waits for its answer. */
  request(msg: { type: 'query'; sql: string; parameters: readonly unknown[]; commit?: boolean } | { type: 'close' }): Promise<FromDatabaseThread> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id } satisfies ToDatabaseThread);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (!this.stopped) await this.request({ type: 'close' });
    await this.worker.terminate();
  }

  /** Ends the thread at once, as a crash inside it would. */
  async kill(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The one connection to the thread's database. Kysely hands it to one query or transaction at a time (PGliteAdapter: a single connection). */
class ThreadConnection implements DatabaseConnection {
  /** The thread a transaction began on: its statements must not go to a fresh thread if that one died. */
  private transactionThread?: DatabaseThread;

  private readonly driver: PGliteThreadDriver;

  constructor(driver: PGliteThreadDriver) {
    this.driver = driver;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const thread = this.transactionThread ?? (await this.driver.thread());
    const answer = await thread.request({ type: 'query', sql: query.sql, parameters: query.parameters });
    if (answer.type !== 'result') throw new Error(`the embedded database thread answered ${answer.type} to a query`);
    return { rows: answer.rows as R[], numAffectedRows: answer.affectedRows != null ? BigInt(answer.affectedRows) : undefined };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the embedded database');
  }

  async begin(settings: TransactionSettings): Promise<void> {
    this.transactionThread = await this.driver.thread();
    let sql = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      sql = 'start transaction';
      if (settings.isolationLevel) sql += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) sql += ` ${settings.accessMode}`;
    }
    try {
      await this.executeQuery(CompiledQuery.raw(sql));
    } catch (err) {
      this.transactionThread = undefined;
      throw err;
    }
  }

  async commit(): Promise<void> {
    const thread = this.transactionThread ?? (await this.driver.thread());
    this.transactionThread = undefined;
    // The thread answers 25P02 when an earlier statement had left the transaction aborted (Postgres then rolls back).
    const answer = await thread.request({ type: 'query', sql: 'commit', parameters: [], commit: true });
    if (answer.type !== 'result') throw new Error(`the embedded database thread answered ${answer.type} to commit`);
  }

  async rollback(): Promise<void> {
    const thread = this.transactionThread;
    this.transactionThread = undefined;
    // A thread that died took the transaction with it: nothing is left to roll back.
    if (thread && !thread.stopped) await this.executeOn(thread, 'rollback');
  }

  private async executeOn(thread: DatabaseThread, sql: string): Promise<void> {
    const answer = await thread.request({ type: 'query', sql, parameters: [] });
    if (answer.type !== 'result') throw new Error(`the embedded database thread answered ${answer.type} to ${sql}`);
  }
}

/**
 * Runs PGlite in a worker thread of its own; a thread that died (a crash inside the WebAssembly) fails what was
 * in flight with SQLSTATE 08006, as a dropped Postgres connection does (so stored results wait in the outbox and
 * are tried again), and the next statement opens the database again on a fresh thread.
 */
class PGliteThreadDriver implements Driver {
  private current?: DatabaseThread;
  private readonly connection = new ThreadConnection(this);
  private readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  /** The live thread, started (again) if there is none. */
  async thread(): Promise<DatabaseThread> {
    if (!this.current || this.current.stopped) this.current = new DatabaseThread(this.dataDir);
    const thread = this.current;
    await thread.ready;
    return thread;
  }

  async init(): Promise<void> {
    await this.thread();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as ThreadConnection).begin(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as ThreadConnection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as ThreadConnection).rollback();
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(savepointCommand('savepoint', name));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(savepointCommand('rollback to', name));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(savepointCommand('release', name));
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    const thread = this.current;
    this.current = undefined;
    await thread?.close();
  }

  async killThread(): Promise<void> {
    await this.current?.kill();
  }
}

function savepointCommand(command: string, name: string): CompiledQuery {
  return CompiledQuery.raw(`${command} "${name.replaceAll('"', '""')}"`);
}

/**
 * Kysely over an embedded PGlite database in `dataDir` that runs in a worker thread of its own, so that
 * Postgres's work (all of it synchronous WebAssembly) never holds up the main thread's event loop. The SQL,
 * the adapter and the introspection are Kysely's own for PGlite and Postgres: the same queries as with
 * `DATABASE_URL`. (`@electric-sql/pglite/worker` is built for browser workers: it needs `navigator.locks`,
 * which Node does not have; electric-sql/pglite#398.)
 */
export class PGliteThreadDialect implements Dialect {
  private readonly dataDir: string;

  constructor(options: { dataDir: string }) {
    this.dataDir = options.dataDir;
  }

  createAdapter() {
    return new PGliteAdapter();
  }

  private driver?: PGliteThreadDriver;

  createDriver(): Driver {
    this.driver = new PGliteThreadDriver(this.dataDir);
    return this.driver;
  }

  /** Ends the database thread as a crash inside it would (for tests of what follows: the next statement opens a fresh one). */
  async killThread(): Promise<void> {
    await this.driver?.killThread();
  }

  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
