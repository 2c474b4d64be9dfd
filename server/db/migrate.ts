import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, Migrator, type MigrationResultSet } from 'kysely/migration';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }) });
}

function check(result: MigrationResultSet): MigrationResultSet {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${result.error instanceof Error ? result.error.message : String(result.error)}`, {
      cause: result.error,
    });
  }
  return result;
}

/** Runs every migration not yet applied. Returns the names it applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const result = check(await migrator(db).migrateToLatest());
  return (result.results ?? []).map((r) => r.migrationName);
}

/** Migrates up or down to the named migration (it stays applied). Returns the names it applied or undid. */
export async function migrateTo(db: Kysely<any>, name: string): Promise<string[]> {
  const result = check(await migrator(db).migrateTo(name));
  return (result.results ?? []).map((r) => r.migrationName);
}

/** Undoes the most recent migration. Returns its name, or undefined if none was applied. */
export async function migrateDown(db: Kysely<any>): Promise<string | undefined> {
  const result = check(await migrator(db).migrateDown());
  return result.results?.[0]?.migrationName;
}

/** Names of every migration file, in order. */
export async function migrationNames(db: Kysely<any>): Promise<string[]> {
  return (await migrator(db).getMigrations()).map((m) => m.name);
}
