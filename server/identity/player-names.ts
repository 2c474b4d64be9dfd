import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { TAG_BASE_MAX, untagged } from '../../shared/identity.schema.ts';

type Db = Kysely<Database>;

/** The unique index that keeps names unique per arena, ignoring case (migration 0008). */
const NAME_KEY = 'players_name_key';

/** A name someone else holds (ignoring case), with a free `#tag`ged one to offer instead. */
export class NameTakenError extends Error {
  readonly code = 'NAME_TAKEN';
  readonly taken: string;
  readonly suggestion: string;
  constructor(taken: string, suggestion: string) {
    super(`the name “${taken}” is taken in this arena: “${suggestion}” is free, or choose another`);
    this.taken = taken;
    this.suggestion = suggestion;
  }
}

/** What to do when a name is taken: refuse with a suggestion, or take a free `#tag`ged one. */
export type IfTaken = 'refuse' | 'tag';

/** Whether a database error is the names' unique index refusing a second holder. */
export function isNameClash(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  return e?.code === '23505' && (e.constraint === NAME_KEY || String(e.message).includes(NAME_KEY));
}

/** The id of the player who holds `name` (ignoring case), if anyone does. */
export async function nameHolder(db: Db, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('players').select('id').where(sql<string>`lower(name)`, '=', sql<string>`lower(${name})`).executeTakeFirst();
  return row?.id;
}

/**
 * A free name made of `name` without its tag (cut to 27 characters) and a random four-digit `#tag`:
 * `Ada` → `Ada#4821`. Free when asked; whoever takes it still goes through the unique index.
 */
export async function freeTaggedName(db: Db, name: string): Promise<string> {
  const base = [...untagged(name)].slice(0, TAG_BASE_MAX).join('').trimEnd();
  for (let round = 0; round < 20; round++) {
    const candidates = Array.from({ length: 8 }, () => `${base}#${randomInt(1000, 10_000)}`);
    const held = await db
      .selectFrom('players')
      .select(sql<string>`lower(name)`.as('key'))
      .where(sql<string>`lower(name)`, 'in', candidates.map((c) => sql<string>`lower(${c})`))
      .execute();
    const taken = new Set(held.map((r) => r.key));
    const free = candidates.find((c) => !taken.has(c.toLowerCase()));
    if (free) return free;
  }
  throw new Error(`no free #tag left for the name “${base}”`);
}

/**
 * Gives `name` to a player through `write` (an insert or an update), kept unique by the database:
 * when someone else holds it, throws `NameTakenError` with a free suggestion (`refuse`), or writes a
 * free `#tag`ged name instead (`tag`). Returns the name written.
 */
async function claimName(db: Db, name: string, ifTaken: IfTaken, write: (name: string) => Promise<unknown>): Promise<string> {
  let attempt = name;
  for (let tries = 0; ; tries++) {
    try {
      await write(attempt);
      return attempt;
    } catch (err) {
      if (!isNameClash(err) || tries >= 10) throw err;
      if (ifTaken === 'refuse') throw new NameTakenError(name, await freeTaggedName(db, name));
      attempt = await freeTaggedName(db, name); // another player may take it first: then round again
    }
  }
}

/** A new player row under `name`, or under a free `#tag`ged one (see `claimName`). Returns the name it got. */
export function insertNamedPlayer(db: Db, id: string, name: string, ifTaken: IfTaken): Promise<string> {
  return claimName(db, name, ifTaken, (n) => db.insertInto('players').values({ id, name: n }).execute());
}

/** A new name for a player; their own name in other letter case is theirs to take. Returns the name it got. */
export function renameNamedPlayer(db: Db, id: string, name: string, ifTaken: IfTaken): Promise<string> {
  return claimName(db, name, ifTaken, (n) => db.updateTable('players').set({ name: n }).where('id', '=', id).execute());
}
