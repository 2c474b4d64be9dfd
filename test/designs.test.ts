import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateTo } from '../server/db/migrate.ts';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import { guestClient, startTestArena } from './support/arena.ts';
import { createTestDatabase, hasPostgres } from './support/services.ts';
import { databaseAt } from './support/database-at.ts';

type Answer<T = any> = { status: number; body: T & { error: { code: string; message: string } } };
/** Writes to /api/designs one address may make a minute in this file's arena: the last test runs into it. */
const WRITE_LIMIT = 100;

const stores: { kind: 'pglite' | 'postgres'; open: () => Promise<{ env: Record<string, string>; drop: () => Promise<void> }> }[] = [
  { kind: 'pglite', open: async () => ({ env: {}, drop: async () => {} }) },
];
if (await hasPostgres()) {
  stores.push({
    kind: 'postgres',
    open: async () => {
      const tdb = await createTestDatabase();
      return { env: { DATABASE_URL: tdb.url }, drop: tdb.drop };
    },
  });
}

const wide = { ...DEFAULT_SPEC, layers: [{ type: 'dense', units: 24, activation: 'relu', dropout: 0 }, { type: 'dense', units: 12, activation: 'tanh', dropout: 0 }] };

for (const store of stores) {
  describe(`saved designs on ${store.kind}`, () => {
    it('migration 0010 makes names unique per player and share ids unique across players, goes with its player, and goes down again', async () => {
      const { database, cleanup } = await databaseAt(store.kind, '0009_accounts');
      const db = database.db as any;
      try {
        await migrateTo(db, '0010_saved_designs'); // by name: a later migration would be the one to go down
        const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
        await sql`insert into players (id, name) values (${a}, 'Ada'), (${b}, 'Bob')`.execute(db);
        const put = (player: string, name: string, share: string) =>
          sql`insert into saved_designs (player_id, name, spec, share_id, saved_at) values (${player}, ${name}, ${JSON.stringify(wide)}::jsonb, ${share}, now())`.execute(db);
        await put(a, 'Wide', 'AAAAAAAAAAAAAAAA');
        await put(b, 'Wide', 'BBBBBBBBBBBBBBBB'); // another player may use the name
        await expect(put(a, 'Wide', 'CCCCCCCCCCCCCCCC')).rejects.toThrow(/saved_designs_pkey|duplicate/);
        await expect(put(a, 'Other', 'BBBBBBBBBBBBBBBB')).rejects.toThrow(/share_id|duplicate/);
        await expect(put(a, ' padded', 'DDDDDDDDDDDDDDDD')).rejects.toThrow(/check/);
        await expect(put(a, 'x'.repeat(41), 'DDDDDDDDDDDDDDDD')).rejects.toThrow(/check/);
        await sql`delete from players where id = ${a}`.execute(db);
        const left = await sql<{ name: string; player_id: string }>`select name, player_id from saved_designs`.execute(db);
        expect(left.rows).toEqual([{ name: 'Wide', player_id: b }]);
        expect(await migrateDown(db)).toBe('0010_saved_designs');
        const table = await sql<{ t: string | null }>`select to_regclass('saved_designs')::text as t`.execute(db);
        expect(table.rows[0]!.t).toBeNull();
      } finally {
        await cleanup();
      }
    });

    describe('HTTP API (real server)', () => {
      let t: Awaited<ReturnType<typeof startTestArena>>;
      let drop: () => Promise<void>;
      let ada: { token: string; playerId: string };
      let bob: { token: string; playerId: string };
      beforeAll(async () => {
        const opened = await store.open();
        drop = opened.drop;
        t = await startTestArena({ RATE_LIMIT_DESIGN_WRITES: `${WRITE_LIMIT}/1m`, ...opened.env });
        ada = await guestClient(t.url, 'Ada');
        bob = await guestClient(t.url, 'Bob');
      });
      afterAll(async () => {
        await t?.stop();
        await drop?.();
      });

      const call = async <T = any>(method: string, p: string, opts: { token?: string; body?: unknown; raw?: string } = {}): Promise<Answer<T>> => {
        const res = await fetch(`${t.url}${p}`, {
          method,
          headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
          ...(opts.raw !== undefined ? { body: opts.raw } : opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        });
        const text = await res.text();
        return { status: res.status, body: (text ? JSON.parse(text) : {}) as Answer<T>['body'] };
      };
      const url = (name: string) => `/api/designs/${encodeURIComponent(name)}`;

      it('saves, lists, replaces (newest save wins), renames and deletes a player’s designs, each player seeing only their own', async () => {
        const saved = await call('PUT', url('Wide net'), { token: ada.token, body: { spec: wide, savedAt: 2_000 } });
        expect(saved.status, JSON.stringify(saved.body)).toBe(200);
        expect(saved.body.kept).toBe('this');
        const shareId: string = saved.body.design.shareId;
        expect(shareId).toMatch(/^[A-Za-z0-9_-]{16}$/);

        const list = await call('GET', '/api/designs', { token: ada.token });
        expect(list.status).toBe(200);
        expect(list.body.designs).toEqual([{ name: 'Wide net', spec: expect.objectContaining({ layers: wide.layers }), savedAt: 2_000, shareId }]);
        expect((await call('GET', '/api/designs', { token: bob.token })).body.designs).toEqual([]);

        // An older copy (saved offline before the stored one) does not overwrite it; a newer one does, keeping the link.
        const older = await call('PUT', url('Wide net'), { token: ada.token, body: { spec: DEFAULT_SPEC, savedAt: 1_000 } });
        expect(older.body).toMatchObject({ kept: 'newer', design: { savedAt: 2_000, shareId } });
        expect(older.body.design.spec.layers).toEqual(wide.layers);
        const newer = await call('PUT', url('Wide net'), { token: ada.token, body: { spec: DEFAULT_SPEC, savedAt: 3_000 } });
        expect(newer.body).toMatchObject({ kept: 'this', design: { savedAt: 3_000, shareId } });
        expect((await call('GET', '/api/designs', { token: ada.token })).body.designs[0].spec.layers).toEqual(DEFAULT_SPEC.layers);

        // Renames: onto a taken name only with replace; the share link follows the design.
        await call('PUT', url('Small'), { token: ada.token, body: { spec: wide } });
        const taken = await call('PATCH', url('Wide net'), { token: ada.token, body: { name: 'Small' } });
        expect(taken.status).toBe(409);
        expect(taken.body.error).toEqual({ code: 'DESIGN_NAME_TAKEN', message: expect.stringContaining('"Small"') });
        const renamed = await call('PATCH', url('Wide net'), { token: ada.token, body: { name: 'Small', replace: true } });
        expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
        expect(renamed.body).toMatchObject({ name: 'Small', shareId });
        expect((await call('GET', '/api/designs', { token: ada.token })).body.designs.map((d: { name: string }) => d.name)).toEqual(['Small']);

        // Bob cannot touch Ada's design by name: his account has none.
        expect((await call('DELETE', url('Small'), { token: bob.token })).status).toBe(404);
        const gone = await call('DELETE', url('Small'), { token: ada.token });
        expect(gone.status).toBe(204);
        expect((await call('GET', '/api/designs', { token: ada.token })).body.designs).toEqual([]);
        expect((await call('DELETE', url('Small'), { token: ada.token })).body.error).toEqual({ code: 'NOT_FOUND', message: 'you have no saved design called "Small"' });
      });

      it('shows a shared design to anyone with its link, under its owner’s name, until it is deleted', async () => {
        const saved = await call('PUT', url('Shared one'), { token: bob.token, body: { spec: wide } });
        const shareId: string = saved.body.design.shareId;
        const seen = await call('GET', `/api/shared-designs/${shareId}`);
        expect(seen.status).toBe(200);
        expect(seen.body).toMatchObject({ name: 'Shared one', owner: 'Bob', spec: { layers: wide.layers } });
        const bad = await call('GET', '/api/shared-designs/not-an-id');
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toMatch(/^shareId: /);
        expect((await call('GET', '/api/shared-designs/AAAAAAAAAAAAAAAA')).status).toBe(404);
        await call('DELETE', url('Shared one'), { token: bob.token });
        expect((await call('GET', `/api/shared-designs/${shareId}`)).body.error.code).toBe('NOT_FOUND');
      });

      it('refuses bad requests with the field named, and a good save still works after them', async () => {
        const noToken = await call('GET', '/api/designs');
        expect(noToken).toMatchObject({ status: 401, body: { error: { code: 'NO_TOKEN' } } });
        const forged = await call('PUT', url('x'), { token: `${ada.token}x`, body: { spec: wide } });
        expect(forged.status).toBe(401);
        const badSpec = await call('PUT', url('Bad'), { token: ada.token, body: { spec: { ...wide, learningRate: -1 } } });
        expect(badSpec.status).toBe(400);
        expect(badSpec.body.error).toEqual({ code: 'BAD_REQUEST', message: 'spec.learningRate: learningRate must be greater than 0' });
        const longName = await call('PUT', url('n'.repeat(41)), { token: ada.token, body: { spec: wide } });
        expect(longName.body.error.message).toBe('name: a saved spec name may be at most 40 characters');
        const noSpec = await call('PUT', url('Bad'), { token: ada.token, body: {} });
        expect(noSpec.body.error.message).toMatch(/^spec: /);
        const badRename = await call('PATCH', url('Bad'), { token: ada.token, body: { name: '' } });
        expect(badRename.body.error.message).toBe('name: a saved spec needs a name');
        const huge = await call('PUT', url('Bad'), { token: ada.token, raw: JSON.stringify({ spec: wide, pad: 'x'.repeat(40_000) }) });
        expect(huge.status).toBe(413);
        expect(huge.body.error.code).toBe('BAD_REQUEST');
        const garbage = await call('PUT', url('Bad'), { token: ada.token, raw: '{not json' });
        expect(garbage.status).toBe(400);
        const good = await call('PUT', url('Good after bad'), { token: ada.token, body: { spec: wide } });
        expect(good.status).toBe(200);
        await call('DELETE', url('Good after bad'), { token: ada.token });
      });

      it('keeps at most 30 designs an account, refusing the 31st with 409 TOO_MANY_DESIGNS', async () => {
        const carl = await guestClient(t.url, 'Carl');
        const made = await Promise.all(Array.from({ length: 30 }, (_, i) => call('PUT', url(`d${i}`), { token: carl.token, body: { spec: wide } })));
        expect(made.map((m) => m.status)).toEqual(Array(30).fill(200));
        const more = await call('PUT', url('one more'), { token: carl.token, body: { spec: wide } });
        expect(more.status).toBe(409);
        expect(more.body.error.code).toBe('TOO_MANY_DESIGNS');
        expect((await call('PUT', url('d3'), { token: carl.token, body: { spec: DEFAULT_SPEC } })).status, 'a replace is no new design').toBe(200);
        expect((await call('GET', '/api/designs', { token: carl.token })).body.designs).toHaveLength(30);
      });

      it('rate-limits design writes per address with 429 and Retry-After, while reads still answer', async () => {
        let refused: Response | undefined;
        for (let i = 0; i <= WRITE_LIMIT && !refused; i++) {
          const res = await fetch(`${t.url}${url('limit')}`, { method: 'DELETE', headers: { authorization: `Bearer ${ada.token}` } });
          if (res.status === 429) refused = res;
          else expect(res.status).toBe(404);
        }
        expect(refused, `no 429 within ${WRITE_LIMIT + 1} writes`).toBeDefined();
        expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await refused!.json()) as any).error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('too many designs saved, renamed or deleted') });
        expect((await call('GET', '/api/designs', { token: ada.token })).status).toBe(200);
      });
    });
  });
}
