import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type ArenaDatabase } from '../../server/db/database.ts';
import { migrateTo } from '../../server/db/migrate.ts';
import { createTestDatabase } from './services.ts';

/**
 * A fresh database of this kind, migrated up to (and including) `upTo`: PGlite in a temporary folder, or a
 * Postgres database of the test's own; `cleanup` closes it and deletes the folder or drops the database.
 */
export async function databaseAt(kind: 'pglite' | 'postgres', upTo: string): Promise<{ database: ArenaDatabase; cleanup: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-migration-'));
    const database = await openDatabase({ dataDir: dir });
    await migrateTo(database.db, upTo);
    return { database, cleanup: async () => (await database.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  const tdb = await createTestDatabase();
  const database = await openDatabase({ databaseUrl: tdb.url, dataDir: '' });
  await migrateTo(database.db, upTo);
  return { database, cleanup: async () => (await database.close(), await tdb.drop()) };
}
