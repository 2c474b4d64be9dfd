import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isDatabaseUnreachable } from '../db/db-unreachable.ts';
import { ResultOutbox } from './result-outbox.ts';

const Payload = z.object({ id: z.string(), loss: z.number() });
type Payload = z.infer<typeof Payload>;

/** A store that is "down" (throws what pg throws on a refused connection) until `up` is set; keeps what it stored. */
function fakeDatabase() {
  const db = { up: false, stored: [] as Payload[], tries: 0, refuse: new Set<string>() };
  const store = async (p: Payload) => {
    db.tries++;
    if (!db.up) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' });
    if (db.refuse.has(p.id)) throw Object.assign(new Error('violates check constraint'), { code: '23514' });
    if (!db.stored.some((s) => s.id === p.id)) db.stored.push(p); // idempotent by key, as the real stores are
    return `stored ${p.id}`;
  };
  return { db, kinds: { result: { schema: Payload, store } } };
}

const dirs: string[] = [];
const folder = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'outbox-test-'));
  dirs.push(d);
  return d;
};
const waiting = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.json'));
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ResultOutbox', () => {
  it('stores at once while the database answers, and keeps nothing on disk', async () => {
    const { db, kinds } = fakeDatabase();
    db.up = true;
    const dir = folder();
    const outbox = new ResultOutbox(kinds, { dir });
    await outbox.open();
    let pending = false;
    expect(await outbox.store('result', 'a', { id: 'a', loss: 1 }, { onPending: () => (pending = true) })).toBe('stored a');
    expect(pending).toBe(false);
    expect(waiting(dir)).toEqual([]);
    await outbox.close();
  });

  it('while the database is unreachable: the result waits on disk (non-finite numbers kept), is retried with backoff and stored once it is back, in order, once each', async () => {
    const { db, kinds } = fakeDatabase();
    const dir = folder();
    const outbox = new ResultOutbox(kinds, { dir, firstRetryMs: 20, maxRetryMs: 80 });
    await outbox.open();
    const reasons: string[] = [];
    const first = outbox.store('result', 'a', { id: 'a', loss: NaN }, { onPending: (r) => reasons.push(r) });
    const second = outbox.store('result', 'b', { id: 'b', loss: 2 }, { onPending: (r) => reasons.push(r) });
    await new Promise((r) => setTimeout(r, 300));
    expect(reasons).toEqual(['the database is unreachable', 'the database is unreachable']);
    expect(waiting(dir)).toHaveLength(2);
    expect(JSON.parse(readFileSync(path.join(dir, waiting(dir)[0]!), 'utf8')).payload).toEqual({ id: 'a', loss: { $number: 'NaN' } });
    const triesWhileDown = db.tries;
    expect(triesWhileDown).toBeGreaterThanOrEqual(4); // a direct try each, then retries
    expect(triesWhileDown).toBeLessThan(12); // backing off, not spinning
    expect(outbox.pending()).toBe(2);
    db.up = true;
    expect(await first).toBe('stored a');
    expect(await second).toBe('stored b');
    expect(db.stored.map((s) => s.id)).toEqual(['a', 'b']);
    expect(Number.isNaN(db.stored[0]!.loss)).toBe(true);
    expect(waiting(dir)).toEqual([]);
    await outbox.close();
  });

  it('results left waiting by a server that stopped are stored by the next one', async () => {
    const { db, kinds } = fakeDatabase();
    const dir = folder();
    const before = new ResultOutbox(kinds, { dir, firstRetryMs: 10_000 });
    await before.open();
    void before.store('result', 'x', { id: 'x', loss: 0.5 });
    await new Promise((r) => setTimeout(r, 100));
    await before.close();
    expect(waiting(dir)).toHaveLength(1);
    db.up = true;
    const after = new ResultOutbox(kinds, { dir, firstRetryMs: 10 });
    await after.open();
    await new Promise((r) => setTimeout(r, 300));
    expect(db.stored).toEqual([{ id: 'x', loss: 0.5 }]);
    expect(waiting(dir)).toEqual([]);
    await after.close();
  });

  it('a result the database refuses (not an outage) is moved aside and the ones behind it go on; an error that is not an outage is thrown at once', async () => {
    const { db, kinds } = fakeDatabase();
    const dir = folder();
    const outbox = new ResultOutbox(kinds, { dir, firstRetryMs: 10 });
    await outbox.open();
    db.refuse.add('bad');
    const bad = outbox.store('result', 'bad', { id: 'bad', loss: 1 });
    const good = outbox.store('result', 'good', { id: 'good', loss: 1 });
    db.up = true;
    await expect(bad).rejects.toThrow(/check constraint/);
    expect(await good).toBe('stored good');
    expect(readdirSync(path.join(dir, 'refused'))).toHaveLength(1);
    await expect(outbox.store('result', 'bad', { id: 'bad', loss: 1 })).rejects.toThrow(/check constraint/);
    await outbox.close();
  });

  it('tells an outage from a refusal', () => {
    expect(isDatabaseUnreachable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnreachable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnreachable(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]))).toBe(true);
    expect(isDatabaseUnreachable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnreachable(new Error('boom'))).toBe(false);
  });
});
