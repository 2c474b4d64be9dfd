/**
 * The embedded database's own thread: one PGlite (WebAssembly Postgres) on the data folder it is given, running
 * the statements the server's main thread sends it (server/db/pglite-thread.dialect.ts), one at a time, in the
 * order they came. Postgres runs synchronously inside WebAssembly, so on the main thread every statement held
 * up the rooms' patches until it was done; here it only takes a core the main thread is not using.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { FromDatabaseThread, ToDatabaseThread, ThreadError } from './pglite-thread.dialect.ts';

if (!parentPort) throw new Error('pglite.thread.ts runs as a worker thread of server/db/pglite-thread.dialect.ts');
const port = parentPort;
const send = (msg: FromDatabaseThread) => port.postMessage(msg);

/** What of an error crosses to the main thread: its message, and the fields Postgres set on it (code, constraint, detail…). */
function describe(err: unknown): ThreadError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(err)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return { name: err.name, message: err.message, fields };
}

let pglite: PGlite;
try {
  pglite = await PGlite.create((workerData as { dataDir: string }).dataDir);
} catch (err) {
  send({ type: 'failed', error: describe(err) });
  process.exit(1);
}

/** SQLSTATE in_failed_sql_transaction: a COMMIT that Postgres turned into a rollback. */
const IN_FAILED_TRANSACTION = '25P02';
/** Whether a statement failed inside the open transaction block (Postgres then ignores the rest of it and rolls back at COMMIT). */
let aborted = false;

async function run(msg: Extract<ToDatabaseThread, { type: 'query' }>): Promise<void> {
  let ok = false;
  try {
    const { rows, affectedRows } = await pglite.query(msg.sql, msg.parameters as unknown[], { rowMode: 'object' });
    ok = true;
    if (msg.commit && aborted) send({ type: 'error', id: msg.id, error: { name: 'Error', message: 'the transaction was rolled back: a statement in it had failed', fields: { code: IN_FAILED_TRANSACTION } } });
    else send({ type: 'result', id: msg.id, rows: rows as Array<Record<string, unknown>>, affectedRows });
  } catch (err) {
    send({ type: 'error', id: msg.id, error: describe(err) });
  }
  aborted = pglite.isInTransaction() && (aborted || !ok);
}

// Statements run strictly in turn: a transaction is a run of them on PGlite's one session, and
// Kysely sends the next only after the previous answered (it holds the single connection meanwhile).
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToDatabaseThread) => {
  queue = queue.then(async () => {
    if (msg.type === 'query') return run(msg);
    try {
      await pglite.close();
      send({ type: 'closed', id: msg.id });
    } catch (err) {
      send({ type: 'error', id: msg.id, error: describe(err) });
    }
    port.close();
  });
});
send({ type: 'ready' });
