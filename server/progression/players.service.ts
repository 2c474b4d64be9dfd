import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import { findPlayer, insertPlayer } from './progression.repository.ts';

/**
 * The player behind a join: `id` comes from a verified guest token, so the
 * row exists unless the database was reset since; then it is made again.
 * Without an id (tools that have no token), a new guest with this name.
 */
export async function ensurePlayer(db: Kysely<Database>, id: string | undefined, name: string): Promise<string> {
  if (id && isUuid(id)) {
    if (!(await findPlayer(db, id))) await insertPlayer(db, id, name);
    return id;
  }
  const fresh = randomUUID();
  await insertPlayer(db, fresh, name);
  return fresh;
}
