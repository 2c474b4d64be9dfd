import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { guestClient, nextMessage, startTestArena, waitFor } from './support/arena.ts';
import { createTestDatabase, hasPostgres, hasRedis, TEST_REDIS_URL } from './support/services.ts';

const ready = (await hasPostgres()) && (await hasRedis());

describe.skipIf(!ready)('a race on Postgres and BullMQ with a separate worker process', () => {
  const queue = `arena-test-${process.pid}-${Date.now()}`;
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
  let worker: ChildProcess;
  let workerLog = '';

  beforeAll(async () => {
    tdb = await createTestDatabase();
    worker = spawn(process.execPath, [fileURLToPath(new URL('../workers/worker.main.ts', import.meta.url))], {
      env: { ...process.env, REDIS_URL: TEST_REDIS_URL, ARENA_QUEUE: queue, WORKER_CONCURRENCY: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d) => (workerLog += d));
    worker.stderr!.on('data', (d) => (workerLog += d));
    t = await startTestArena({ DATABASE_URL: tdb.url, REDIS_URL: TEST_REDIS_URL, ARENA_QUEUE: queue });
  });

  afterAll(async () => {
    await t?.stop();
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`bull:${queue}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await tdb?.drop();
  });

  it('reports postgres and bullmq on /health, with the worker backend', async () => {
    const health = await waitFor(async () => {
      const h = await fetch(`${t.url}/health`).then((r) => r.json());
      return h.tfBackend === 'wasm' ? h : undefined;
    }, `the worker to report in (worker output: ${workerLog})`, 30_000);
    expect(health).toMatchObject({ status: 'ok', db: 'postgres', trainer: 'bullmq' });
  });

  it('trains every entry in the worker and stores the match in Postgres', async () => {
    const a = await (await guestClient(t.url, 'ada')).client.create<RaceState>('race', { budget: 6000, countdownSeconds: 60, paceSeconds: 5 }); // paced: telemetry is seen mid-run however fast the worker trains
    const b = await (await guestClient(t.url, 'bob')).client.joinById<RaceState>(a.roomId, {});
    b.onMessage('result', () => {});
    const result = nextMessage<RaceResultMessage>(a, 'result', 90_000);
    a.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    b.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => [...a.state.entries.values()].every((e) => e.summary), 'specs accepted');
    a.send('ready', { ready: true });
    b.send('ready', { ready: true });
    await waitFor(() => [...a.state.entries.values()].some((e) => e.samples > 0 && e.samples < 6000), 'telemetry from the worker mid-run');
    const outcome = await result;
    expect(outcome.matchId).toBeTruthy();
    const stored = await t.arena.services.matches.load(outcome.matchId!);
    expect(t.arena.database.kind).toBe('postgres');
    expect(stored?.entries.map((e) => e.status)).toEqual(['finished', 'finished']);
    expect(stored?.entries.every((e) => e.samples === 6000 && e.backend === 'wasm')).toBe(true);
    // Stored: the runs' jobs and streams, kept so that a restarted server could re-attach them, are dropped.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const kept = async () => (await Promise.all(stored!.entries.map(async (e) => [...(await redis.keys(`arena:run:${e.runId}:*`)), ...(await redis.keys(`bull:${queue}:${e.runId}`))]))).flat();
      await waitFor(async () => (await kept()).length === 0, 'the stored runs to be dropped from Redis', 10_000).catch(async () => expect(await kept()).toEqual([]));
    } finally {
      redis.disconnect();
    }
    await Promise.all([a.leave(), b.leave()]);
  });
});
