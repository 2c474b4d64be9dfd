import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunListener } from '../server/trainer/trainer.port.ts';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import { TrainJob, type RunResult, type TelemetryFrame } from '../shared/run.schema.ts';
import { startTestArena, waitFor } from './support/arena.ts';
import { sampleValue, scrape } from './support/prometheus.ts';
import { createTestDatabase, hasPostgres, hasRedis, TEST_REDIS_URL } from './support/services.ts';
import { cleanupQueue, startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const ready = (await hasPostgres()) && (await hasRedis());
const TOKEN = `admin-${randomUUID()}`;
const bearer = { headers: { authorization: `Bearer ${TOKEN}` } };

/** A listener that keeps a run's frames and settles when it ends. */
function recorder() {
  const frames: TelemetryFrame[] = [];
  let resolve!: (r: RunResult) => void;
  let reject!: (e: Error) => void;
  const settled = new Promise<RunResult>((res, rej) => ((resolve = res), (reject = rej)));
  settled.catch(() => {});
  const listener: RunListener = { onFrame: (f) => frames.push(f), onDone: resolve, onFailed: (m) => reject(new Error(m)) };
  return { frames, settled, listener };
}

describe.skipIf(!ready)('operations on an arena with Postgres, BullMQ and a worker process', () => {
  const queue = `arena-ops-test-${process.pid}-${Date.now()}`;
  const runIds: string[] = [];
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
  let worker: WorkerProcess;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    // One run at a time, so a second run waits on the queue.
    worker = startWorkerProcess(TEST_REDIS_URL, queue, { WORKER_CONCURRENCY: '1', LOG_LEVEL: 'info' });
    t = await startTestArena({ DATABASE_URL: tdb.url, REDIS_URL: TEST_REDIS_URL, ARENA_QUEUE: queue, ADMIN_TOKEN: TOKEN });
    await waitFor(async () => (await fetch(`${t.url}/health`).then((r) => r.json())).tfBackend === 'wasm', `the worker to report in (worker output: ${worker.log()})`, 30_000);
  });

  afterAll(async () => {
    await t?.stop();
    await worker?.kill('SIGTERM');
    const redis = new Redis(TEST_REDIS_URL);
    await cleanupQueue(redis, queue, runIds);
    redis.disconnect();
    await tdb?.drop();
  });

  it('serves Bull Board with the arena queue to the admin only', async () => {
    expect((await fetch(`${t.url}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${t.url}/admin/queues/api/queues`, { headers: { authorization: 'Bearer not-the-admin-token' } })).status).toBe(401);

    const page = await fetch(`${t.url}/admin/queues`, bearer);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<title>Gradient Arena</title>');
    // Bull Board asks for its assets and API relative to the path it was mounted at.
    expect(html).toContain('<base href="/admin/queues/"');

    // A browser opens the board once with ?token=; the cookie it gets must carry the page's own asset requests.
    const opened = await fetch(`${t.url}/admin/queues?token=${encodeURIComponent(TOKEN)}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(opened.status).toBe(303);
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!;
    const script = html.match(/<script defer src="([^"]+\.js)"/)?.[1];
    expect(script, 'a script in the Bull Board page').toBeTruthy();
    expect((await fetch(`${t.url}/admin/queues/${script}`)).status).toBe(401);
    const asset = await fetch(`${t.url}/admin/queues/${script}`, { headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);

    const api = await fetch(`${t.url}/admin/queues/api/queues`, bearer);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toEqual([queue]);
  });

  it('reports queue depth, active runs, samples and telemetry lag of runs a worker trains', async () => {
    const before = await scrape(t.url);
    expect(sampleValue(before, 'arena_queue_jobs', { queue, state: 'waiting' })).toBe(0);
    const samples0 = sampleValue(before, 'arena_training_samples_total');

    const jobs = [1, 2].map((seed) => TrainJob.parse({ runId: randomUUID(), spec: DEFAULT_SPEC, task: { name: 'spiral' }, seed, budget: 4000, paceMs: 2000 }));
    const runs = jobs.map(() => recorder());
    runIds.push(...jobs.map((j) => j.runId));
    for (const [i, job] of jobs.entries()) await t.arena.services.trainer.submit(job, runs[i]!.listener);

    // The worker takes one run at a time: while the first trains, the second waits on the queue.
    await waitFor(() => runs[0]!.frames.length > 0, `the first run's first frame (worker output: ${worker.log()})`);
    const mid = await scrape(t.url);
    expect(sampleValue(mid, 'arena_queue_jobs', { queue, state: 'active' })).toBe(1);
    expect(sampleValue(mid, 'arena_queue_jobs', { queue, state: 'waiting' })).toBe(1);
    expect(sampleValue(mid, 'arena_runs_active', { kind: 'train' })).toBe(2);
    expect(sampleValue(mid, 'arena_training_samples_per_second')).toBeGreaterThan(0);

    const results = await Promise.all(runs.map((r) => r.settled));
    // The listener hears the result on the run's stream a moment before BullMQ marks the job completed.
    await waitFor(async () => sampleValue(await scrape(t.url), 'arena_queue_jobs', { queue, state: 'active' }) === 0, 'the job to leave the active list', 10_000);
    const after = await scrape(t.url);
    const frames = runs.reduce((n, r) => n + r.frames.length, 0);
    expect(sampleValue(after, 'arena_queue_jobs', { queue, state: 'waiting' })).toBe(0);
    expect(sampleValue(after, 'arena_runs_active', { kind: 'train' })).toBe(0);
    expect(sampleValue(after, 'arena_training_samples_total') - samples0).toBe(results.reduce((n, r) => n + r.samples, 0));
    expect(sampleValue(after, 'arena_telemetry_lag_seconds_count')).toBe(frames);
    // Frames cross a Redis stream from another process: their lag is never exactly nothing.
    expect(sampleValue(after, 'arena_telemetry_lag_seconds_sum')).toBeGreaterThan(0);
    expect(sampleValue(after, 'arena_runs_ended_total', { kind: 'train', outcome: 'finished' })).toBe(2);
  });
});
