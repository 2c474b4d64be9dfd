/**
 * A server that goes down while its runs train in BullMQ workers loses none of them: the runs go on in the
 * worker process, their telemetry stays in Redis, and a fresh trainer (the restarted server) re-attaches
 * each run by id with `Trainer.attach` and hears it to the end exactly as a live listener would, also when
 * the run ended, failed, or lost its worker while the server was down.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqTrainer } from '../server/trainer/bullmq.trainer.ts';
import type { RecoveryInfo } from '../server/trainer/trainer.port.ts';
import { Control } from '../shared/control.schema.ts';
import { controlsKey, telemetryKey } from '../contract/redis-keys.ts';
import { TrainJob, type RunResult } from '../shared/run.schema.ts';
import { FromTrainer } from '../contract/trainer.messages.ts';
import { readStreamEntry, streamFields } from '../contract/trainer.wire.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { RunRecorder, waitFor, type RecordedRun } from './support/run-recorder.ts';
import { hasRedis, TEST_REDIS_URL } from './support/services.ts';
import { cleanupQueue, startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const ready = await hasRedis();

/** A small run stretched over `paceMs`, so that it is still training while the server is away. */
const job = (seed: number, paceMs: number) =>
  TrainJob.parse({
    runId: `reattach-${crypto.randomUUID()}`,
    spec: { layers: [{ units: 12, activation: 'tanh' }, { units: 8, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 },
    task: { name: 'spiral' },
    seed,
    budget: 8000,
    paceMs,
    checkpointEverySteps: 20,
    controls: [{ step: 40, control: { type: 'setLearningRate', learningRate: 0.005 } }],
  });

describe.skipIf(!ready)('a restarted server re-attaches its BullMQ runs (real Redis, real worker processes)', () => {
  const queueName = `arena-reattach-${process.pid}-${Date.now()}`;
  const runIds: string[] = [];
  const conns: Redis[] = [];
  const workers: WorkerProcess[] = [];
  let redis: Redis;
  let queue: Queue;

  /** A server's trainer, on connections of its own (what a server process makes at start-up). */
  const server = () => {
    const conn = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    conns.push(conn);
    return new BullmqTrainer({ redis: conn, queueName });
  };
  const startWorker = (env: Record<string, string> = {}) => {
    const w = startWorkerProcess(TEST_REDIS_URL, queueName, { WORKER_CONCURRENCY: '2', WORKER_LOCK_MS: '3000', ...env });
    workers.push(w);
    return w;
  };
  const workerLogs = () => workers.map((w) => w.log()).join('\n');
  const stateOf = async (runId: string) => (await queue.getJob(runId))?.getState() ?? 'unknown';
  /** The samples of every frame the run's stream holds, in order. */
  /** The trainer wire type of each entry of a run's telemetry stream. */
  const streamTypes = async (runId: string) => (await redis.xrangeBuffer(telemetryKey(runId), '-', '+')).map(([, f]) => { const read = readStreamEntry(FromTrainer, runId, f); return read.ok ? read.msg.type : 'unreadable'; });
  const streamFrames = async (runId: string) => (await streamTypes(runId)).filter((t) => t === 'frame').length;
  /** What the same run gives when nothing breaks: its own control log replayed in this process. */
  const unbroken = async (j: TrainJob, r: RunResult) => (await runTraining({ ...j, paceMs: 0, controls: r.controls })).weightsHash;
  /** A recording listener that also keeps the recoveries it hears of. */
  const listen = (rec: RunRecorder, runId: string): RecordedRun & { recovered: RecoveryInfo[] } => {
    const run = rec.listen(runId);
    const recovered: RecoveryInfo[] = [];
    run.listener.onRecovered = (info) => recovered.push(info);
    return Object.assign(run, { recovered });
  };
  const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

  beforeAll(async () => {
    await initBackend();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(queueName, { connection: redis });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await queue?.close();
    await cleanupQueue(redis, queueName, runIds);
    for (const c of conns) c.disconnect();
    redis?.disconnect();
  });

  it('closed mid-run: the run trains on without it; a fresh trainer attaches after what it had heard and gets the rest, once, ending as an unbroken run', async () => {
    startWorker();
    const j = job(7, 8000);
    runIds.push(j.runId);
    const before = server();
    const rec = new RunRecorder();
    const first = await rec.submit(before, j);
    await waitFor(() => first.frames.length >= 3, `the run to get going (worker output: ${workerLogs()})`, 60_000);
    await before.control(j.runId, Control.parse({ type: 'setBatchSize', batchSize: 24 }));
    await waitFor(() => first.events.some((e) => e.type === 'control' && (e.control as Control).type === 'setBatchSize'), 'the live control to take effect', 30_000);
    await before.close(); // the server goes down
    const heard = first.frames.at(-1)!.samples;
    const streamedWhileDown = await streamFrames(j.runId);
    await waitFor(async () => (await streamFrames(j.runId)) > streamedWhileDown + 2, 'the run to train on with no server', 30_000);
    expect(await stateOf(j.runId)).toBe('active');

    const after = server();
    const second = listen(rec, j.runId);
    await after.attach(j, second.listener, { afterSamples: heard });
    const result = await second.settled;
    await new Promise((r) => setTimeout(r, 300)); // nothing more may come
    expect(second.done).toEqual([result]);
    expect(second.failed).toEqual([]);
    expect(first.done).toEqual([]);
    // The rest of the run, once: nothing the first listener had, nothing twice, no gap.
    const samples = second.frames.map((f) => f.samples);
    expect(samples[0]).toBeGreaterThan(heard);
    expect(increasing(samples)).toBe(true);
    expect(first.frames.length + second.frames.length).toBe(await streamFrames(j.runId));
    expect(second.events.some((e) => e.samples <= heard)).toBe(false);
    expect(second.recovered).toEqual([]);
    // The same result as a run nobody interrupted: both controls in its log, the same weights.
    expect(result.samples).toBe(j.budget);
    expect(result.controls.map((c) => c.control.type).sort()).toEqual(['setBatchSize', 'setLearningRate']);
    expect(result.weightsHash).toBe(await unbroken(j, result));
    await after.close();
  }, 180_000);

  it('a run that ended while the server was down: attached from the start, its whole curve and its one result; forget then drops its job and streams', async () => {
    const j = job(8, 1500);
    runIds.push(j.runId);
    const before = server();
    const rec = new RunRecorder();
    const first = await rec.submit(before, j);
    await waitFor(() => first.frames.length >= 1, `the run to start (worker output: ${workerLogs()})`, 60_000);
    await before.close();
    await waitFor(async () => (await stateOf(j.runId)) === 'completed', 'the run to complete with no server', 60_000);

    const after = server();
    const second = listen(rec, j.runId);
    await after.attach(j, second.listener);
    const result = await second.settled;
    await new Promise((r) => setTimeout(r, 300));
    expect(second.done).toEqual([result]);
    expect(second.frames.length).toBe(await streamFrames(j.runId));
    expect(increasing(second.frames.map((f) => f.samples))).toBe(true);
    expect(result.weightsHash).toBe(await unbroken(j, result));

    // Once its telemetry stream has expired, the queue's record of the job still answers.
    await redis.del(telemetryKey(j.runId));
    const third = listen(rec, j.runId);
    await after.attach(j, third.listener);
    expect(await third.settled).toEqual(result);
    expect(third.frames).toEqual([]);

    // Stored: the trainer forgets it.
    await redis.xadd(telemetryKey(j.runId), '*', ...streamFields({ type: 'done', result }));
    await after.forget(j.runId);
    expect(await stateOf(j.runId)).toBe('unknown');
    expect(await redis.exists(telemetryKey(j.runId), controlsKey(j.runId))).toBe(0);
    await after.close();
  }, 180_000);

  it('a run the queue never got (the server died before queueing it) is queued on attach and ends as an unbroken run', async () => {
    const j = job(9, 0);
    runIds.push(j.runId);
    const after = server();
    const rec = new RunRecorder();
    const run = listen(rec, j.runId);
    await after.attach(j, run.listener);
    const result = await run.settled;
    expect(run.done).toHaveLength(1);
    expect(result.weightsHash).toBe(await unbroken(j, result));
    await after.close();
  }, 180_000);

  it('a run that failed for good while the server was down: attach hears the failure, once', async () => {
    const runId = `reattach-bad-${crypto.randomUUID()}`;
    runIds.push(runId);
    const bad = { runId, spec: { layers: [{ units: 0, activation: 'relu' }] }, task: {}, seed: 1, budget: 10 };
    await queue.add('train', bad, { jobId: runId, attempts: 3 });
    await waitFor(async () => (await stateOf(runId)) === 'failed', 'the invalid run to fail', 60_000);
    const after = server();
    const run = listen(new RunRecorder(), runId);
    await after.attach(bad as unknown as TrainJob, run.listener);
    await expect(run.settled).rejects.toThrow(/invalid run: .*units/s);
    await new Promise((r) => setTimeout(r, 300));
    expect(run.failed).toHaveLength(1);
    await after.close();
  }, 60_000);

  it('its worker killed while the server was down: another worker resumes it, and the attached listener hears each frame once, one recovery, and the unbroken result', async () => {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    const doomed = startWorker({ WORKER_CONCURRENCY: '1' });
    const j = job(10, 8000);
    runIds.push(j.runId);
    const before = server();
    const rec = new RunRecorder();
    const first = await rec.submit(before, j);
    await waitFor(() => first.frames.some((f) => f.step >= 45), `the run to pass a checkpoint (worker output: ${workerLogs()})`, 60_000);
    await before.close();
    await doomed.kill('SIGKILL');
    startWorker({ WORKER_CONCURRENCY: '1' });
    await waitFor(async () => (await streamTypes(j.runId)).includes('recovered'), `another worker to resume the run (worker output: ${workerLogs()})`, 60_000);

    const after = server();
    const run = listen(rec, j.runId);
    await after.attach(j, run.listener);
    const result = await run.settled;
    const samples = run.frames.map((f) => f.samples);
    expect(increasing(samples)).toBe(true); // the resumed worker's repeats are not passed on
    expect(samples.at(-1)).toBe(j.budget);
    expect(run.frames.length).toBeLessThan(await streamFrames(j.runId)); // ...though the stream holds them
    expect(run.recovered).toEqual([{ reason: 'training worker crashed', fromStep: expect.any(Number) }]);
    expect(run.recovered[0]!.fromStep).toBeGreaterThanOrEqual(20);
    expect(result.weightsHash).toBe(await unbroken(j, result));
    await after.close();
  }, 180_000);
});
