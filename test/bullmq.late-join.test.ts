/**
 * A server that starts after a run began (or restarts) follows it with
 * `attach` and catches up from the run's telemetry stream: every frame the
 * stream holds, from the start, then live, then the one done.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqTrainer } from '../server/trainer/bullmq.trainer.ts';
import { TELEMETRY_MAXLEN, telemetryKey } from '../contract/redis-keys.ts';
import { TrainJob, type RunResult, type TelemetryFrame } from '../shared/run.schema.ts';
import { RunState } from '../workers/run-state.ts';
import { RunRecorder, waitFor } from './support/run-recorder.ts';
import { hasRedis, TEST_REDIS_URL } from './support/services.ts';
import { cleanupQueue, startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const redisReady = await hasRedis();

const job = (seed: number, paceMs = 0) =>
  TrainJob.parse({
    runId: `late-${crypto.randomUUID()}`,
    spec: { layers: [{ units: 160, activation: 'relu' }, { units: 160, activation: 'relu' }], optimizer: 'adam', learningRate: 0.005, batchSize: 32 },
    task: { name: 'spiral' },
    seed,
    budget: 9600,
    paceMs,
  });

describe.skipIf(!redisReady)('a late-joining server catches up from the stream (BullMQ, real worker process)', () => {
  const queueName = `arena-late-${process.pid}-${Date.now()}`;
  const runIds: string[] = [];
  let redis: Redis;
  let worker: WorkerProcess;
  let first: BullmqTrainer;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    worker = startWorkerProcess(TEST_REDIS_URL, queueName, { WORKER_CONCURRENCY: '1' });
    first = new BullmqTrainer({ redis, queueName });
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await first?.close();
    await cleanupQueue(redis, queueName, runIds);
    redis?.disconnect();
  });

  /** A second server process, as far as Redis can tell: its own connections, queue and reader. */
  const secondServer = () => {
    const conn = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const trainer = new BullmqTrainer({ redis: conn, queueName });
    return { trainer, close: async () => (await trainer.close(), conn.disconnect()) };
  };

  it('a server started mid-run hears every frame from the first one, then the same single done', async () => {
    const j = job(41, 6000); // paced, so the second server joins mid-run however fast the worker trains
    runIds.push(j.runId);
    const rec = new RunRecorder();
    const submitted = await rec.submit(first, j);
    await waitFor(() => submitted.frames.length >= 5, `the run to be well under way (worker output: ${worker.log()})`, 60_000);
    const late = secondServer();
    try {
      const followed = rec.listen(j.runId);
      const framesBeforeAttach = submitted.frames.length;
      await late.trainer.attach(j, followed.listener);
      const [a, b] = await Promise.all([submitted.settled, followed.settled]);
      await new Promise((r) => setTimeout(r, 300));
      expect(b).toEqual(a);
      expect(followed.done).toHaveLength(1);
      expect(followed.failed).toEqual([]);
      // Caught up: the frames sent before it attached, and everything after, in the same order.
      expect(followed.frames.length).toBeGreaterThan(framesBeforeAttach);
      expect(followed.frames.map((f) => [f.step, f.loss])).toEqual(submitted.frames.map((f) => [f.step, f.loss]));
      expect(followed.frames[0]!.step).toBe(submitted.frames[0]!.step);
    } finally {
      await late.close();
    }
  });

  it('a server started after the run ended still gets its whole curve and result from the stream', async () => {
    const j = job(42);
    runIds.push(j.runId);
    const rec = new RunRecorder();
    const submitted = await rec.submit(first, j);
    const result = await submitted.settled;
    const late = secondServer();
    try {
      const followed = rec.listen(j.runId);
      await late.trainer.attach(j, followed.listener);
      expect(await followed.settled).toEqual(result);
      expect(followed.frames.map((f) => f.step)).toEqual(submitted.frames.map((f) => f.step));
    } finally {
      await late.close();
    }
  });

  it('a run longer than the stream keeps: a late server gets the retained tail, in order, up to the last frame, and the done', async () => {
    const runId = `late-capped-${crypto.randomUUID()}`;
    runIds.push(runId);
    // Written the way a worker writes (RunState), faster than any run could: more frames than the stream keeps.
    const writer = new RunState(redis, runId);
    const total = TELEMETRY_MAXLEN + 3000;
    const frame = (step: number): TelemetryFrame => ({ runId, step, samples: step * 32, flops: step * 1e4, loss: 1 / step, accuracy: 0.5, valLoss: 1 / step, valAccuracy: 0.5, learningRate: 0.01, batchSize: 32, samplesPerSec: 1000, layers: [], createdAt: Date.now() });
    for (let step = 1; step <= total; step++) writer.frame(frame(step));
    const result: RunResult = { runId, status: 'finished', steps: total, samples: total * 32, flops: 0, final: { loss: 0, accuracy: 1, valLoss: 0, valAccuracy: 1 }, heldOutAccuracy: 1, weightsHash: 'h', backend: 'wasm', samplesPerSec: 1, durationMs: 1, controls: [] };
    writer.done(result);
    await writer.flush();
    const kept = await redis.xlen(telemetryKey(runId));
    expect(kept).toBeLessThan(total); // capped...
    expect(kept).toBeGreaterThanOrEqual(TELEMETRY_MAXLEN); // ...approximately (MAXLEN ~), never below the cap

    const late = secondServer();
    try {
      const rec = new RunRecorder();
      const followed = rec.listen(runId);
      await late.trainer.attach({ ...job(0), runId }, followed.listener);
      expect(await followed.settled).toEqual(result);
      const steps = followed.frames.map((f) => f.step);
      expect(steps).toHaveLength(kept - 1); // every entry but the done is a frame
      expect(steps.at(-1)).toBe(total);
      expect(steps.every((s, i) => i === 0 || s === steps[i - 1]! + 1)).toBe(true); // a contiguous tail
    } finally {
      await late.close();
    }
  });
});
