/**
 * Item "say what happens": a race on Postgres and BullMQ whose entries train in a worker process
 * that is SIGKILLed mid-run, with a second worker running. Through @colyseus/sdk, the players hear
 * "… resuming from step N" within 5 s of the kill (the workers run with their default lock and
 * stall settings), and the race still finishes and is stored with every entry's full budget and
 * the weights an unbroken run of the same job gives.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomNoticeMessage } from '../shared/protocol.ts';
import { workerHeartbeatKey } from '../contract/redis-keys.ts';
import type { RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { TrainJob } from '../shared/run.schema.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { guestClient, nextMessage, startTestArena, waitFor } from './support/arena.ts';
import { createTestDatabase, hasPostgres, hasRedis, TEST_REDIS_URL } from './support/services.ts';
import { cleanupQueue, startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const ready = (await hasPostgres()) && (await hasRedis());
/** The acceptance bound: from the kill to the room's notice. */
const NOTICE_WITHIN_MS = 5000;
const BUDGET = 24_000;
/** Steps between checkpoints (TrainJob's default): the step a run resumes from is a multiple of it. */
const CHECKPOINT_EVERY = 50;

describe.skipIf(!ready)('a worker killed mid-race: the room says "resuming from step N" within 5 s', () => {
  const queue = `arena-death-${process.pid}-${Date.now()}`;
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
  const workers: WorkerProcess[] = [];
  const logs = () => workers.map((w, i) => `--- worker ${i}\n${w.log().slice(-2000)}`).join('\n');

  beforeAll(async () => {
    tdb = await createTestDatabase();
    t = await startTestArena({ DATABASE_URL: tdb.url, REDIS_URL: TEST_REDIS_URL, ARENA_QUEUE: queue });
  });

  afterAll(async () => {
    await t?.stop();
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    const redis = new Redis(TEST_REDIS_URL);
    await cleanupQueue(redis, queue);
    redis.disconnect();
    await tdb?.drop();
  });

  it('SIGKILL of the worker training both entries: a notice per entry within 5 s, then the race finishes and is stored', async () => {
    // The first worker takes both entries; the second starts once they train there, so it is free to take them over.
    const first = startWorkerProcess(TEST_REDIS_URL, queue, { WORKER_CONCURRENCY: '2' });
    workers.push(first);
    const a = await (await guestClient(t.url, 'ada')).client.create<RaceState>('race', { budget: BUDGET, countdownSeconds: 60, paceSeconds: 30 });
    const b = await (await guestClient(t.url, 'bob')).client.joinById<RaceState>(a.roomId, {});
    b.onMessage('result', () => {});
    b.onMessage('notice', () => {});
    for (const r of [a, b]) r.onMessage('welcome', () => {});
    const notices: Array<{ message: string; at: number }> = [];
    a.onMessage('notice', (n: RoomNoticeMessage) => notices.push({ message: n.message, at: Date.now() }));
    const result = nextMessage<RaceResultMessage>(a, 'result', 240_000);
    a.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    b.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => [...a.state.entries.values()].every((e) => e.summary), 'specs accepted');
    a.send('ready', { ready: true });
    b.send('ready', { ready: true });
    const entries = () => [...a.state.entries.values()];
    await waitFor(() => entries().length === 2 && entries().every((e) => e.samples >= BUDGET / 4), `both entries a quarter through on the first worker (worker output: ${logs()})`, 120_000);
    const second = startWorkerProcess(TEST_REDIS_URL, queue, { WORKER_CONCURRENCY: '2' });
    workers.push(second);
    // Ready once its heartbeat is in Redis (written after its BullMQ worker is up).
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await waitFor(async () => (await redis.mget(...(await redis.keys(workerHeartbeatKey('*'))))).some((v) => v !== null && JSON.parse(v).pid === second.child.pid), `the second worker to be ready (${logs()})`, 60_000);
    } finally {
      redis.disconnect();
    }
    expect(entries().every((e) => e.samples < BUDGET)).toBe(true); // still mid-run
    // The steps the room had shown (no controls were sent: each entry keeps its spec's batch size).
    const batchOf: Record<string, number> = { ada: SPEC_TEMPLATES[0]!.spec.batchSize, bob: SPEC_TEMPLATES[1]!.spec.batchSize };
    const stepsAtKill = entries().map((e) => ({ player: e.player, step: Math.floor(e.samples / batchOf[e.player]!) }));

    const killedAt = Date.now();
    await first.kill('SIGKILL');
    await waitFor(() => notices.length >= 2, `a notice for each entry (notices: ${JSON.stringify(notices)}; ${logs()})`, 30_000);
    for (const { player, step } of stepsAtKill) {
      const notice = notices.find((n) => n.message.startsWith(`${player}'s run: `));
      expect(notice, `a notice for ${player}: ${JSON.stringify(notices)}`).toBeDefined();
      expect(notice!.message).toMatch(new RegExp(`^${player}'s run: training worker crashed; resuming from step \\d+$`));
      expect(notice!.at - killedAt, `${player}'s notice came ${notice!.at - killedAt} ms after the kill`).toBeLessThanOrEqual(NOTICE_WITHIN_MS);
      // From its last checkpoint: at or before the step the room last showed (plus what was in flight).
      const from = Number(/step (\d+)$/.exec(notice!.message)![1]);
      expect(from).toBeGreaterThan(0);
      expect(from % CHECKPOINT_EVERY).toBe(0);
      expect(from).toBeLessThanOrEqual(step + CHECKPOINT_EVERY);
    }
    expect(notices).toHaveLength(2); // once per entry: the worker that resumed each run does not say it again

    const outcome = await result;
    expect(outcome.matchId).toBeTruthy();
    const stored = await t.arena.services.matches.load(outcome.matchId!);
    expect(stored?.entries.map((e) => e.status)).toEqual(['finished', 'finished']);
    expect(stored?.entries.every((e) => e.samples === BUDGET)).toBe(true);
    expect(notices).toHaveLength(2);
    // Each resumed entry ends as if nothing had happened: the same job (no controls were sent) trained here without a break.
    await initBackend();
    for (const e of stored!.entries) {
      const unbroken = await runTraining(TrainJob.parse({ runId: e.runId, spec: e.spec, task: stored!.task, seed: stored!.seed, budget: stored!.budget, probeIntervalMs: 0 }));
      expect(e.weightsHash, `${e.player}'s weights`).toBe(unbroken.weightsHash);
    }
    await Promise.all([a.leave(), b.leave()]);
  }, 300_000);
});
