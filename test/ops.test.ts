import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../server/config.ts';
import { adminRoutes, monitorCoreMismatch } from '../server/ops/admin.routes.ts';
import { createOps } from '../server/ops/ops.ts';
import type { RunListener } from '../server/trainer/trainer.port.ts';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import type { RaceState } from '../shared/race.state.ts';
import { TrainJob, type RunResult, type TelemetryFrame } from '../shared/run.schema.ts';
import { arenaSuite, guestClient, waitFor } from './support/arena.ts';
import { sampleValue, scrape } from './support/prometheus.ts';

const TOKEN = `admin-${randomUUID()}`;
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** A listener that keeps what a run said and settles when it ends. */
function recorder() {
  const frames: TelemetryFrame[] = [];
  let resolve!: (r: RunResult) => void;
  let reject!: (e: Error) => void;
  const settled = new Promise<RunResult>((res, rej) => ((resolve = res), (reject = rej)));
  settled.catch(() => {});
  const failures: string[] = [];
  const listener: RunListener = {
    onFrame: (f) => frames.push(f),
    onDone: resolve,
    onFailed: (m) => {
      failures.push(m);
      reject(new Error(m));
    },
  };
  return { frames, failures, settled, listener };
}

/** Serves an express app on a free port. */
async function serve(app: express.Application): Promise<{ url: string; server: Server }> {
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('operations on the embedded arena', () => {
  const t = arenaSuite({ ADMIN_TOKEN: TOKEN });

  it('refuses the admin pages without the token or with a wrong one, and serves them with it', async () => {
    const none = await fetch(`${t.url}/admin/colyseus/`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await none.json()).error).toMatchObject({ code: 'ADMIN_TOKEN_REQUIRED', message: expect.stringContaining('Authorization: Bearer') });

    for (const wrong of [`${TOKEN}x`, TOKEN.slice(1), 'short']) {
      const res = await fetch(`${t.url}/admin/colyseus/`, bearer(wrong));
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('ADMIN_TOKEN_WRONG');
    }
    const wrongQuery = await fetch(`${t.url}/admin/queues?token=nope`);
    expect(wrongQuery.status).toBe(401);
    expect((await wrongQuery.json()).error.message).toMatch(/\?token= parameter/);

    // After the bad tries, the right token still works.
    const page = await fetch(`${t.url}/admin/colyseus/`, bearer(TOKEN));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<html/i);
    const index = await fetch(`${t.url}/admin`, bearer(TOKEN)).then((r) => r.json());
    expect(index.pages).toEqual({ queues: '/admin/queues', colyseus: '/admin/colyseus' });
  });

  it('trades ?token= for an HttpOnly cookie and a clean address, and takes the cookie afterwards', async () => {
    const first = await fetch(`${t.url}/admin/colyseus/?token=${encodeURIComponent(TOKEN)}&x=1`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/admin/colyseus/?x=1');
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Path=\/admin/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0]!;

    const again = await fetch(`${t.url}/admin/colyseus/`, { headers: { cookie } });
    expect(again.status).toBe(200);
    const tampered = await fetch(`${t.url}/admin/colyseus/`, { headers: { cookie: `${cookie}x` } });
    expect(tampered.status).toBe(401);
    expect((await tampered.json()).error.message).toMatch(/cookie/);
  });

  it('says the embedded trainer has no queue for Bull Board', async () => {
    const res = await fetch(`${t.url}/admin/queues`, bearer(TOKEN));
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error.code).toBe('NO_QUEUE');
    expect(body.error.message).toMatch(/REDIS_URL/);
  });

  it('counts rooms and clients on /metrics, and the monitor sees the room or says why it cannot', async () => {
    const before = await scrape(t.url);
    expect(sampleValue(before, 'arena_rooms', { room: 'race' })).toBe(0);
    const { client } = await guestClient(t.url, 'ops');
    const room = await client.create<RaceState>('race', { countdownSeconds: 60 });
    const during = await scrape(t.url);
    expect(sampleValue(during, 'arena_rooms', { room: 'race' })).toBe(1);
    expect(sampleValue(during, 'arena_room_clients', { room: 'race' })).toBe(1);

    const api = await fetch(`${t.url}/admin/colyseus/api`, bearer(TOKEN));
    const mismatch = monitorCoreMismatch();
    if (mismatch) {
      // The installed monitor was built for another Colyseus: it must say so, not fail on an undefined driver.
      expect(api.status).toBe(501);
      expect((await api.json()).error).toEqual({ code: 'MONITOR_MISMATCH', message: mismatch });
    } else {
      expect(api.status).toBe(200);
      expect((await api.json()).rooms.map((r: { roomId: string }) => r.roomId)).toContain(room.roomId);
    }

    await room.leave();
    await waitFor(async () => sampleValue(await scrape(t.url), 'arena_rooms', { room: 'race' }) === 0, 'the empty room to be disposed and uncounted', 10_000);
  });

  it('reports a real run on /metrics: active while it trains, then its samples, frames and outcome', async () => {
    const samples0 = sampleValue(await scrape(t.url), 'arena_training_samples_total');
    const job = TrainJob.parse({ runId: randomUUID(), spec: DEFAULT_SPEC, task: { name: 'spiral' }, seed: 4, budget: 6000, paceMs: 2500 });
    const run = recorder();
    await t.arena.services.trainer.submit(job, run.listener);

    await waitFor(() => run.frames.length > 0, 'the first frame');
    const mid = await scrape(t.url);
    expect(sampleValue(mid, 'arena_runs_active', { kind: 'train' })).toBe(1);
    expect(sampleValue(mid, 'arena_queue_jobs', { queue: 'embedded', state: 'active' })).toBe(1);
    expect(sampleValue(mid, 'arena_queue_jobs', { queue: 'embedded', state: 'waiting' })).toBe(0);
    expect(sampleValue(mid, 'arena_training_samples_per_second')).toBeGreaterThan(0);
    expect(sampleValue(mid, 'arena_training_samples_per_second')).toBe(run.frames.at(-1)!.samplesPerSec);

    const result = await run.settled;
    const after = await scrape(t.url);
    expect(sampleValue(after, 'arena_runs_active', { kind: 'train' })).toBe(0);
    expect(sampleValue(after, 'arena_training_samples_per_second')).toBe(0);
    expect(sampleValue(after, 'arena_training_samples_total') - samples0).toBe(result.samples);
    expect(sampleValue(after, 'arena_telemetry_lag_seconds_count')).toBe(run.frames.length);
    expect(sampleValue(after, 'arena_telemetry_lag_seconds_sum')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(after, 'arena_telemetry_lag_seconds_bucket', { le: '+Inf' })).toBe(run.frames.length);
    expect(sampleValue(after, 'arena_runs_ended_total', { kind: 'train', outcome: 'finished' })).toBe(1);
    expect(sampleValue(after, 'arena_runs_started_total', { kind: 'train' })).toBe(1);
    expect(after.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
  });

  it('counts a refused run as failed and a cancelled one as cancelled, and neither stays active', async () => {
    const bad = recorder();
    const invalid = { ...TrainJob.parse({ runId: randomUUID(), spec: DEFAULT_SPEC, task: { name: 'spiral' }, seed: 1, budget: 100 }), budget: 0 };
    await t.arena.services.trainer.submit(invalid, bad.listener);
    expect(bad.failures[0]).toMatch(/budget/);

    const long = recorder();
    const job = TrainJob.parse({ runId: randomUUID(), spec: DEFAULT_SPEC, task: { name: 'spiral' }, seed: 2, budget: 1_000_000, paceMs: 60_000 });
    await t.arena.services.trainer.submit(job, long.listener);
    await waitFor(() => long.frames.length > 0, 'the long run to start');
    await t.arena.services.trainer.cancel(job.runId);

    const after = await scrape(t.url);
    expect(sampleValue(after, 'arena_runs_ended_total', { kind: 'train', outcome: 'failed' })).toBe(1);
    expect(sampleValue(after, 'arena_runs_ended_total', { kind: 'train', outcome: 'cancelled' })).toBe(1);
    expect(sampleValue(after, 'arena_runs_active', { kind: 'train' })).toBe(0);
  });
});

describe('operations settings', () => {
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it('answers every admin page 404 with how to turn them on when ADMIN_TOKEN is not set', async () => {
    const app = express();
    app.use('/admin', adminRoutes({ token: undefined, queue: undefined }));
    const { url, server } = await serve(app);
    servers.push(server);
    for (const page of ['/admin', '/admin/queues', '/admin/colyseus/', '/admin/colyseus/api']) {
      const res = await fetch(`${url}${page}`, bearer('anything-at-all-long-enough'));
      expect(res.status, page).toBe(404);
      const body = await res.json();
      expect(body.error.code).toBe('ADMIN_DISABLED');
      expect(body.error.message).toMatch(/set ADMIN_TOKEN/);
    }
  });

  it('refuses a short ADMIN_TOKEN at start-up, naming it', () => {
    expect(() => readConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN must be at least 16 characters/);
    expect(() => readConfig({ METRICS_AUTH: 'sometimes' })).toThrow(/METRICS_AUTH/);
  });

  it('puts /metrics behind the admin token with METRICS_AUTH=admin', async () => {
    const ops = createOps(readConfig({ METRICS_AUTH: 'admin', ADMIN_TOKEN: TOKEN }), undefined);
    const app = express();
    ops.mount(app);
    const { url, server } = await serve(app);
    servers.push(server);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, bearer(`${TOKEN}-`))).status).toBe(401);
    const samples = await scrape(url, bearer(TOKEN));
    expect(sampleValue(samples, 'arena_runs_active', { kind: 'train' })).toBe(0);
    await ops.close();
  });
});
