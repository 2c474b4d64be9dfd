import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqTrainer } from '../server/trainer/bullmq.trainer.ts';
import type { RecoveryInfo } from '../server/trainer/trainer.port.ts';
import { Control } from '../shared/control.schema.ts';
import { checkpointKey } from '../contract/redis-keys.ts';
import { TrainJob, type RunResult, type TelemetryFrame } from '../shared/run.schema.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { waitFor } from './support/run-recorder.ts';
import { hasRedis, TEST_REDIS_URL } from './support/services.ts';

const ready = await hasRedis();
const WORKER = fileURLToPath(new URL('../workers/worker.main.ts', import.meta.url));

/**
 * A run with a scheduled control, paced over six seconds so a worker is killed while it trains
 * however fast the engine is (pacing changes nothing the run computes).
 */
const job = (n: number) =>
  TrainJob.parse({
    runId: crypto.randomUUID(),
    spec: { layers: [{ units: 160, activation: 'relu' }, { units: 160, activation: 'relu' }], optimizer: 'adam', learningRate: 0.005, batchSize: 32 },
    task: { name: 'spiral' },
    seed: 100 + n,
    budget: 9600,
    checkpointEverySteps: 20,
    paceMs: 6000,
    controls: [{ step: 30, control: { type: 'setLearningRate', learningRate: 0.003 } }],
  });

describe.skipIf(!ready)('BullMQ workers lose nothing when they crash or shut down (real Redis, worker processes)', () => {
  const queueName = `arena-recovery-${process.pid}-${Date.now()}`;
  const workers: ChildProcess[] = [];
  let redis: Redis;
  let trainer: BullmqTrainer;
  let log = '';

  function startWorker(): ChildProcess {
    const w = spawn(process.execPath, [WORKER], {
      env: { ...process.env, REDIS_URL: TEST_REDIS_URL, ARENA_QUEUE: queueName, WORKER_CONCURRENCY: '2', WORKER_LOCK_MS: '3000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    w.stdout!.on('data', (d) => (log += d));
    w.stderr!.on('data', (d) => (log += d));
    workers.push(w);
    return w;
  }

  const exited = (w: ChildProcess) => (w.exitCode !== null || w.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => w.once('exit', () => r())));

  /** Submits a job; resolves with its result, and tracks the last frame it sent and the recoveries the server heard of. */
  function submit(j: TrainJob) {
    const seen = { frame: undefined as TelemetryFrame | undefined, recovered: [] as RecoveryInfo[] };
    const done = new Promise<RunResult>((resolve, reject) => {
      void trainer.submit(j, { onFrame: (f) => (seen.frame = f), onRecovered: (r) => seen.recovered.push(r), onDone: resolve, onFailed: (m) => reject(new Error(m)) });
    });
    return { seen, done };
  }

  /** What the same run gives when nothing breaks: replay its own control log in this process. */
  async function unbroken(j: TrainJob, r: RunResult): Promise<string> {
    return (await runTraining({ ...j, paceMs: 0, controls: r.controls })).weightsHash;
  }

  beforeAll(async () => {
    await initBackend();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    trainer = new BullmqTrainer({ redis, queueName });
  });

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await Promise.all(workers.map(exited));
    await trainer?.close();
    const keys = await redis.keys(`bull:${queueName}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('a worker killed with SIGKILL mid-run: every run still completes, each with the weights hash of an unbroken run', async () => {
    const a = startWorker();
    startWorker();
    const jobs = [0, 1, 2].map(job);
    const runs = jobs.map(submit);
    await waitFor(() => runs.every((r) => (r.seen.frame?.step ?? 0) >= 40), `every run to pass step 40 (worker output: ${log})`, 60_000);
    // A live control on the first run, so the resumed run must replay it from the durable log.
    await trainer.control(jobs[0]!.runId, Control.parse({ type: 'setBatchSize', batchSize: 24 }));
    await new Promise((r) => setTimeout(r, 300));
    a.kill('SIGKILL');
    const results = await Promise.all(runs.map((r) => r.done));
    for (const [i, r] of results.entries()) {
      expect(r.samples).toBe(9600);
      expect(r.weightsHash).toBe(await unbroken(jobs[i]!, r));
    }
    expect(results[0]!.controls.map((c) => c.control.type)).toEqual(['setLearningRate', 'setBatchSize']);
    // The killed worker held runs: BullMQ found them stalled and another worker resumed them.
    const queue = new Queue(queueName, { connection: redis });
    const stalled = await Promise.all(jobs.map(async (j) => (await queue.getJob(j.runId))!.stalledCounter));
    expect(stalled.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(1);
    // The server heard which runs were resumed, and from where: exactly those BullMQ found stalled.
    for (const [i, r] of runs.entries()) {
      expect(r.seen.recovered.length > 0).toBe(stalled[i]! > 0);
      for (const info of r.seen.recovered) expect(info).toEqual({ reason: 'training worker crashed', fromStep: expect.any(Number) });
    }
    expect(runs.flatMap((r) => r.seen.recovered).some((info) => info.fromStep >= 40)).toBe(true);
    await queue.close();
  }, 180_000);

  it('SIGTERM hands the runs back with a checkpoint; another worker finishes them; none completes twice', async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await Promise.all(workers.map(exited));
    const events = new QueueEvents(queueName, { connection: redis.duplicate() });
    await events.waitUntilReady();
    const completions: string[] = [];
    events.on('completed', ({ jobId }) => completions.push(jobId));
    try {
      const w = startWorker();
      const j = job(9);
      const run = submit(j);
      await waitFor(() => (run.seen.frame?.step ?? 0) >= 40, 'the run to get going', 60_000);
      const t = Date.now();
      w.kill('SIGTERM');
      await exited(w);
      expect(Date.now() - t).toBeLessThan(10_000);
      expect(w.exitCode).toBe(0);
      const queue = new Queue(queueName, { connection: redis });
      const handedBack = await queue.getJob(j.runId);
      expect(await handedBack!.getState()).toBe('waiting');
      expect(await redis.exists(checkpointKey(j.runId))).toBe(1);
      startWorker();
      const result = await run.done;
      expect(result.weightsHash).toBe(await unbroken(j, result));
      expect(run.seen.recovered).toEqual([{ reason: 'training worker shut down', fromStep: expect.any(Number) }]);
      expect(run.seen.recovered[0]!.fromStep).toBeGreaterThanOrEqual(40);
      await new Promise((r) => setTimeout(r, 500));
      expect(completions.filter((id) => id === j.runId)).toHaveLength(1);
      await queue.close();
    } finally {
      await events.close();
    }
  }, 180_000);

  it('a run whose spec can never train fails at once with the reason, and is not retried', async () => {
    const queue = new Queue(queueName, { connection: redis });
    const bad = await queue.add('train', { runId: 'bad', spec: { layers: [{ units: -4, activation: 'relu' }] }, task: {}, seed: 1, budget: 10 }, { attempts: 3, jobId: `bad-${Date.now()}` });
    const failed = await waitFor(async () => ((await bad.isFailed()) ? await queue.getJob(bad.id!) : undefined), 'the bad run to fail', 30_000);
    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toMatch(/invalid run: .*spec\.layers\[0\]\.units|units must be at least 1/s);
    await queue.close();
  }, 60_000);
});
