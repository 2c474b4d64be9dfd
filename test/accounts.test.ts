import { Client } from '@colyseus/sdk';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrationNames } from '../server/db/migrate.ts';
import { verifyGuestToken } from '../server/identity/guest-token.ts';
import { passkeyService } from '../server/identity/passkey.service.ts';
import type { GuestIdentity } from '../shared/identity.schema.ts';
import type { RaceState } from '../shared/race.state.ts';
import { startTestArena, TEST_SECRET, waitFor } from './support/arena.ts';
import { createTestDatabase, hasPostgres } from './support/services.ts';
import { SoftAuthenticator } from './support/soft-authenticator.ts';
import { databaseAt } from './support/database-at.ts';

const TOKENS = { keys: { current: TEST_SECRET }, ttlSeconds: 30 * 86_400 };
type Answer<T = any> = { status: number; body: T & { error: { code: string; message: string; suggestion?: string } } };

/** Where each suite keeps its data: embedded PGlite (the default of `npm start`) and, when it answers, Postgres. */
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

for (const store of stores) {
  describe(`accounts on ${store.kind}: unique names and passkeys (real server, HTTP API and @colyseus/sdk)`, () => {
    let t: Awaited<ReturnType<typeof startTestArena>>;
    let drop: () => Promise<void>;
    let origin: string;
    beforeAll(async () => {
      const opened = await store.open();
      drop = opened.drop;
      // this file makes more guests and passkey requests a minute than one address may (test/http.edge.test.ts checks the limits)
      t = await startTestArena({ RATE_LIMIT_GUESTS: 'off', RATE_LIMIT_PASSKEY_WRITES: 'off', ...opened.env });
      origin = `http://localhost:${t.arena.port}`;
    });
    afterAll(async () => {
      await t?.stop();
      await drop?.();
    });

    const call = async <T = any>(method: 'GET' | 'POST' | 'DELETE', path: string, opts: { token?: string; body?: unknown } = {}): Promise<Answer<T>> => {
      const res = await fetch(`${t.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Answer<T>['body'] };
    };
    const guest = (name: string, extra: Record<string, unknown> = {}, token?: string) => call<GuestIdentity>('POST', '/api/guests', { body: { name, ...extra }, ...(token ? { token } : {}) });
    const newGuest = async (name: string): Promise<GuestIdentity> => {
      const g = await guest(name);
      expect(g.status, JSON.stringify(g.body)).toBe(201);
      return g.body;
    };

    /** The name a player's seat shows in a race they create with this token. */
    async function seatedName(token: string): Promise<string> {
      const client = new Client(t.url);
      client.auth.token = token;
      const room = await client.create<RaceState>('race', { budget: 4000, countdownSeconds: 60 });
      room.onMessage('welcome', () => {});
      const name = await waitFor(() => [...(room.state.entries?.values() ?? [])][0]?.player, 'the entry to show in the state');
      await room.leave();
      return name;
    }

    describe('names are unique per arena', () => {
      it('refuses a taken name in any letter case with 409 NAME_TAKEN and a free #tag to use instead; or tags it at once when asked', async () => {
        const ada = await newGuest('Ada');
        for (const name of ['Ada', 'ada', ' ADA ']) {
          const taken = await guest(name);
          expect(taken.status).toBe(409);
          expect(taken.body.error).toMatchObject({ code: 'NAME_TAKEN', name: name.trim(), message: expect.stringContaining('is taken in this arena') });
          expect(taken.body.error.suggestion).toMatch(new RegExp(`^${name.trim()}#\\d{4}$`));
        }
        const suggestion = (await guest('ada')).body.error.suggestion!;
        const second = await guest(suggestion);
        expect([second.status, second.body.name]).toEqual([201, suggestion]);
        expect((await guest(suggestion.toUpperCase())).status, 'a tagged name is taken like any other').toBe(409);

        const tagged = await guest('Ada', { ifTaken: 'tag' });
        expect(tagged.status).toBe(201);
        expect(tagged.body.name).toMatch(/^Ada#\d{4}$/);
        expect(new Set([ada.name, second.body.name, tagged.body.name].map((n) => n.toLowerCase())).size).toBe(3);
        // A suggestion for a tagged name keeps the base, not a second tag.
        expect((await guest(tagged.body.name)).body.error.suggestion).toMatch(/^Ada#\d{4}$/);
        // After the refusals a free name still works.
        expect((await guest('Ada Lovelace')).status).toBe(201);
        expect(await seatedName(ada.token)).toBe('Ada');
      });

      it("refuses a rename to someone else's name (409 with a suggestion), lets a player change the case of their own, and the room shows the new name", async () => {
        const bea = await newGuest('Bea');
        await newGuest('Cyd');
        const refused = await guest('cyd', {}, bea.token);
        expect(refused.status).toBe(409);
        expect(refused.body.error).toMatchObject({ code: 'NAME_TAKEN', suggestion: expect.stringMatching(/^cyd#\d{4}$/) });
        const own = await guest('BEA', {}, bea.token);
        expect([own.status, own.body.name, own.body.playerId]).toEqual([200, 'BEA', bea.playerId]);
        const renamed = await guest('Beatrix', {}, bea.token);
        expect(renamed.body).toMatchObject({ name: 'Beatrix', playerId: bea.playerId });
        expect(await seatedName(renamed.body.token)).toBe('Beatrix');
        expect((await guest('Bea')).status, 'the old name is free again').toBe(201);
      });

      it('lets one of many simultaneous sign-ups take a name, and the database itself refuses a second holder', async () => {
        const answers = await Promise.all(Array.from({ length: 8 }, () => guest('Dora')));
        expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
        const db = t.arena.database.db;
        await expect(db.insertInto('players').values({ id: crypto.randomUUID(), name: 'DORA' }).execute()).rejects.toThrow(/players_name_key/);
        const rows = await db.selectFrom('players').select('name').where(sql<string>`lower(name)`, '=', 'dora').execute();
        expect(rows).toEqual([{ name: 'Dora' }]);
      });

      it('keeps bad names out with a 400 that names the problem', async () => {
        expect((await guest('')).body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('name must not be empty') });
        expect((await guest('x'.repeat(33))).body.error.message).toContain('at most 32');
        expect((await guest('ok', { ifTaken: 'steal' })).status).toBe(400);
      });
    });

    describe('passkeys', () => {
      const registerPasskey = async (who: GuestIdentity, authenticator: SoftAuthenticator, name?: string) => {
        const options = await call<PublicKeyCredentialCreationOptionsJSON>('POST', '/api/passkeys/register/options', { token: who.token });
        expect(options.status).toBe(200);
        return call('POST', '/api/passkeys/register/verify', { token: who.token, body: { response: authenticator.register(options.body), ...(name !== undefined ? { name } : {}) } });
      };
      const remove = (id: string, token: string | undefined, body?: unknown) => call('DELETE', `/api/passkeys/${id}`, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
      const signInOptions = async () => (await call<PublicKeyCredentialRequestOptionsJSON>('POST', '/api/passkeys/sign-in/options')).body;

      it('registers a passkey on a guest account, and signs in with it from another device as the same player, who then joins a room under their name', async () => {
        const eve = await newGuest('Eve');
        const phone = new SoftAuthenticator(origin);
        const options = await call<PublicKeyCredentialCreationOptionsJSON>('POST', '/api/passkeys/register/options', { token: eve.token });
        expect(options.body).toMatchObject({ rp: { id: 'localhost', name: 'Gradient Arena' }, user: { name: 'Eve', displayName: 'Eve' }, authenticatorSelection: { residentKey: 'required' }, excludeCredentials: [] });
        const registered = await call('POST', '/api/passkeys/register/verify', { token: eve.token, body: { response: phone.register(options.body) } });
        expect(registered.status, JSON.stringify(registered.body)).toBe(201);
        expect(registered.body.passkeys).toEqual([{ id: expect.any(String), name: 'Passkey 1', createdAt: expect.any(String), lastUsedAt: null, deviceType: 'singleDevice', backedUp: false }]);
        const again = await call<PublicKeyCredentialCreationOptionsJSON>('POST', '/api/passkeys/register/options', { token: eve.token });
        expect(again.body.excludeCredentials?.map((c) => c.id)).toEqual([registered.body.passkeys[0].id]);

        // Another device: no token, only the passkey.
        const signedIn = await call<GuestIdentity>('POST', '/api/passkeys/sign-in/verify', { body: { response: phone.signIn(await signInOptions()) } });
        expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
        expect(signedIn.body).toMatchObject({ playerId: eve.playerId, name: 'Eve' });
        expect(verifyGuestToken(TOKENS, signedIn.body.token).claims.sub).toBe(eve.playerId);
        expect(await seatedName(signedIn.body.token)).toBe('Eve');
        const listed = await call('GET', '/api/passkeys', { token: signedIn.body.token });
        expect(listed.body.passkeys).toHaveLength(1);
        expect(Date.parse(listed.body.passkeys[0].lastUsedAt)).toBeGreaterThan(Date.parse(listed.body.passkeys[0].createdAt) - 1000);
      });

      it('uses each challenge once: a replayed sign-in or registration is refused with CHALLENGE_EXPIRED', async () => {
        const fay = await newGuest('Fay');
        const key = new SoftAuthenticator(origin);
        const options = await call<PublicKeyCredentialCreationOptionsJSON>('POST', '/api/passkeys/register/options', { token: fay.token });
        const answer = key.register(options.body);
        expect((await call('POST', '/api/passkeys/register/verify', { token: fay.token, body: { response: answer } })).status).toBe(201);
        const replayedRegistration = await call('POST', '/api/passkeys/register/verify', { token: fay.token, body: { response: answer } });
        expect([replayedRegistration.status, replayedRegistration.body.error.code]).toEqual([400, 'CHALLENGE_EXPIRED']);

        const signIn = key.signIn(await signInOptions());
        expect((await call('POST', '/api/passkeys/sign-in/verify', { body: { response: signIn } })).status).toBe(200);
        const replayed = await call('POST', '/api/passkeys/sign-in/verify', { body: { response: signIn } });
        expect([replayed.status, replayed.body.error.code]).toEqual([400, 'CHALLENGE_EXPIRED']);
        expect(replayed.body.error.message).toMatch(/used already or has expired/);
        // A challenge made for one account's registration does not register a passkey on another's.
        const gus = await newGuest('Gus');
        const forFay = await call<PublicKeyCredentialCreationOptionsJSON>('POST', '/api/passkeys/register/options', { token: fay.token });
        const crossed = await call('POST', '/api/passkeys/register/verify', { token: gus.token, body: { response: new SoftAuthenticator(origin).register(forFay.body) } });
        expect(crossed.body.error.code).toBe('CHALLENGE_EXPIRED');
      });

      it('refuses an answer from another origin, an unknown passkey, a cloned authenticator (counter went back), garbage and a missing token; a good sign-in still works after', async () => {
        const hal = await newGuest('Hal');
        const key = new SoftAuthenticator(origin);
        expect((await registerPasskey(hal, key)).status).toBe(201);

        const phished = await call('POST', '/api/passkeys/sign-in/verify', { body: { response: key.signIn(await signInOptions(), { origin: 'http://localhost:1' }) } });
        expect([phished.status, phished.body.error.code]).toEqual([400, 'PASSKEY_REFUSED']);
        expect(phished.body.error.message).toMatch(/origin/);

        // An authenticator whose passkey was made but never registered here.
        const never = new SoftAuthenticator(origin);
        never.register(await (await call<PublicKeyCredentialCreationOptionsJSON>('POST', '/api/passkeys/register/options', { token: hal.token })).body);
        const refusedUnknown = await call('POST', '/api/passkeys/sign-in/verify', { body: { response: never.signIn(await signInOptions()) } });
        expect([refusedUnknown.status, refusedUnknown.body.error.code]).toEqual([401, 'UNKNOWN_PASSKEY']);

        expect((await call('POST', '/api/passkeys/sign-in/verify', { body: { response: key.signIn(await signInOptions(), { counter: 10 }) } })).status).toBe(200);
        const cloned = await call('POST', '/api/passkeys/sign-in/verify', { body: { response: key.signIn(await signInOptions(), { counter: 3 }) } });
        expect([cloned.status, cloned.body.error.code]).toEqual([400, 'PASSKEY_REFUSED']);
        expect(cloned.body.error.message).toMatch(/counter/);

        const garbage = await call('POST', '/api/passkeys/sign-in/verify', { body: { response: { id: 'not base64url!', type: 'public-key' } } });
        expect([garbage.status, garbage.body.error.code]).toEqual([400, 'BAD_REQUEST']);
        expect(garbage.body.error.message).toMatch(/id|rawId|response/);
        expect((await call('POST', '/api/passkeys/register/options')).body.error.code).toBe('NO_TOKEN');
        expect((await call('GET', '/api/passkeys', { token: 'not-a-token' })).body.error.code).toBe('BAD_TOKEN');

        const good = await call<GuestIdentity>('POST', '/api/passkeys/sign-in/verify', { body: { response: key.signIn(await signInOptions(), { counter: 11 }) } });
        expect(good.body).toMatchObject({ playerId: hal.playerId, name: 'Hal' });
      });

      it('removes a passkey for its owner only; the last one only when confirmed; a removed passkey signs in nowhere', async () => {
        const kit = await newGuest('Kit');
        const laptop = new SoftAuthenticator(origin);
        const key = new SoftAuthenticator(origin);
        expect((await registerPasskey(kit, laptop, '  Kit’s laptop ')).status).toBe(201);
        const both = await registerPasskey(kit, key);
        expect(both.status).toBe(201);
        expect(both.body.passkeys.map((p: { name: string }) => p.name), 'named as sent (trimmed), or "Passkey N"').toEqual(['Kit’s laptop', 'Passkey 2']);
        const [laptopId, keyId] = both.body.passkeys.map((p: { id: string }) => p.id) as [string, string];
        const tooLong = await registerPasskey(kit, new SoftAuthenticator(origin), 'x'.repeat(41));
        expect([tooLong.status, tooLong.body.error.code, tooLong.body.error.message]).toEqual([400, 'BAD_REQUEST', 'name: name must be at most 40 characters']);

        // Only the owner: another account's token, no token, a bad id or body are refused, and nothing is removed.
        const lou = await newGuest('Lou');
        const notHers = await remove(laptopId, lou.token);
        expect([notHers.status, notHers.body.error.code]).toEqual([404, 'UNKNOWN_PASSKEY']);
        expect((await remove(laptopId, undefined)).body.error.code).toBe('NO_TOKEN');
        expect((await remove(laptopId, 'not-a-token')).body.error.code).toBe('BAD_TOKEN');
        const badId = await remove('not*base64url', kit.token);
        expect([badId.status, badId.body.error.message]).toEqual([400, 'the passkey id must be base64url']);
        const badBody = await remove(laptopId, kit.token, { confirmLast: 'yes' });
        expect([badBody.status, badBody.body.error.message]).toEqual([400, 'confirmLast: confirmLast must be true or false']);
        expect((await remove(laptopId, kit.token, { everything: true })).status, 'unknown fields are refused').toBe(400);
        expect((await call('GET', '/api/passkeys', { token: kit.token })).body.passkeys).toHaveLength(2);

        // The owner removes the laptop's: it signs in nowhere after, the key still does.
        const removed = await remove(laptopId, kit.token);
        expect(removed.status, JSON.stringify(removed.body)).toBe(200);
        expect(removed.body.passkeys.map((p: { id: string }) => p.id)).toEqual([keyId]);
        const stale = await call('POST', '/api/passkeys/sign-in/verify', { body: { response: laptop.signIn(await signInOptions()) } });
        expect([stale.status, stale.body.error.code]).toEqual([401, 'UNKNOWN_PASSKEY']);
        expect((await remove(laptopId, kit.token)).status, 'removed already').toBe(404);
        const viaKey = await call<GuestIdentity>('POST', '/api/passkeys/sign-in/verify', { body: { response: key.signIn(await signInOptions()) } });
        expect(viaKey.body).toMatchObject({ playerId: kit.playerId, name: 'Kit' });

        // The last one: refused with LAST_PASSKEY unless confirmed, even from a session signed in with that passkey.
        const last = await remove(keyId, viaKey.body.token);
        expect([last.status, last.body.error.code]).toEqual([409, 'LAST_PASSKEY']);
        expect(last.body.error.message).toMatch(/last passkey.*confirmLast/);
        expect((await call('GET', '/api/passkeys', { token: kit.token })).body.passkeys).toHaveLength(1);
        const confirmed = await remove(keyId, viaKey.body.token, { confirmLast: true });
        expect([confirmed.status, confirmed.body.passkeys]).toEqual([200, []]);
        const gone = await call('POST', '/api/passkeys/sign-in/verify', { body: { response: key.signIn(await signInOptions()) } });
        expect(gone.body.error.code).toBe('UNKNOWN_PASSKEY');
        // The account itself lives on with its token (a guest account again), and can be secured anew.
        expect((await call('POST', '/api/guests/refresh', { token: kit.token })).body).toMatchObject({ playerId: kit.playerId, name: 'Kit' });
        expect((await registerPasskey(kit, new SoftAuthenticator(origin))).status).toBe(201);
      });

      it('lets only one of two simultaneous removals of an account’s last two passkeys through without confirmLast', async () => {
        const max = await newGuest('Max');
        const keys = [new SoftAuthenticator(origin), new SoftAuthenticator(origin)];
        for (const k of keys) expect((await registerPasskey(max, k)).status).toBe(201);
        const ids = ((await call('GET', '/api/passkeys', { token: max.token })).body.passkeys as Array<{ id: string }>).map((p) => p.id);
        for (let round = 0; round < 3; round++) {
          const answers = await Promise.all(ids.map((id) => remove(id, max.token)));
          const statuses = answers.map((a) => a.status).sort();
          expect(statuses).toEqual([200, 409]);
          const left = (await call('GET', '/api/passkeys', { token: max.token })).body.passkeys as Array<{ id: string }>;
          expect(left).toHaveLength(1);
          // Put the removed one back (a fresh passkey) for the next round.
          const again = new SoftAuthenticator(origin);
          expect((await registerPasskey(max, again)).status).toBe(201);
          ids.splice(0, ids.length, ...((await call('GET', '/api/passkeys', { token: max.token })).body.passkeys as Array<{ id: string }>).map((p) => p.id));
        }
      });

      it('lets a challenge be answered until it expires and not after (the service on a clock of its own)', async () => {
        let clock = Date.now();
        const ttlMs = 60_000;
        const service = passkeyService(t.arena.database.db, TOKENS, { rpId: 'localhost', rpName: 'Gradient Arena', origins: () => [origin], challengeTtlMs: ttlMs, now: () => clock });
        const jo = await newGuest('Jo');
        const key = new SoftAuthenticator(origin);
        const late = await service.registrationOptions(jo.token);
        clock += ttlMs + 1;
        await expect(service.register(jo.token, key.register(late) as never)).rejects.toMatchObject({ code: 'CHALLENGE_EXPIRED' });
        const inTime = await service.registrationOptions(jo.token);
        clock += ttlMs - 1;
        expect((await service.register(jo.token, key.register(inTime) as never)).passkeys).toHaveLength(1);
        const signIn = await service.signInOptions();
        clock += ttlMs;
        await expect(service.signIn(key.signIn(signIn) as never)).rejects.toMatchObject({ code: 'CHALLENGE_EXPIRED' });
        // Expired challenges are swept when new ones are issued.
        await service.signInOptions();
        const stale = await t.arena.database.db.selectFrom('webauthn_challenges').select('challenge').where('expires_at', '<=', new Date(clock)).execute();
        expect(stale).toEqual([]);
      });
    });

    it('tags the later holders of a shared name when the migration makes names unique, oldest first', async () => {
      const names = await migrationNames(t.arena.database.db);
      const before = names[names.indexOf('0009_accounts') - 1]!;
      const { database, cleanup } = await databaseAt(store.kind, before);
      try {
        const ids = Array.from({ length: 4 }, () => crypto.randomUUID());
        const shared = ['Ada', 'ada', 'ADA', 'Zed'];
        for (let i = 0; i < ids.length; i++) {
          await sql`insert into players (id, name, created_at) values (${ids[i]}, ${shared[i]}, ${new Date(Date.UTC(2025, 0, 1 + i))})`.execute(database.db);
        }
        await migrateToLatest(database.db);
        const after = new Map((await database.db.selectFrom('players').select(['id', 'name']).execute()).map((r) => [r.id, r.name]));
        expect(after.get(ids[0]!)).toBe('Ada');
        expect(after.get(ids[1]!)).toMatch(/^ada#\d{4}$/);
        expect(after.get(ids[2]!)).toMatch(/^ADA#\d{4}$/);
        expect(after.get(ids[3]!)).toBe('Zed');
        expect(new Set([...after.values()].map((n) => n.toLowerCase())).size).toBe(4);
      } finally {
        await cleanup();
      }
    });
  });
}
