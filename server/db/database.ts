import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { moduleLogger } from '../logger.ts';
import { PGliteThreadDialect } from './pglite-thread.dialect.ts';
import type { Database } from './tables.ts';

/** An open database and which kind it is. */
export interface ArenaDatabase {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/**
 * Opens Postgres through `pg` when `databaseUrl` is set, otherwise an embedded
 * PGlite database in `dataDir` (created if missing), run in a worker thread of its
 * own (server/db/pglite-thread.dialect.ts) so that its work never stalls the rooms.
 */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<ArenaDatabase> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection dropped by the server (a restart, a terminated backend) must not crash the process;
    // the pool replaces it on the next query.
    pool.on('error', (err) => moduleLogger('db').error({ err }, 'postgres: idle connection lost'));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const db = new Kysely<Database>({ dialect: new PGliteThreadDialect({ dataDir: options.dataDir }) });
  // Open it now, so that a data folder PGlite cannot open fails here rather than at the first query.
  await db.connection().execute(async () => {});
  return { db, kind: 'pglite', close: () => db.destroy() };
}
