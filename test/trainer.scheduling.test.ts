/**
 * Fair scheduling: runs that share one core interleave instead of queueing
 * behind each other, and a live room's run is taken from the BullMQ queue
 * before background work that was queued earlier.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqTrainer, QUEUE_PRIORITY } from '../server/trainer/bullmq.trainer.ts';
import { LocalTrainer } from '../server/trainer/local.trainer.ts';
import { TrainJob, type TrainJobInput } from '../shared/run.schema.ts';
import { RunRecorder, waitFor } from './support/run-recorder.ts';
import { hasRedis, TEST_REDIS_URL } from './support/services.ts';
import { cleanupQueue, startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const redisReady = await hasRedis();

const job = (input: Omit<TrainJobInput, 'runId'>): TrainJob => TrainJob.parse({ runId: `sched-${crypto.randomUUID()}`, ...input });
const medium = (seed: number, extra: Partial<TrainJobInput> = {}) =>
  job({ spec: { layers: [{ units: 160, activation: 'relu' }, { units: 160, activation: 'relu' }], optimizer: 'adam', learningRate: 0.005, batchSize: 32 }, task: { name: 'spiral' }, seed, budget: 6400, ...extra });

describe('LocalTrainer: runs spread over threads, and interleave on one', () => {
  it('runs submitted together (a race starting) go to different threads', async () => {
    const trainer = new LocalTrainer({ threads: 2 });
    const rec = new RunRecorder();
    try {
      const runs = await Promise.all([medium(24), medium(25)].map((j) => rec.submit(trainer, j)));
      expect(trainer.load()).toEqual([1, 1]);
      await Promise.all(runs.map((r) => r.settled));
      expect(trainer.load()).toEqual([0, 0]);
      // Later runs fill the emptiest thread again.
      const more = await Promise.all([medium(26), medium(27), medium(28)].map((j) => rec.submit(trainer, j)));
      expect([...trainer.load()].sort()).toEqual([1, 2]);
      await Promise.all(more.map((r) => r.settled));
    } finally {
      await trainer.close();
    }
  });

  it('three runs on a single training thread all progress together: none finishes before the others are half way', async () => {
    const trainer = new LocalTrainer({ threads: 1 });
    const rec = new RunRecorder();
    try {
      const jobs = [medium(21), medium(22), medium(23)];
      const runs = await Promise.all(jobs.map((j) => rec.submit(trainer, j)));
      await Promise.all(runs.map((r) => r.settled));
      const firstDone = rec.timeline.findIndex((e) => e.kind === 'done');
      const finished = rec.timeline[firstDone]!.runId;
      for (const j of jobs.filter((x) => x.runId !== finished)) expect(rec.samplesAt(j.runId, firstDone)).toBeGreaterThanOrEqual(j.budget / 2);
      // Every run's first frame comes before any run's tenth.
      const frames = rec.timeline.filter((e) => e.kind === 'frame');
      const counts = new Map<string, number>();
      let tenth = -1;
      frames.forEach((f, i) => {
        counts.set(f.runId, (counts.get(f.runId) ?? 0) + 1);
        if (counts.get(f.runId) === 10 && tenth < 0) tenth = i;
      });
      expect(tenth).toBeGreaterThan(0);
      for (const j of jobs) expect(frames.findIndex((f) => f.runId === j.runId)).toBeLessThan(tenth);
    } finally {
      await trainer.close();
    }
  });
});

describe('LocalTrainer: background runs never share a thread with a live one while it trains', () => {
  it('a background run waits for an idle thread, pauses while a live run shares its thread, and ends as an unbroken run would', async () => {
    const trainer = new LocalTrainer({ threads: 1 });
    const rec = new RunRecorder();
    try {
      const [bgA, bgB] = [medium(41, { priority: 'background', budget: 32_000 }), medium(42, { priority: 'background' })];
      const a = await rec.submit(trainer, bgA);
      const b = await rec.submit(trainer, bgB);
      expect(trainer.backlogIds(), 'the second background run waits: the only thread is busy').toEqual([bgB.runId]);
      await waitFor(() => a.frames.length > 0, 'the first background run to start', 60_000);
      const live = await rec.submit(trainer, medium(43, { priority: 'live' }));
      const liveResult = await live.settled;
      const liveDone = rec.timeline.findIndex((e) => e.kind === 'done' && e.runId === live.runId);
      const liveFirst = rec.timeline.findIndex((e) => e.kind === 'frame' && e.runId === live.runId);
      // Between the live run's first frame and its end the background run made no progress: it was paused.
      expect(rec.samplesAt(bgA.runId, liveDone)).toBe(rec.samplesAt(bgA.runId, liveFirst));
      expect(a.events.some((e) => e.type === 'control' && (e.control as { type: string }).type === 'pause')).toBe(true);
      expect(liveResult.samples).toBe(6400);
      const [ra] = await Promise.all([a.settled, b.settled]);
      // B started only once A had ended (one thread, and A had it).
      expect(rec.timeline.findIndex((e) => e.runId === bgB.runId)).toBeGreaterThan(rec.timeline.findIndex((e) => e.kind === 'done' && e.runId === bgA.runId));
      // The pause changed nothing A computed: an unpaused run of the same job ends with the same weights.
      const again = await rec.submit(trainer, { ...bgA, runId: `${bgA.runId}-again` });
      expect((await again.settled).weightsHash).toBe(ra.weightsHash);
    } finally {
      await trainer.close();
    }
  });
});

describe.skipIf(!redisReady)('BullMQ priorities: live rooms before background work', () => {
  const queueName = `arena-sched-${process.pid}-${Date.now()}`;
  let redis: Redis;
  let worker: WorkerProcess;
  let trainer: BullmqTrainer;
  const runIds: string[] = [];

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    worker = startWorkerProcess(TEST_REDIS_URL, queueName, { WORKER_CONCURRENCY: '1' });
    trainer = new BullmqTrainer({ redis, queueName });
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await trainer?.close();
    await cleanupQueue(redis, queueName, runIds);
    redis?.disconnect();
  });

  it('with the only worker slot busy, a live run queued after two background runs starts first; background runs keep their order', async () => {
    const rec = new RunRecorder();
    // Keep the one slot busy until everything is queued.
    const blocker = medium(30, { budget: 2_000_000 });
    const background = [medium(31, { priority: 'background' }), medium(32, { priority: 'background' })];
    const live = medium(33, { priority: 'live' });
    runIds.push(blocker.runId, ...background.map((j) => j.runId), live.runId);
    const busy = await rec.submit(trainer, blocker);
    await waitFor(() => busy.frames.length > 0, `the blocker to start (worker output: ${worker.log()})`, 60_000);
    const runs = [];
    for (const j of [...background, live]) runs.push(await rec.submit(trainer, j));
    const queue = new Queue(queueName, { connection: redis });
    expect((await queue.getJob(background[0]!.runId))!.opts.priority).toBe(QUEUE_PRIORITY.background);
    expect(await queue.getJob(live.runId).then((j) => j!.getState())).toBe('waiting');
    expect(await queue.getJob(background[0]!.runId).then((j) => j!.getState())).toBe('prioritized');
    await queue.close();
    await trainer.cancel(blocker.runId);
    await Promise.all(runs.map((r) => r.settled));
    // One slot: runs go one after another, so the order of their first frames is the order they started in.
    const starts = [live, ...background].map((j) => rec.timeline.findIndex((e) => e.runId === j.runId && e.kind === 'frame'));
    expect(starts.every((i) => i >= 0)).toBe(true);
    expect(starts[0]).toBeLessThan(starts[1]!);
    expect(starts[1]).toBeLessThan(starts[2]!);
    // And each ran to the end before the next began.
    const liveDone = rec.timeline.findIndex((e) => e.runId === live.runId && e.kind === 'done');
    expect(liveDone).toBeLessThan(starts[1]!);
  });
});
