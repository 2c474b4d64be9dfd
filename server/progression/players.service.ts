import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import { findPlayer, insertPlayer } from './progression.repository.ts';

/**
 * The player behind a join: the one with `id` if it exists (the browser keeps
 * it), otherwise a new guest with this name. Signed identities come later.
 */
export async function ensurePlayer(db: Kysely<Database>, id: string | undefined, name: string): Promise<string> {
  if (id && isUuid(id) && (await findPlayer(db, id))) return id;
  const fresh = randomUUID();
  await insertPlayer(db, fresh, name);
  return fresh;
}
