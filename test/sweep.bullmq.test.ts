/**
 * Sweeps on BullMQ, through @colyseus/sdk, with a real Redis (the test's own queue) and one worker process
 * with a single slot: every trial is queued at `background` priority, and a live run started in another
 * room while the first trial trains is taken before the three trials still waiting.
 */
import type { Room } from '@colyseus/sdk';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { QUEUE_PRIORITY } from '../server/trainer/bullmq.trainer.ts';
import { guests, nextMessage, startTestArena, waitFor } from './support/arena.ts';
import { hasRedis, TEST_REDIS_URL } from './support/services.ts';
import { cleanupQueue, startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const ready = await hasRedis();
const spec = { layers: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 };

describe.skipIf(!ready)('playground sweeps on BullMQ: trials wait behind live runs', () => {
  const queueName = `arena-sweep-${process.pid}-${Date.now()}`;
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let worker: WorkerProcess;
  let redis: Redis;
  let queue: Queue;
  const runIds: string[] = [];
  let owner: Room<any, PlaygroundState>;
  let other: Room<any, PlaygroundState>;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    worker = startWorkerProcess(TEST_REDIS_URL, queueName, { WORKER_CONCURRENCY: '1' });
    t = await startTestArena({ REDIS_URL: TEST_REDIS_URL, ARENA_QUEUE: queueName });
    queue = new Queue(queueName, { connection: redis });
    const join = guests(t.url);
    owner = await (await join('ada')).create<PlaygroundState>('playground', { budget: 20_000, seed: 3 });
    other = await (await join('cy')).create<PlaygroundState>('playground', { budget: 60_000, seed: 4 });
    for (const r of [owner, other]) for (const type of ['probe', 'points', 'welcome', 'notice', 'error', 'result']) r.onMessage(type, () => {});
    owner.send('spec', { spec });
    await waitFor(() => owner.state.summary?.includes('2-8-8-2') === true, 'the spec to be applied');
  });
  afterAll(async () => {
    for (const r of [owner, other]) await r?.leave().catch(() => {});
    await t?.stop();
    await worker?.kill('SIGTERM');
    await queue?.close();
    if (redis) await cleanupQueue(redis, queueName, runIds);
    redis?.disconnect();
  });

  it('queues each trial at background priority, and a live run goes before the trials still waiting', async () => {
    // Wide trials (about 2 s each here): the first is still training when the live run is queued behind it (at widths
    // 32 and 48 the engine ended a trial in 0.2 s, about as long as the live run took to be queued).
    owner.send('sweep', { method: 'grid', learningRates: [0.003, 0.03], batchSizes: [16], widths: [128, 160], budgetPerTrial: 60_000 });
    await waitFor(() => owner.state.sweep.trials?.[0]?.status === 'training', `the first trial to train (worker output: ${worker.log()})`, 60_000);
    // A live run in another room, queued while the first trial has the only slot.
    const liveDone = nextMessage<PlaygroundResultMessage>(other, 'result', 120_000);
    other.send('start', {});
    const jobs = await queue.getJobs(['prioritized', 'waiting', 'active', 'completed']);
    const trialJobs = jobs.filter((j) => j.id!.startsWith('sweep-'));
    runIds.push(...trialJobs.map((j) => j.id!));
    expect(trialJobs).toHaveLength(4);
    for (const j of trialJobs) expect(j.opts.priority, `${j.id} is background work`).toBe(QUEUE_PRIORITY.background);
    expect((await Promise.all(trialJobs.filter((j) => !j.id!.endsWith('-0')).map((j) => j.getState())))).toEqual(['prioritized', 'prioritized', 'prioritized']);
    await waitFor(async () => (await queue.getJobs(['waiting', 'active'])).some((j) => !j.id!.startsWith('sweep-')), 'the live run to be queued');
    const live = (await queue.getJobs(['waiting', 'active'])).find((j) => !j.id!.startsWith('sweep-'))!;
    runIds.push(live.id!);
    expect(live.opts.priority, 'a live run carries no priority: it goes first').toBeUndefined();
    // The one slot finishes the trial it has, then takes the live run before the three waiting trials.
    await waitFor(() => other.state.samples > 0, 'the live run to train', 120_000);
    expect([...owner.state.sweep.trials].filter((tr) => tr.status !== 'queued').map((tr) => tr.index), 'only the first trial started before the live run').toEqual([0]);
    const result = await liveDone;
    expect(result.status).toBe('finished');
    await waitFor(() => owner.state.sweep.phase === 'finished', 'the sweep to finish', 240_000);
    for (const tr of owner.state.sweep.trials) {
      expect(tr.status).toBe('finished');
      expect(tr.samples).toBe(60_000);
      expect(tr.valAccuracy).toBeGreaterThan(0);
      expect(tr.heldOutAccuracy).toBeGreaterThan(0);
    }
  });
});
