/**
 * The HTTP edge against real servers: rate limits (and their Retry-After), CORS, security headers and the
 * request log. Each limit test sends its own X-Forwarded-For (the arena trusts one proxy), so its count is its own.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../server/config.ts';
import { corsHeaders } from '../server/http/cors.ts';
import { errorHandler } from '../server/http/error-handler.ts';
import { rateLimiter, rateLimitPrefix } from '../server/http/rate-limits.ts';
import { requestLog } from '../server/http/request-log.ts';
import { arenaSuite, TEST_SECRET } from './support/arena.ts';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { hasRedis, TEST_REDIS_URL } from './support/services.ts';

const TOKEN = 'edge-test-admin-token-0123456789';
const FRIEND = 'https://friend.example';

const guest = (url: string, name: string, from: string) =>
  fetch(`${url}/api/guests`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ name }) });

/** The 429's promise: the error shape, a message with the wait, and Retry-After saying the same. */
async function expectRateLimited(res: Response): Promise<number> {
  expect(res.status).toBe(429);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('RATE_LIMITED');
  const seconds = Number(/try again in (\d+) s$/.exec(body.error.message)?.[1]);
  expect(seconds, body.error.message).toBeGreaterThan(0);
  expect(Number(res.headers.get('retry-after'))).toBe(seconds);
  return seconds;
}

describe('the HTTP edge of an arena with limits, CORS origins and one trusted proxy', () => {
  const t = arenaSuite({
    ADMIN_TOKEN: TOKEN,
    METRICS_AUTH: 'admin',
    TRUST_PROXY: '1',
    CORS_ORIGINS: `${FRIEND}, http://localhost:5173`,
    RATE_LIMIT_GUESTS: '3/1m',
    RATE_LIMIT_API_READS: '5/1m',
    RATE_LIMIT_ADMIN_LOGIN: '3/15m',
    RATE_LIMIT_PASSKEY_WRITES: '3/1m',
  });

  it('makes 3 guests a minute per address, then answers 429 with when to retry, and counts each address apart', async () => {
    for (let i = 0; i < 3; i++) expect((await guest(t.url, `g${i}`, '203.0.113.1')).status).toBe(201);
    const seconds = await expectRateLimited(await guest(t.url, 'g3', '203.0.113.1'));
    expect(seconds).toBeLessThanOrEqual(60);
    // a rename is a guest request too
    expect((await fetch(`${t.url}/api/guests`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.1', authorization: 'Bearer x' }, body: '{"name":"z"}' })).status).toBe(429);
    // another address (behind the trusted proxy) still gets its guest
    expect((await guest(t.url, 'other', '203.0.113.2')).status).toBe(201);
  });

  it('counts passkey writes (sign-ins, registrations, removals) apart from reads: 3 a minute, then 429; listing is a read', async () => {
    const from = { 'x-forwarded-for': '203.0.113.40' };
    const post = (p: string, headers: Record<string, string> = {}) => fetch(`${t.url}/api/passkeys${p}`, { method: 'POST', headers: { ...from, ...headers } });
    const signIn = await post('/sign-in/options');
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get('ratelimit-policy')).toContain('"passkey-writes"; q=3; w=60');
    expect((await post('/register/options')).status, 'no token: refused, but counted').toBe(401);
    const removal = await fetch(`${t.url}/api/passkeys/AAAAAAAAAAAAAAAAAAAAAA`, { method: 'DELETE', headers: from });
    expect(removal.status).toBe(401);
    await expectRateLimited(await post('/sign-in/options'));
    await expectRateLimited(await fetch(`${t.url}/api/passkeys/AAAAAAAAAAAAAAAAAAAAAA`, { method: 'DELETE', headers: from }));
    const list = await fetch(`${t.url}/api/passkeys`, { headers: from });
    expect(list.status, 'a list is a read').toBe(401);
    expect(list.headers.get('ratelimit-policy')).toContain('"api-reads"');
    expect((await post('/sign-in/options', { 'x-forwarded-for': '203.0.113.41' })).status, 'another address').toBe(200);
  });

  it('limits API reads, never /health or /metrics, and keeps the API working for others', async () => {
    const from = { 'x-forwarded-for': '203.0.113.10' };
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${t.url}/api/achievements`, { headers: from });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toContain('"api-reads"; q=5; w=60');
    }
    await expectRateLimited(await fetch(`${t.url}/api/players/nobody`, { headers: from }));
    for (let i = 0; i < 12; i++) {
      expect((await fetch(`${t.url}/health`, { headers: from })).status).toBe(200);
      expect((await fetch(`${t.url}/metrics`, { headers: { ...from, authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    }
    expect((await fetch(`${t.url}/api/achievements`, { headers: { 'x-forwarded-for': '203.0.113.11' } })).status).toBe(200);
  });

  it('counts only refused admin logins: after 3 wrong tokens even the right one waits, but not another address', async () => {
    const from = (ip: string, auth?: string) => ({ headers: { 'x-forwarded-for': ip, ...(auth ? { authorization: `Bearer ${auth}` } : {}) } });
    for (let i = 0; i < 5; i++) expect((await fetch(`${t.url}/admin`, from('203.0.113.20', TOKEN))).status, 'right tokens do not count').toBe(200);
    for (let i = 0; i < 5; i++) expect((await fetch(`${t.url}/admin`, from('203.0.113.20'))).status, 'no token is no login attempt').toBe(401);
    for (let i = 0; i < 3; i++) expect((await fetch(`${t.url}/admin/colyseus/`, from('203.0.113.20', `wrong-${i}`))).status).toBe(401);
    await expectRateLimited(await fetch(`${t.url}/admin`, from('203.0.113.20', TOKEN)));
    await expectRateLimited(await fetch(`${t.url}/metrics`, from('203.0.113.20', 'wrong-again')));
    const cookie = await fetch(`${t.url}/admin/colyseus/?token=nope`, { ...from('203.0.113.20'), redirect: 'manual' });
    expect(cookie.status).toBe(429);
    expect((await fetch(`${t.url}/admin`, from('203.0.113.21', TOKEN))).status).toBe(200);
  });

  it('answers listed origins with credentials, others without CORS, and never /metrics or /admin', async () => {
    const at = (p: string, origin: string, init: RequestInit = {}) =>
      fetch(`${t.url}${p}`, { ...init, headers: { origin, 'x-forwarded-for': '203.0.113.30', ...(init.headers as Record<string, string>) } });
    const friend = await at('/api/achievements', FRIEND);
    expect(friend.headers.get('access-control-allow-origin')).toBe(FRIEND);
    expect(friend.headers.get('access-control-allow-credentials')).toBe('true');
    expect(friend.headers.get('vary')).toMatch(/Origin/);
    expect(friend.headers.get('access-control-expose-headers')).toContain('Retry-After');

    const evil = await at('/api/achievements', 'https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();

    const preflight = await at('/api/guests', FRIEND, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(FRIEND);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Content-Type/i);
    const evilPreflight = await at('/api/guests', 'https://evil.example', { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
    expect(evilPreflight.status).toBe(204);
    expect(evilPreflight.headers.get('access-control-allow-origin')).toBeNull();

    // Colyseus's own matchmaker route follows the same policy.
    const mm = (origin: string) => at('/matchmake/joinOrCreate/lobby', origin, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const friendMm = await mm(FRIEND);
    expect(friendMm.status).toBe(200);
    expect(friendMm.headers.get('access-control-allow-origin')).toBe(FRIEND);
    expect((await mm('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();

    for (const p of ['/metrics', '/admin', '/admin/queues']) {
      for (const method of ['GET', 'OPTIONS']) {
        const res = await at(p, FRIEND, { method, headers: { 'access-control-request-method': 'GET', authorization: `Bearer ${TOKEN}` } });
        const cors = [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));
        expect(cors, `${method} ${p}`).toEqual([]);
      }
    }
  });

  it('sends security headers: the page CSP everywhere but the admin pages, nosniff, no framing', async () => {
    const home = await fetch(`${t.url}/health`);
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');
    expect(home.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const csp = home.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(home.headers.get('x-powered-by')).toBeNull();
    const admin = await fetch(`${t.url}/admin`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(admin.headers.get('content-security-policy')).toBeNull();
    expect(admin.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the HTTP edge with the defaults', () => {
  const t = arenaSuite({ RATE_LIMIT_GUESTS: '2/1m' });

  it('sends no CORS headers at all (Colyseus used to allow any origin with credentials), even to a preflight', async () => {
    for (const [p, method] of [['/api/achievements', 'GET'], ['/health', 'GET'], ['/api/guests', 'OPTIONS'], ['/matchmake/joinOrCreate/lobby', 'OPTIONS']] as const) {
      const res = await fetch(`${t.url}${p}`, { method, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-')), `${method} ${p}`).toEqual([]);
    }
  });

  it('trusts no proxy: a made-up X-Forwarded-For does not buy another count', async () => {
    expect((await guest(t.url, 'a', '198.51.100.1')).status).toBe(201);
    expect((await guest(t.url, 'b', '198.51.100.2')).status).toBe(201);
    await expectRateLimited(await guest(t.url, 'c', '198.51.100.3'));
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const kept = await fetch(`${t.url}/health`, { headers: { 'x-request-id': 'lb-7f3a.42:x' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a.42:x');
    for (const bad of ['x'.repeat(200), 'has space', 'quote"d', '<script>']) {
      const res = await fetch(`${t.url}/api/achievements`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const none = await fetch(`${t.url}/api/achievements`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('HTTP settings', () => {
  it('refuses bad limits, proxies and origins at start-up, naming them', () => {
    expect(() => readConfig({ RATE_LIMIT_GUESTS: 'lots' })).toThrow(/RATE_LIMIT_GUESTS.*"lots" is not a rate limit/);
    expect(() => readConfig({ RATE_LIMIT_API_READS: '0/1m' })).toThrow(/RATE_LIMIT_API_READS/);
    expect(() => readConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true would believe any X-Forwarded-For/);
    expect(() => readConfig({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(/TRUST_PROXY.*10\.0\.0\.0\/99/);
    expect(() => readConfig({ CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS: "https:\/\/a.example\/path" is not an origin/);
    expect(() => readConfig({ CORS_ORIGINS: '*, https://a.example' })).toThrow(/\* alone/);
  });

  it('reads limits, proxies and origins', () => {
    const c = readConfig({ RATE_LIMIT_GUESTS: '5/30s', RATE_LIMIT_API_READS: 'off', TRUST_PROXY: 'loopback, 10.0.0.0/8', CORS_ORIGINS: 'https://a.example/, http://localhost:5173' });
    expect(c.RATE_LIMIT_GUESTS).toEqual({ limit: 5, windowMs: 30_000 });
    expect(c.RATE_LIMIT_API_READS).toBeUndefined();
    expect(c.TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
    expect(c.CORS_ORIGINS).toEqual(['https://a.example', 'http://localhost:5173']);
    const d = readConfig({});
    expect([d.RATE_LIMIT_GUESTS, d.RATE_LIMIT_API_READS, d.RATE_LIMIT_ADMIN_LOGIN]).toEqual([
      { limit: 30, windowMs: 60_000 },
      { limit: 300, windowMs: 60_000 },
      { limit: 10, windowMs: 900_000 },
    ]);
    expect([d.TRUST_PROXY, d.CORS_ORIGINS]).toEqual([false, []]);
  });

  it('lets any origin read without credentials with CORS_ORIGINS=*', () => {
    const h = corsHeaders(['*'], { method: 'GET', url: '/api/achievements', headers: { origin: 'https://anyone.example' } });
    expect(h['Access-Control-Allow-Origin']).toBe('*');
    expect(h['Access-Control-Allow-Credentials']).toBeUndefined();
    expect(corsHeaders(['*'], { method: 'GET', url: '/metrics', headers: { origin: 'https://anyone.example' } })).toEqual({});
  });
});

describe.skipIf(!(await hasRedis()))('rate limits shared through Redis', () => {
  const queue = `arena-edge-test-${randomUUID()}`;
  const redis = new Redis(TEST_REDIS_URL);
  const dirs: string[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    const env = () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'arena-edge-redis-'));
      dirs.push(dir);
      return { REDIS_URL: TEST_REDIS_URL, ARENA_QUEUE: queue, ARENA_SECRET: TEST_SECRET, DATA_DIR: dir, CLIENT_DIR: dir, RATE_LIMIT_GUESTS: '3/1m' };
    };
    // two processes: Colyseus's matchmaker is one per process
    [a, b] = await Promise.all([startServerProcess(env()), startServerProcess(env())]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const pattern of [`${rateLimitPrefix(queue)}*`, `bull:${queue}:*`]) {
      const keys = await redis.keys(pattern);
      if (keys.length) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it('counts one address across two servers of the arena', async () => {
    expect((await guest(a.url, 'one', '192.0.2.1')).status).toBe(201);
    expect((await guest(b.url, 'two', '192.0.2.1')).status).toBe(201);
    expect((await guest(a.url, 'three', '192.0.2.1')).status).toBe(201);
    await expectRateLimited(await guest(b.url, 'four', '192.0.2.1'));
    await expectRateLimited(await guest(a.url, 'five', '192.0.2.1'));
    expect((await redis.keys(`${rateLimitPrefix(queue)}guests:*`)).length).toBe(1);
  });
});

describe('the request log of a server process', () => {
  let server: ServerProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'arena-edge-log-'));
    server = await startServerProcess({ LOG_LEVEL: 'info', DATA_DIR: dir, SECRET_FILE: path.join(dir, 'secret'), CLIENT_DIR: dir, ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one line per request with its id, method, url and status, none for /health, and never a token', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${server.url}/health`, { headers: { 'x-request-id': `health-${i}` } });
    const api = await fetch(`${server.url}/api/players/nobody`, { headers: { 'x-request-id': 'edge-log-1' } });
    expect(api.status).toBe(404);
    const generated = (await fetch(`${server.url}/api/achievements`)).headers.get('x-request-id');
    // a client's matchmaking mistake (Colyseus answers 522) is no server error
    const mm = await fetch(`${server.url}/matchmake/joinById/nowhere`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'edge-log-mm' }, body: '{}' });
    expect(mm.status).toBe(522);
    await fetch(`${server.url}/admin/queues?token=${TOKEN}x&page=2`, { headers: { 'x-request-id': 'edge-log-admin' } });

    type Line = { module?: string; reqId?: string; level: number; msg?: string; req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number };
    const lines = () =>
      server
        .log()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
    const deadline = Date.now() + 5000;
    while (!lines().some((l) => l.reqId === 'edge-log-admin') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const all = lines();
    const line = all.find((l) => l.reqId === 'edge-log-1');
    expect(line).toMatchObject({ module: 'http', level: 30, req: { method: 'GET', url: '/api/players/nobody' }, res: { statusCode: 404 } });
    expect(line!.responseTime).toBeGreaterThanOrEqual(0);
    expect(all.find((l) => l.reqId === generated)).toMatchObject({ req: { url: '/api/achievements' }, res: { statusCode: 200 } });
    expect(all.filter((l) => l.req?.url === '/health' || l.reqId?.startsWith('health-'))).toEqual([]);
    const admin = all.find((l) => l.reqId === 'edge-log-admin');
    expect(admin).toMatchObject({ req: { url: '/admin/queues?token=…&page=2' }, res: { statusCode: 401 } });
    expect(server.log()).not.toContain(TOKEN);
    const mmLine = all.find((l) => l.reqId === 'edge-log-mm');
    expect(mmLine).toMatchObject({ level: 30, req: { method: 'POST', url: '/matchmake/joinById/nowhere' }, res: { statusCode: 522 }, msg: 'request completed' });
    expect(mmLine).not.toHaveProperty('err');
  });
});

describe('the error handler behind the request log', () => {
  let server: Server;
  afterAll(() => {
    server?.close();
  });

  it('answers a thrown error with a bare 500 and logs it with the request id', async () => {
    const lines: Record<string, any>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }).child({ module: 'http' });
    const app = express();
    app.use(requestLog(logger));
    app.get('/boom', () => {
      throw new Error('the database is on fire');
    });
    app.use(errorHandler());
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`, { headers: { 'x-request-id': 'edge-boom-1' } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'INTERNAL', message: 'something went wrong on the server' } });
    expect(res.headers.get('x-request-id')).toBe('edge-boom-1');
    await new Promise((r) => setTimeout(r, 50));
    const error = lines.find((l) => l.msg === 'unexpected error');
    expect(error).toMatchObject({ level: 50, module: 'http', reqId: 'edge-boom-1', err: { message: 'the database is on fire' } });
    expect(lines.find((l) => l.req?.url === '/boom')).toMatchObject({ level: 50, reqId: 'edge-boom-1', res: { statusCode: 500 } });
  });
});

describe('a rate limit whose Redis is away', () => {
  let server: Server;
  let redis: Redis;
  afterAll(() => {
    server?.close();
    redis?.disconnect();
  });

  it('lets requests through at once, uncounted, instead of hanging the API', async () => {
    redis = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: null, retryStrategy: () => 200 });
    redis.on('error', () => {});
    const app = express();
    app.use(rateLimiter('away', { limit: 1, windowMs: 60_000 }, 'too many', { redis, prefix: `arena:ratelimit:away-${randomUUID()}:`, logger: pino({ level: 'silent' }) }));
    app.get('/', (_req, res) => void res.send('ok'));
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect((await fetch(url)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
