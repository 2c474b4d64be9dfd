import { readConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/database.ts';
import { migrateToLatest } from '../server/db/migrate.ts';

export const MIGRATE_USAGE = `arena migrate
  Applies every pending migration to DATABASE_URL (or the embedded PGlite in DATA_DIR).`;

/** `arena migrate`. */
export async function migrateCommand(): Promise<void> {
  const config = readConfig();
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const applied = await migrateToLatest(database.db);
    console.log(JSON.stringify({ db: database.kind, applied }));
  } finally {
    await database.close();
  }
}
