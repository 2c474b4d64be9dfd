/**
 * Redis crashes (SIGKILL: no shutdown, no final save) mid-run and comes back
 * on the same port.
 *
 * With persistence, as production Redis for BullMQ should run (append-only,
 * fsynced on every write, as docker-compose.yml has it), the queue, the run's
 * lock, checkpoint and streams survive: the run completes exactly as if
 * nothing happened, on its first attempt, and the server hears its done.
 *
 * With none, Redis comes back empty. The worker still holds the run and
 * finishes it, and the server still hears it end (its stream is written
 * afresh), but the queue has forgotten the job: nothing records it, and had
 * the worker died too the run would be lost. That is all "completes" can mean
 * there, and why Redis for the arena must persist.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqTrainer } from '../server/trainer/bullmq.trainer.ts';
import { TrainJob } from '../shared/run.schema.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { startPrivateRedis, type PrivateRedis } from './support/redis-server.ts';
import { RunRecorder, waitFor } from './support/run-recorder.ts';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const hasRedisServer = await import('node:child_process').then(({ spawnSync }) => spawnSync('redis-server', ['--version']).status === 0);

describe.skipIf(!hasRedisServer).each([
  { persistent: true, name: 'AOF, appendfsync always' },
  { persistent: false, name: 'no persistence' },
])('Redis restarted mid-run (private redis-server, $name)', ({ persistent }) => {
  const queueName = 'arena-restart';
  let server: PrivateRedis;
  let redis: Redis;
  let worker: WorkerProcess;
  let trainer: BullmqTrainer;

  beforeAll(async () => {
    await initBackend();
    server = await startPrivateRedis({ persistent });
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
    redis.on('error', () => {}); // this test crashes Redis on purpose
    worker = startWorkerProcess(server.url, queueName, { WORKER_CONCURRENCY: '1' });
    trainer = new BullmqTrainer({ redis, queueName });
  });
  afterAll(async () => {
    await worker?.kill();
    await trainer?.close();
    redis?.disconnect();
    await server?.dispose();
  });

  it(`the run completes with the weights of an unbroken run, and the server hears its frames and one done; the queue ${persistent ? 'records it completed on its first attempt' : 'has forgotten it'}`, async () => {
    const j = TrainJob.parse({
      runId: `restart-${Date.now()}`,
      spec: { layers: [{ units: 160, activation: 'relu' }, { units: 160, activation: 'relu' }], optimizer: 'adam', learningRate: 0.005, batchSize: 32 },
      task: { name: 'spiral' },
      seed: 51,
      budget: 19_200,
      checkpointEverySteps: 20,
      // Stretched over 12 s (pacing waits, it computes nothing differently): the run is still going when Redis is back and the control is sent.
      paceMs: 12_000,
    });
    const rec = new RunRecorder();
    const run = await rec.submit(trainer, j);
    await waitFor(() => (run.frames.at(-1)?.step ?? 0) >= 60, `the run to pass step 60 (worker output: ${worker.log()})`, 60_000);
    const stepAtCrash = run.frames.at(-1)!.step;
    await server.crash();
    await new Promise((r) => setTimeout(r, 1500)); // everyone's connections fail and retry meanwhile
    await server.start();
    await trainer.control(j.runId, { type: 'setLearningRate', learningRate: 0.002 }); // controls still reach the run afterwards
    const result = await run.settled;
    await new Promise((r) => setTimeout(r, 300));

    expect(result.samples).toBe(j.budget);
    expect(run.done).toHaveLength(1);
    expect(run.failed).toEqual([]);
    expect(run.frames.some((f) => f.step > stepAtCrash + 100)).toBe(true); // telemetry flowed again after the restart
    expect(result.controls.map((c) => c.control)).toEqual([{ type: 'setLearningRate', learningRate: 0.002 }]);
    expect(result.weightsHash).toBe((await runTraining({ ...j, paceMs: 0, controls: result.controls })).weightsHash);

    const queue = new Queue(queueName, { connection: redis });
    const stored = await queue.getJob(j.runId);
    if (persistent) {
      // The queue survived: the job completed once, on its first attempt, and no worker had to take it over.
      // The worker writes the run's done to its stream before BullMQ moves the job to completed, so the
      // server may hear the end first: on a loaded machine the move came later than the 300 ms waited above.
      await waitFor(async () => (await stored!.getState()) === 'completed', 'BullMQ to record the job completed', 30_000);
      const completed = (await queue.getJob(j.runId))!;
      expect(completed.attemptsMade).toBe(1);
      // With Redis gone for a moment on a loaded machine the worker may miss a lock renewal and BullMQ may
      // count one stall; the job still completed on its first attempt, by the worker that held it.
      expect(completed.stalledCounter).toBeLessThanOrEqual(1);
    } else {
      expect(stored).toBeUndefined();
    }
    await queue.close();
  });
});
