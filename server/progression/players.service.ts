import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import { insertNamedPlayer } from '../identity/player-names.ts';
import { findPlayer } from './progression.repository.ts';

/**
 * The player behind a join: `id` comes from a verified guest token, so the
 * row exists unless the database was reset since; then it is made again.
 * Without an id (tools that have no token), a new guest with this name. Either
 * way a name someone else holds meanwhile gets a free `#tag`.
 */
export async function ensurePlayer(db: Kysely<Database>, id: string | undefined, name: string): Promise<string> {
  if (id && isUuid(id)) {
    if (!(await findPlayer(db, id))) await insertNamedPlayer(db, id, name, 'tag');
    return id;
  }
  const fresh = randomUUID();
  await insertNamedPlayer(db, fresh, name, 'tag');
  return fresh;
}
