/**
 * The trainer port's contract, run against both adapters: worker threads in
 * this process (LocalTrainer) and a BullMQ queue with a real worker process
 * on real Redis (BullmqTrainer). Assertions are on what the server hears and
 * in what order, never on how long it took.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqTrainer } from '../server/trainer/bullmq.trainer.ts';
import { LocalTrainer } from '../server/trainer/local.trainer.ts';
import type { Worker } from 'node:worker_threads';
import { ForkUnavailable, type Trainer } from '../server/trainer/trainer.port.ts';
import { telemetryKey } from '../contract/redis-keys.ts';
import { TrainJob, type TrainJobInput } from '../shared/run.schema.ts';
import { TRAINER_WIRE_VERSION } from '../contract/trainer.messages.ts';
import { RunRecorder, waitFor } from './support/run-recorder.ts';
import { hasRedis, TEST_REDIS_URL } from './support/services.ts';
import { cleanupQueue, startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const redisReady = await hasRedis();

const job = (input: Omit<TrainJobInput, 'runId'>): TrainJob => TrainJob.parse({ runId: `contract-${crypto.randomUUID()}`, ...input });

/** A short run: a few hundred steps of a small spiral network. */
const quick = (seed: number) =>
  job({ spec: { layers: [{ units: 24, activation: 'tanh' }, { units: 24, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 }, task: { name: 'spiral' }, seed, budget: 12_800 });

/** A run of equal cost for each seed, long enough that two of them overlap (the fused step, 3000 steps: seconds each, longer than a worker thread takes to start under load). */
const medium = (seed: number) =>
  job({ spec: { layers: [{ units: 160, activation: 'relu' }, { units: 160, activation: 'relu' }], optimizer: 'adam', learningRate: 0.005, batchSize: 32 }, task: { name: 'spiral' }, seed, budget: 96_000 });

/**
 * Slow steps (an MNIST batch of 256 through two layers of 256: around a tenth
 * of a second each) and a frame after every step, so "within two steps" is a
 * claim about latency and not about how many steps fit in a millisecond. The
 * budget is far more than the test lets it run: it is cancelled.
 */
const slow = (seed: number) =>
  job({
    spec: { layers: [{ units: 256, activation: 'relu' }, { units: 256, activation: 'relu' }], optimizer: 'sgd', learningRate: 0.05, batchSize: 256 },
    task: { name: 'mnist', samples: 2000 },
    seed,
    budget: 256 * 2000,
    frameEverySteps: 1,
    probeIntervalMs: 0,
  });

interface Harness {
  trainer: Trainer;
  /** True once the adapter has really stopped the run (not only stopped telling us about it); undefined when it cannot tell. */
  stopped?: (runId: string) => Promise<boolean>;
  /** How a run that never trains shows up in the adapter's own bookkeeping. */
  queued?: (runId: string) => Promise<boolean>;
  /** Delivers a message about `runId` as training would, but of the trainer wire version `v` (a worker of another build). */
  injectForeign(runId: string, v: number): Promise<void>;
  close(): Promise<void>;
  log(): string;
}

interface Adapter {
  name: 'local' | 'bullmq';
  available: boolean;
  start(): Promise<Harness>;
}

const adapters: Adapter[] = [
  {
    name: 'local',
    available: true,
    start: async () => {
      const trainer = new LocalTrainer({ threads: 2 });
      // What the run's thread would post if it were of another build: delivered on the thread's own port.
      const threadOf = (runId: string) => (trainer as unknown as { threads: Array<{ worker: Worker; runs: Set<string> }> }).threads.find((t) => t.runs.has(runId))!.worker;
      return {
        trainer,
        close: () => trainer.close(),
        log: () => '',
        injectForeign: async (runId, v) => void threadOf(runId).emit('message', { v, msg: { type: 'failed', runId, message: 'from the future' } }),
      };
    },
  },
  {
    name: 'bullmq',
    available: redisReady,
    start: async () => {
      const queueName = `arena-contract-${process.pid}-${Date.now()}`;
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
      const worker: WorkerProcess = startWorkerProcess(TEST_REDIS_URL, queueName, { WORKER_CONCURRENCY: '2' });
      const trainer = new BullmqTrainer({ redis, queueName });
      const queue = new Queue(queueName, { connection: redis });
      const runIds = new Set<string>();
      const submit = trainer.submit.bind(trainer);
      trainer.submit = (j, l) => (runIds.add(j.runId), submit(j, l));
      const fork = trainer.fork.bind(trainer);
      trainer.fork = (r, l) => (runIds.add(r.runId), fork(r, l));
      return {
        trainer,
        log: worker.log,
        queued: async (runId) => (await queue.getJob(runId)) !== undefined,
        // An entry a worker of another build would write on the run's telemetry stream.
        injectForeign: async (runId, v) => void (await redis.xadd(telemetryKey(runId), '*', 'v', String(v), 't', 'failed', 'b', JSON.stringify({ type: 'failed', runId, message: 'from the future' }))),
        stopped: async (runId) => {
          const j = await queue.getJob(runId);
          if (!j || !(await j.isFailed())) return false;
          // Cancelled for good, and its stream no longer grows.
          const before = await redis.xlen(telemetryKey(runId));
          await new Promise((r) => setTimeout(r, 400));
          return j.failedReason === 'cancelled' && j.attemptsMade === 1 && (await redis.xlen(telemetryKey(runId))) === before;
        },
        close: async () => {
          await worker.kill('SIGTERM');
          await trainer.close();
          await queue.close();
          await cleanupQueue(redis, queueName, runIds);
          redis.disconnect();
        },
      };
    },
  },
];

/** Weights hashes per adapter, for the cross-adapter check at the end. */
const hashes = new Map<string, string>();
const shared = { quick: quick(7) };

describe.each(adapters)('trainer contract: $name', (adapter) => {
  let h: Harness;
  const rec = new RunRecorder();

  beforeAll(async () => {
    if (adapter.available) h = await adapter.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  it.skipIf(!adapter.available)('a run completes with frames, then exactly one done; the same job gives the same weights hash every time', async () => {
    const results = [];
    for (let i = 0; i < 2; i++) {
      const run = await rec.submit(h.trainer, { ...shared.quick, runId: `${shared.quick.runId}-${adapter.name}-${i}` });
      const result = await run.settled;
      await new Promise((r) => setTimeout(r, 300)); // room for a second done or a late failure to show up
      expect(run.frames.length).toBeGreaterThan(0);
      expect(run.done).toHaveLength(1);
      expect(run.failed).toEqual([]);
      // Frames come in step order, all before the done.
      const steps = run.frames.map((f) => f.step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      const mine = rec.timeline.filter((e) => e.runId === run.runId);
      expect(mine.at(-1)!.kind).toBe('done');
      expect(result.samples).toBe(shared.quick.budget);
      expect(run.frames.at(-1)!.samples).toBe(shared.quick.budget);
      results.push(result);
    }
    expect(results[1]!.weightsHash).toBe(results[0]!.weightsHash);
    hashes.set(adapter.name, `${results[0]!.backend}:${results[0]!.weightsHash}`);
  });

  it.skipIf(!adapter.available)('an invalid job fails at once with a reason that names the problem, and is never queued or retried; the next good job still trains', async () => {
    const bad = { ...quick(1), spec: { ...quick(1).spec, layers: [{ units: -4, activation: 'relu' }] } } as unknown as TrainJob;
    const run = rec.listen(bad.runId);
    await h.trainer.submit(bad, run.listener);
    expect(run.failed).toHaveLength(1); // before submit returned
    expect(run.failed[0]).toMatch(/^invalid run: .*units/);
    expect(run.failed[0]).toMatch(/at least 1/);
    if (h.queued) expect(await h.queued(bad.runId)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(run.failed).toHaveLength(1);
    expect(run.frames).toEqual([]);
    expect(run.done).toEqual([]);

    const good = await rec.submit(h.trainer, quick(2));
    expect((await good.settled).samples).toBe(quick(2).budget);
  });

  it.skipIf(!adapter.available)('a control sent from the server reaches the worker and shows in telemetry within two steps', async () => {
    const j = slow(3);
    const run = await rec.submit(h.trainer, j);
    await waitFor(() => (run.frames.at(-1)?.step ?? 0) >= 3, `the slow run to reach step 3 (worker output: ${h.log()})`, 90_000);
    const stepWhenSent = run.frames.at(-1)!.step;
    const framesWhenSent = run.frames.length;
    await h.trainer.control(j.runId, { type: 'setLearningRate', learningRate: 0.0123 });
    const applied = await waitFor(() => run.events.find((e) => e.type === 'control'), 'the control event', 30_000);
    const shown = await waitFor(() => run.frames.slice(framesWhenSent).find((f) => Math.abs(f.learningRate - 0.0123) < 1e-6), 'a frame with the new learning rate', 30_000);
    await h.trainer.cancel(j.runId);
    expect(applied.control).toEqual({ type: 'setLearningRate', learningRate: 0.0123 });
    // It took effect at most two steps after the step the server had last seen when it sent it...
    expect(applied.step - stepWhenSent).toBeLessThanOrEqual(2);
    // ...and the frames after that step carry it (the BullMQ worker sends at most one frame per 50 ms, so maybe not the very next); none before it does.
    expect(shown.step).toBeGreaterThan(applied.step);
    expect(shown.step).toBeLessThanOrEqual(applied.step + 2);
    expect(run.frames.filter((f) => f.step <= applied.step).every((f) => Math.abs(f.learningRate - 0.05) < 1e-6)).toBe(true);
  });

  it.skipIf(!adapter.available)('cancel stops a run and nothing more arrives', async () => {
    const j = slow(4);
    const run = await rec.submit(h.trainer, j);
    await waitFor(() => run.frames.length >= 2, 'the run to get going', 90_000);
    await h.trainer.cancel(j.runId);
    const heard = rec.timeline.filter((e) => e.runId === j.runId).length;
    await new Promise((r) => setTimeout(r, 1500)); // several steps' worth
    expect(rec.timeline.filter((e) => e.runId === j.runId)).toHaveLength(heard);
    expect(run.done).toEqual([]);
    expect(run.failed).toEqual([]);
    if (h.stopped) await waitFor(() => h.stopped!(j.runId), 'the worker to stop the run', 30_000);
  });

  it.skipIf(!adapter.available)("a fork from a running run's latest checkpoint, with no controls of its own, ends with the parent's weights", async () => {
    const parent = job({ spec: medium(21).spec, task: { name: 'spiral' }, seed: 21, budget: 19_200, checkpointEverySteps: 20 });
    const run = await rec.submit(h.trainer, parent);
    const childId = `contract-fork-${crypto.randomUUID()}`;
    const forked = rec.listen(childId);
    // Asked before any checkpoint, or of a run that is not training, a fork is refused with a reason, and nothing starts.
    const nobody = `contract-nobody-${crypto.randomUUID()}`;
    await expect(h.trainer.fork({ parentRunId: nobody, runId: childId, from: { checkpoint: 'latest' } }, forked.listener)).rejects.toThrow(ForkUnavailable);
    // The first checkpoint is of step 0: wait until the run has trained past its second.
    await waitFor(() => (run.frames.at(-1)?.step ?? 0) >= 2 * parent.checkpointEverySteps + 5, `the parent to pass step ${2 * parent.checkpointEverySteps} (worker output: ${h.log()})`, 90_000);
    const child = await h.trainer.fork({ parentRunId: parent.runId, runId: childId, from: { checkpoint: 'latest' } }, forked.listener);
    expect(child.runId).toBe(childId);
    expect(child.parent!.runId).toBe(parent.runId);
    expect(child.parent!.step).toBeGreaterThan(0);
    expect(child.parent!.step % parent.checkpointEverySteps).toBe(0);
    const [p, f] = await Promise.all([run.settled, forked.settled]);
    expect(f.samples).toBe(parent.budget);
    expect(f.weightsHash).toBe(p.weightsHash);
    // It trained only what was left after the checkpoint.
    expect(forked.frames[0]!.step).toBeGreaterThan(child.parent!.step);
    await waitFor(async () => (await h.trainer.latestCheckpoint(child.runId)) === undefined, 'no checkpoint kept once the fork has ended');
  });

  it.skipIf(!adapter.available)("a control the engine refuses comes back as a controlRefused event with the engine's reason; the next good control still applies", async () => {
    const j = slow(5);
    const run = await rec.submit(h.trainer, j);
    await waitFor(() => (run.frames.at(-1)?.step ?? 0) >= 2, `the slow run to get going (worker output: ${h.log()})`, 90_000);
    // Valid on the wire (a layer index), impossible for this network of two hidden layers: only the engine knows.
    await h.trainer.control(j.runId, { type: 'setActivation', layer: 5, activation: 'tanh' });
    const refused = await waitFor(() => run.events.find((e) => e.type === 'controlRefused'), 'the refusal', 30_000);
    expect(refused.message).toMatch(/layer 5 does not exist: the network has 2 hidden layers/);
    expect(refused.control).toEqual({ type: 'setActivation', layer: 5, activation: 'tanh' });
    await h.trainer.control(j.runId, { type: 'setLearningRate', learningRate: 0.02 });
    const applied = await waitFor(() => run.events.find((e) => e.type === 'control'), 'the good control', 30_000);
    await h.trainer.cancel(j.runId);
    expect(applied.control).toEqual({ type: 'setLearningRate', learningRate: 0.02 });
    expect(run.events.filter((e) => e.type === 'controlRefused')).toHaveLength(1);
    expect(run.failed).toEqual([]);
  });

  it.skipIf(!adapter.available)('a message of another wire version fails its run with a clear reason, without breaking the trainer: the next run still trains', async () => {
    const j = slow(6);
    const run = await rec.submit(h.trainer, j);
    await waitFor(() => run.frames.length >= 2, `the run to get going (worker output: ${h.log()})`, 90_000);
    const foreign = TRAINER_WIRE_VERSION + 1;
    await h.injectForeign(j.runId, foreign);
    await expect(run.settled).rejects.toThrow(new RegExp(`version ${foreign} is not supported \\(this side reads version ${TRAINER_WIRE_VERSION}\\)`));
    expect(run.failed).toHaveLength(1);
    expect(run.done).toEqual([]);
    // The run is stopped too, not left training for nobody.
    if (h.stopped) await waitFor(() => h.stopped!(j.runId), 'the worker to stop the run', 30_000);
    const next = await rec.submit(h.trainer, quick(8));
    expect((await next.settled).samples).toBe(quick(8).budget);
  });

  it.skipIf(!adapter.available)('two runs side by side both progress: neither finishes before the other is well under way', async () => {
    const [a, b] = [medium(11), medium(12)];
    const start = rec.timeline.length;
    const runs = await Promise.all([rec.submit(h.trainer, a), rec.submit(h.trainer, b)]);
    await Promise.all(runs.map((r) => r.settled));
    const mine = rec.timeline.slice(start);
    const firstDone = start + mine.findIndex((e) => e.kind === 'done');
    const finished = rec.timeline[firstDone]!.runId;
    const other = finished === a.runId ? b : a;
    // When the first finished, the other had reported at least a quarter of its budget (two threads on a machine that other test files load too)...
    expect(rec.samplesAt(other.runId, firstDone)).toBeGreaterThanOrEqual(other.budget / 4);
    // ...and their frames alternate: the first run's frames do not all come before the other's first.
    const firstFrameOfOther = mine.findIndex((e) => e.runId === other.runId && e.kind === 'frame');
    const framesOfFinishedAfter = mine.slice(firstFrameOfOther).filter((e) => e.runId === finished && e.kind === 'frame').length;
    expect(framesOfFinishedAfter).toBeGreaterThan(0);
  });
});

describe('trainer contract: across adapters', () => {
  it.skipIf(!redisReady)('the same job gives the same weights hash on both adapters (same backend)', () => {
    expect(hashes.size).toBe(2);
    expect(hashes.get('bullmq')).toBe(hashes.get('local'));
  });
});

describe.skipIf(!redisReady)('trainer contract: an invalid job that reaches a BullMQ worker', () => {
  it('fails for good with UnrecoverableError on its first attempt, and a server following it hears why', async () => {
    const queueName = `arena-contract-bad-${process.pid}-${Date.now()}`;
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const worker = startWorkerProcess(TEST_REDIS_URL, queueName, { WORKER_CONCURRENCY: '1' });
    const trainer = new BullmqTrainer({ redis, queueName });
    const queue = new Queue(queueName, { connection: redis });
    try {
      // An older or foreign server put it there directly: the worker must not trust the payload.
      const runId = `bad-${Date.now()}`;
      const bad = { runId, spec: { layers: [{ units: 0, activation: 'relu' }] }, task: {}, seed: 1, budget: 10 };
      await queue.add('train', bad, { jobId: runId, attempts: 3, backoff: { type: 'fixed', delay: 100 } });
      const rec = new RunRecorder();
      const run = rec.listen(runId);
      await trainer.attach(bad as unknown as TrainJob, run.listener);
      await expect(run.settled).rejects.toThrow(/invalid run: .*units/s);
      const failed = (await queue.getJob(runId))!;
      expect(await failed.getState()).toBe('failed');
      expect(failed.attemptsMade).toBe(1);
      expect(run.failed).toHaveLength(1);
    } finally {
      await worker.kill('SIGTERM');
      await trainer.close();
      await queue.close();
      await cleanupQueue(redis, queueName);
      redis.disconnect();
    }
  });
});
