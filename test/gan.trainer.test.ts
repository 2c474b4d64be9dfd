/**
 * GAN runs through the trainer port, on both adapters: worker threads in this
 * process and a BullMQ queue with a real worker process on real Redis.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BullmqTrainer } from '../server/trainer/bullmq.trainer.ts';
import { LocalTrainer } from '../server/trainer/local.trainer.ts';
import type { GanListener, Trainer } from '../server/trainer/trainer.port.ts';
import { GanJob, type GanFrame, type GanResult } from '../shared/gan.schema.ts';
import { waitFor } from './support/arena.ts';
import { hasRedis, TEST_REDIS_URL } from './support/services.ts';
import { cleanupQueue, startWorkerProcess } from './support/worker-process.ts';

const redisReady = await hasRedis();

const ganJob = (iterations: number) =>
  GanJob.parse({
    runId: crypto.randomUUID(),
    distribution: 'ring',
    seed: 21,
    iterations,
    batchSize: 64,
    latentDim: 2,
    generator: { layers: [{ units: 16, activation: 'relu' }], learningRate: 0.002 },
    discriminator: { layers: [{ units: 16, activation: 'relu' }], learningRate: 0.002 },
    frameEveryIterations: 10,
    heatmapResolution: 8,
  });

function recorder(): GanListener & { frames: GanFrame[]; done?: GanResult; failed?: string; ended: Promise<void> } {
  let end!: () => void;
  const r = {
    frames: [] as GanFrame[],
    done: undefined as GanResult | undefined,
    failed: undefined as string | undefined,
    ended: new Promise<void>((res) => (end = res)),
    onFrame: (f: GanFrame) => void r.frames.push(f),
    onDone: (result: GanResult) => {
      r.done = result;
      end();
    },
    onFailed: (message: string) => {
      r.failed = message;
      end();
    },
  };
  return r;
}

const hashes = new Map<string, string>();

describe.each([
  { name: 'local', available: true },
  { name: 'bullmq', available: redisReady },
])('GAN runs through the $name trainer', ({ name, available }) => {
  const queue = `gan-test-${process.pid}-${Date.now()}`;
  const runIds: string[] = [];
  let trainer: Trainer;
  let redis: Redis | undefined;
  let worker: ReturnType<typeof startWorkerProcess> | undefined;
  afterAll(async () => {
    await trainer?.close();
    await worker?.kill('SIGTERM');
    if (redis) {
      await cleanupQueue(redis, queue, runIds);
      redis.disconnect();
    }
  });

  it.skipIf(!available)('trains to one result after its frames, fails an invalid job at once, and stops on cancel', async () => {
    if (name === 'local') trainer = new LocalTrainer({ threads: 1 });
    else {
      redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
      worker = startWorkerProcess(TEST_REDIS_URL, queue, { WORKER_CONCURRENCY: '2' });
      trainer = new BullmqTrainer({ redis, queueName: queue });
    }
    const job = ganJob(60);
    runIds.push(job.runId);
    const run = recorder();
    await trainer.submitGan(job, run);
    await run.ended;
    expect(run.failed, worker?.log()).toBeUndefined();
    expect(run.frames.map((f) => f.iteration)).toEqual([10, 20, 30, 40, 50, 60]);
    for (const f of run.frames) {
      expect(f.runId).toBe(job.runId);
      expect(f.heatmap.values).toHaveLength(64);
      expect(f.generated).toHaveLength(512);
      expect(Number.isFinite(f.distance) && Number.isFinite(f.dLoss) && Number.isFinite(f.gLoss)).toBe(true);
    }
    expect(run.done).toMatchObject({ runId: job.runId, iterations: 60 });
    expect(run.done!.weightsHash).toMatch(/^[0-9a-f]{64}$/);
    hashes.set(name, run.done!.weightsHash);

    const invalid = recorder();
    await trainer.submitGan({ ...ganJob(10), batchSize: 1 }, invalid);
    await invalid.ended;
    expect(invalid.failed).toMatch(/invalid GAN run: batchSize/);

    const long = ganJob(1_000_000);
    runIds.push(long.runId);
    const cancelled = recorder();
    await trainer.submitGan(long, cancelled);
    await waitFor(() => cancelled.frames.length >= 2, `the long run's frames (worker output: ${worker?.log() ?? ''})`, 30_000);
    await trainer.cancel(long.runId);
    const heard = cancelled.frames.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(cancelled.frames.length).toBe(heard);
    expect(cancelled.done).toBeUndefined();
    if (redis) {
      const { Queue } = await import('bullmq');
      const q = new Queue(queue, { connection: redis });
      await waitFor(async () => ((await (await q.getJob(long.runId))?.getState()) === 'failed' ? true : undefined), 'the cancelled GAN job to end', 10_000);
      await q.close();
    }
  });
});

describe('GAN runs on either adapter', () => {
  it.skipIf(!redisReady)('come to the same weights (same backend, same job)', () => {
    expect(hashes.get('bullmq')).toBe(hashes.get('local'));
  });
});
