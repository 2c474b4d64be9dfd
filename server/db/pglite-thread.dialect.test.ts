import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isDatabaseUnreachable } from './db-unreachable.ts';
import { PGliteThreadDialect } from './pglite-thread.dialect.ts';

interface Tables {
  thing: { id: number; name: string; at: Date; doc: unknown; bytes: Uint8Array | null };
}

const dir = mkdtempSync(path.join(tmpdir(), 'arena-pglite-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open = () => new Kysely<Tables>({ dialect: new PGliteThreadDialect({ dataDir: dir }) });
let db: Kysely<Tables> | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

async function fresh(): Promise<Kysely<Tables>> {
  db = open();
  await sql`drop table if exists thing`.execute(db);
  await sql`create table thing (id int primary key, name text not null unique, at timestamptz not null, doc jsonb, bytes bytea)`.execute(db);
  return db;
}

const names = async (d: Kysely<Tables>) => (await d.selectFrom('thing').select('name').orderBy('id').execute()).map((r) => r.name);

describe('PGlite in a thread of its own', () => {
  it('runs queries with parameters and brings rows back with their types', async () => {
    const d = await fresh();
    const at = new Date('2026-03-04T05:06:07.089Z');
    const inserted = await d.insertInto('thing').values({ id: 1, name: 'ada', at, doc: JSON.stringify({ curve: [1, 2.5], ok: true }), bytes: Buffer.from([0, 1, 255]) }).executeTakeFirst();
    expect(inserted.numInsertedOrUpdatedRows).toBe(1n);
    const row = await d.selectFrom('thing').selectAll().where('name', '=', 'ada').executeTakeFirstOrThrow();
    expect(row.at).toBeInstanceOf(Date);
    expect(row.at.getTime()).toBe(at.getTime());
    expect(row.doc).toEqual({ curve: [1, 2.5], ok: true });
    expect([...row.bytes!]).toEqual([0, 1, 255]);
    const updated = await d.updateTable('thing').set({ name: 'ada2' }).where('id', '=', 1).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
  });

  it("keeps Postgres's error fields, and the next statement still works", async () => {
    const d = await fresh();
    await d.insertInto('thing').values({ id: 1, name: 'ada', at: new Date(), doc: null, bytes: null }).execute();
    const err = await d.insertInto('thing').values({ id: 2, name: 'ada', at: new Date(), doc: null, bytes: null }).execute().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: '23505', constraint: 'thing_name_key' });
    await expect(sql`select nonsense from nowhere`.execute(d)).rejects.toMatchObject({ code: '42P01' });
    await d.insertInto('thing').values({ id: 2, name: 'bob', at: new Date(), doc: null, bytes: null }).execute();
    expect(await names(d)).toEqual(['ada', 'bob']);
  });

  it('commits a transaction whole, or none of it', async () => {
    const d = await fresh();
    await d.transaction().execute(async (trx) => {
      await trx.insertInto('thing').values({ id: 1, name: 'ada', at: new Date(), doc: null, bytes: null }).execute();
      await trx.insertInto('thing').values({ id: 2, name: 'bob', at: new Date(), doc: null, bytes: null }).execute();
    });
    await expect(
      d.transaction().execute(async (trx) => {
        await trx.insertInto('thing').values({ id: 3, name: 'cy', at: new Date(), doc: null, bytes: null }).execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // A statement that failed inside, caught there: Postgres rolls the whole transaction back at COMMIT, and says so.
    await expect(
      d.transaction().execute(async (trx) => {
        await trx.insertInto('thing').values({ id: 4, name: 'dee', at: new Date(), doc: null, bytes: null }).execute();
        await trx.insertInto('thing').values({ id: 5, name: 'ada', at: new Date(), doc: null, bytes: null }).execute().catch(() => {});
      }),
    ).rejects.toMatchObject({ code: '25P02' });
    expect(await names(d)).toEqual(['ada', 'bob']);
    // Concurrent transactions take turns on the one session instead of interleaving.
    await Promise.all(
      [10, 20].map((base) =>
        d.transaction().execute(async (trx) => {
          for (let i = 0; i < 5; i++) await trx.insertInto('thing').values({ id: base + i, name: `n${base + i}`, at: new Date(), doc: null, bytes: null }).execute();
        }),
      ),
    );
    expect(await d.selectFrom('thing').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 12 });
  });

  it('keeps what was committed across a close and a new thread on the same folder', async () => {
    const d = await fresh();
    await d.insertInto('thing').values({ id: 1, name: 'kept', at: new Date(), doc: null, bytes: null }).execute();
    await d.destroy();
    db = open();
    expect(await names(db)).toEqual(['kept']);
  });

  it('fails what was in flight when the thread dies as an unreachable database, and opens the folder again for the next statement', async () => {
    const dialect = new PGliteThreadDialect({ dataDir: dir });
    db = new Kysely<Tables>({ dialect });
    const d = db;
    await sql`drop table if exists thing`.execute(d);
    await sql`create table thing (id int primary key, name text not null unique, at timestamptz not null, doc jsonb, bytes bytea)`.execute(d);
    await d.insertInto('thing').values({ id: 1, name: 'before', at: new Date(), doc: null, bytes: null }).execute();
    const err = await d
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('thing').values({ id: 2, name: 'lost', at: new Date(), doc: null, bytes: null }).execute();
        await dialect.killThread();
        await trx.insertInto('thing').values({ id: 3, name: 'never', at: new Date(), doc: null, bytes: null }).execute();
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '08006' });
    expect(isDatabaseUnreachable(err)).toBe(true);
    expect(await names(d)).toEqual(['before']);
    await d.insertInto('thing').values({ id: 4, name: 'after', at: new Date(), doc: null, bytes: null }).execute();
    expect(await names(d)).toEqual(['before', 'after']);
  });

  it('fails a folder it cannot open at the first statement, with the reason', async () => {
    const file = path.join(dir, 'not-a-folder');
    rmSync(file, { force: true });
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
    const broken = new Kysely<Tables>({ dialect: new PGliteThreadDialect({ dataDir: file }) });
    await expect(sql`select 1`.execute(broken)).rejects.toThrow();
    await broken.destroy();
  });
});
