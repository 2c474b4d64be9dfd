/**
 * The embedded trainer heals: a training thread that dies is replaced and its
 * runs go on elsewhere from their checkpoints, ending with the weights an
 * unbroken run gives; a run that keeps losing its thread is failed; a
 * malformed message from a thread is logged and fails its run, and the next
 * run still trains.
 */
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecoveryInfo } from '../server/trainer/trainer.port.ts';
import { TrainJob, type TrainJobInput } from '../shared/run.schema.ts';
import { toThread } from '../contract/trainer.wire.ts';
import { decodeCheckpoint } from '../workers/engine/checkpoint.ts';
import { RunRecorder, waitFor } from './support/run-recorder.ts';

/** What the trainer logs, caught here (the server's logger is silent under tests). */
const logged = vi.hoisted(() => [] as Array<{ level: string; fields: Record<string, unknown>; message: string }>);
vi.mock('../server/logger.ts', () => {
  const record = (level: string) => (fields: Record<string, unknown>, message: string) => logged.push({ level, fields, message });
  const fake = { error: record('error'), warn: record('warn'), info: record('info'), debug: () => {}, child: () => fake };
  return { logger: fake, moduleLogger: () => fake };
});
const { LocalTrainer } = await import('../server/trainer/local.trainer.ts');

const job = (seed: number, input: Partial<TrainJobInput> = {}): TrainJob =>
  TrainJob.parse({
    runId: `heal-${crypto.randomUUID()}`,
    spec: { layers: [{ units: 32, activation: 'tanh' }, { units: 32, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 },
    task: { name: 'spiral' },
    seed,
    budget: 9600, // 300 steps
    checkpointEverySteps: 20,
    frameEverySteps: 5,
    probeIntervalMs: 0,
    paceMs: 6000, // slow enough to be caught mid-run on a busy machine; pacing changes no result
    controls: [{ step: 30, control: { type: 'setLearningRate', learningRate: 0.003 } }],
    ...input,
  });

/** A short unpaced run, to show the pool still trains. */
const quick = (seed: number) => job(seed, { budget: 3200, paceMs: 0, controls: [] });

describe('LocalTrainer heals when a training thread dies', () => {
  let trainer: InstanceType<typeof LocalTrainer>;
  const rec = new RunRecorder();

  /** The Worker behind a thread: tests reach into the pool only to fake what a broken thread would do. */
  const workerOf = (id: number): Worker => (trainer as unknown as { threads: Array<{ id: number; worker: Worker }> }).threads.find((t) => t.id === id)!.worker;
  const allReady = () => waitFor(() => trainer.threadsInfo().length === 2 && trainer.threadsInfo().every((t) => t.ready), 'two ready training threads', 60_000);
  const checkpointPast = (runId: string, step: number) =>
    waitFor(async () => {
      const bytes = await trainer.latestCheckpoint(runId);
      return bytes && decodeCheckpoint(bytes).step > step ? decodeCheckpoint(bytes).step : undefined;
    }, `a checkpoint of ${runId} past step ${step}`, 60_000);

  beforeAll(async () => {
    trainer = new LocalTrainer({ threads: 2 });
    await allReady();
  });
  afterAll(async () => {
    await trainer?.close();
  });

  it('a thread stopped mid-run: the run resumes from its checkpoint on a live thread, tells its listener, and ends with the weights of its unbroken replay', async () => {
    const j = job(41);
    const run = rec.listen(j.runId);
    const recovered: RecoveryInfo[] = [];
    run.listener.onRecovered = (info) => recovered.push(info);
    await trainer.submit(j, run.listener);
    await waitFor(() => (run.frames.at(-1)?.step ?? 0) >= 40, 'the run to pass step 40', 60_000);
    // A live control, so the resumed run must replay it from the log the trainer kept.
    await trainer.control(j.runId, { type: 'setBatchSize', batchSize: 24 });
    await waitFor(() => run.events.find((e) => e.type === 'control' && (e.control as { type: string }).type === 'setBatchSize'), 'the live control to apply', 30_000);
    const checkpointStep = await checkpointPast(j.runId, 40);
    const victim = trainer.threadOf(j.runId)!;
    const stepAtKill = run.frames.at(-1)!.step;
    expect(await trainer.stopThread(victim)).toBe(true);

    const result = await run.settled;
    expect(run.failed).toEqual([]);
    expect(result.samples).toBe(j.budget);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.reason).toBe('training thread was stopped');
    expect(recovered[0]!.fromStep).toBeGreaterThanOrEqual(checkpointStep);
    expect(recovered[0]!.fromStep).toBeLessThanOrEqual(stepAtKill + 20);
    // The listener heard each step once: the resumed run's repeats of what it had heard are not passed on.
    const steps = run.frames.map((f) => f.step);
    expect(steps).toEqual([...new Set(steps)].sort((a, b) => a - b));
    expect(run.events.filter((e) => e.type === 'control').map((e) => (e.control as { type: string }).type)).toEqual(['setLearningRate', 'setBatchSize']);
    expect(result.controls.map((c) => c.control.type)).toEqual(['setLearningRate', 'setBatchSize']);

    // The pool is back to its size, without the stopped thread.
    await allReady();
    expect(trainer.threadsInfo().map((t) => t.id)).not.toContain(victim);
    expect(logged.some((l) => l.level === 'error' && l.fields.thread === victim && l.message.includes('starting a new one'))).toBe(true);

    // The same run unbroken (its own log replayed, on a live thread) gives the same weights.
    const replay = { ...j, runId: `${j.runId}-replay`, paceMs: 0, controls: result.controls };
    const again = rec.listen(replay.runId);
    await trainer.submit(replay, again.listener);
    expect(trainer.threadsInfo().map((t) => t.id)).toContain(trainer.threadOf(replay.runId));
    expect((await again.settled).weightsHash).toBe(result.weightsHash);
  }, 180_000);

  it('a run paused when its thread crashes is still paused after the recovery, and finishes once resumed', async () => {
    const j = job(42);
    const run = rec.listen(j.runId);
    const recovered: RecoveryInfo[] = [];
    run.listener.onRecovered = (info) => recovered.push(info);
    await trainer.submit(j, run.listener);
    await checkpointPast(j.runId, 20);
    await trainer.control(j.runId, { type: 'pause' });
    await waitFor(() => run.events.find((e) => e.type === 'control' && (e.control as { type: string }).type === 'pause'), 'the pause to apply', 30_000);
    // A thread that crashes (an 'error' from the Worker): the trainer stops what is left of it and resumes the run elsewhere.
    workerOf(trainer.threadOf(j.runId)!).emit('error', new Error('simulated crash'));
    await waitFor(() => recovered.length === 1, 'the recovery', 60_000);
    expect(recovered[0]!.reason).toBe('training thread crashed');
    const heard = run.frames.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(run.frames.length, 'no frames while paused').toBe(heard);
    await trainer.control(j.runId, { type: 'resume' });
    const result = await run.settled;
    expect(result.controls.map((c) => c.control.type)).toEqual(['setLearningRate', 'pause', 'resume']);
    await allReady();
  }, 180_000);

  it('a run that loses its thread three times is failed with a reason; the pool stays whole and trains the next run', async () => {
    const j = job(43, { paceMs: 30_000 });
    const run = rec.listen(j.runId);
    const recovered: RecoveryInfo[] = [];
    run.listener.onRecovered = (info) => recovered.push(info);
    await trainer.submit(j, run.listener);
    for (let i = 0; i < 3; i++) {
      await waitFor(() => trainer.threadsInfo().find((t) => t.id === trainer.threadOf(j.runId))?.ready && run.frames.length > 0, 'the run to train on a ready thread', 60_000);
      await trainer.stopThread(trainer.threadOf(j.runId)!);
      if (i < 2) await waitFor(() => recovered.length === i + 1, `recovery ${i + 1}`, 60_000);
    }
    await expect(run.settled).rejects.toThrow(/lost its training thread 3 times/);
    expect(recovered).toHaveLength(2);
    expect(trainer.threadOf(j.runId)).toBeUndefined();
    await allReady();
    const next = await rec.submit(trainer, quick(44));
    expect((await next.settled).samples).toBe(3200);
  }, 180_000);

  it('a malformed message from a thread is logged (bounded, without its payload) and fails the run it names; nothing throws and the next run trains', async () => {
    const j = job(45);
    const run = rec.listen(j.runId);
    await trainer.submit(j, run.listener);
    await waitFor(() => run.frames.length > 0, 'the run to get going', 60_000);
    const thread = trainer.threadOf(j.runId)!;
    const worker = workerOf(thread);
    const before = logged.length;
    // Garbage with no run in it: logged, nothing else happens.
    expect(() => worker.emit('message', 42)).not.toThrow();
    expect(() => worker.emit('message', toThread({ type: 'nonsense', x: 'y'.repeat(100_000) } as never))).not.toThrow();
    expect(run.failed).toEqual([]);
    // A frame that names the run but does not parse: the run fails, and is cancelled on its thread.
    expect(() => worker.emit('message', toThread({ type: 'frame', frame: { runId: j.runId, step: 'seven', payload: 'z'.repeat(100_000) } } as never))).not.toThrow();
    await expect(run.settled).rejects.toThrow(/^the training thread sent a message about this run that this server cannot read \(trainer wire: a 'frame' message that does not parse: frame\.\w+: /);
    const mine = logged.slice(before).filter((l) => l.message === 'malformed message from a training thread');
    expect(mine).toHaveLength(3);
    for (const l of mine) {
      expect(l.level).toBe('error');
      expect(l.fields.thread).toBe(thread);
      expect(JSON.stringify(l.fields).length).toBeLessThan(1000);
    }
    expect(mine.map((l) => l.fields.type)).toEqual(['number', 'nonsense', 'frame']);
    expect(mine[2]!.fields.runId).toBe(j.runId);
    const frames = run.frames.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(run.frames.length, 'nothing more after the failure').toBe(frames);

    // A listener that throws is logged too, not thrown out of the Worker's event.
    const k = quick(46);
    const noisy = rec.listen(k.runId);
    const onFrame = noisy.listener.onFrame;
    noisy.listener.onFrame = (f) => {
      onFrame(f);
      throw new Error('a room bug');
    };
    await trainer.submit(k, noisy.listener);
    expect((await noisy.settled).samples).toBe(3200);
    expect(logged.some((l) => l.message === 'handling a message from a training thread failed')).toBe(true);

    const next = await rec.submit(trainer, quick(47));
    expect((await next.settled).samples).toBe(3200);
    expect(trainer.threadsInfo()).toHaveLength(2);
  }, 180_000);

  it('applies a control sent before its thread was ready (it waits for the run to be launched)', async () => {
    const fresh = new LocalTrainer({ threads: 1 });
    try {
      const j = quick(31);
      const run = rec.listen(j.runId);
      const submitted = fresh.submit(j, run.listener);
      expect(fresh.threadsInfo()[0]!.ready, 'the control is sent while the thread is still loading').toBe(false);
      await fresh.control(j.runId, { type: 'setLearningRate', learningRate: 0.05 });
      await submitted;
      const result = await run.settled;
      expect(result.controls.map((c) => c.control)).toContainEqual({ type: 'setLearningRate', learningRate: 0.05 });
    } finally {
      await fresh.close();
    }
  });
});
