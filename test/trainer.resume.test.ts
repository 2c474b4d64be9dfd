/**
 * The embedded trainer saves each run as it trains (latest checkpoint, control
 * log, live controls not yet applied) so that a new trainer on the same folder,
 * after the first died, carries the run on when it is attached, and it ends
 * with the weights of its unbroken replay; a run's file goes when the run ends;
 * a corrupt file is logged and the run starts again from its job.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTrainer } from '../server/trainer/local.trainer.ts';
import { SavedRunStore } from '../server/trainer/saved-run.store.ts';
import type { RecoveryInfo } from '../server/trainer/trainer.port.ts';
import { TrainJob } from '../shared/run.schema.ts';
import { RunRecorder, waitFor } from './support/run-recorder.ts';

const job = (seed: number): TrainJob =>
  TrainJob.parse({
    runId: crypto.randomUUID(),
    spec: { layers: [{ units: 16, activation: 'tanh' }, { units: 16, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 },
    task: { name: 'spiral' },
    seed,
    budget: 9600, // 300 steps
    checkpointEverySteps: 20,
    frameEverySteps: 5,
    probeIntervalMs: 0,
    paceMs: 8000, // slow enough to be caught mid-run; pacing changes no result
    controls: [{ step: 30, control: { type: 'setLearningRate', learningRate: 0.003 } }],
  });

describe('LocalTrainer resumes a saved run after its process is gone', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-saved-runs-'));
  const trainers: LocalTrainer[] = [];
  const rec = new RunRecorder();
  const trainer = () => {
    const t = new LocalTrainer({ threads: 1, nice: 0, savedRuns: new SavedRunStore(dir, { minIntervalMs: 50 }) });
    trainers.push(t);
    return t;
  };
  afterAll(async () => {
    await Promise.all(trainers.map((t) => t.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run cut off mid-training (live control applied) is attached on a new trainer, resumes from its saved checkpoint and ends with the weights of its unbroken replay; its file is deleted at the end', async () => {
    const first = trainer();
    const j = job(71);
    const before = rec.listen(j.runId);
    await first.submit(j, before.listener);
    await waitFor(() => (before.frames.at(-1)?.step ?? 0) >= 40, 'the run to pass step 40', 90_000);
    await first.control(j.runId, { type: 'setBatchSize', batchSize: 24 });
    await waitFor(() => before.events.find((e) => e.type === 'control' && (e.control as { type: string }).type === 'setBatchSize'), 'the live control to apply', 30_000);
    await waitFor(() => (before.frames.at(-1)?.step ?? 0) >= 90, 'the run to pass step 90', 90_000);
    // The process dies: its threads stop where they are, nothing is cancelled, nothing more is written.
    await first.close();
    const stepAtDeath = before.frames.at(-1)!.step;
    expect(new SavedRunStore(dir).list()).toEqual([j.runId]);

    const second = trainer();
    const after = rec.listen(j.runId);
    const recovered: RecoveryInfo[] = [];
    after.listener.onRecovered = (info) => recovered.push(info);
    const heard = before.frames.at(-1)!.samples;
    // The job as its room logged it when it launched: the live control is not in it, the saved log has it.
    await second.attach(j, after.listener, { afterSamples: heard });
    expect(recovered).toEqual([{ fromStep: expect.any(Number), reason: 'the server restarted' }]);
    expect(recovered[0]!.fromStep).toBeGreaterThan(40); // past the live control: it must come back from the saved log
    expect(recovered[0]!.fromStep).toBeLessThanOrEqual(stepAtDeath);
    const result = await after.settled;
    expect(result.samples).toBe(j.budget);
    expect(after.frames[0]!.samples).toBeGreaterThan(heard); // nothing the room had is heard twice
    expect(result.controls.map((c) => c.control.type)).toEqual(['setLearningRate', 'setBatchSize']);
    await waitFor(() => new SavedRunStore(dir).list().length === 0, 'the ended run to leave no file', 10_000);

    const replay = { ...j, runId: crypto.randomUUID(), paceMs: 0, controls: result.controls };
    const again = rec.listen(replay.runId);
    await second.submit(replay, again.listener);
    expect((await again.settled).weightsHash).toBe(result.weightsHash);
  }, 300_000);

  it('a run whose saved file is corrupt starts again from its job when attached, and still ends with the weights of its replay', async () => {
    const t = trainers.at(-1) ?? trainer();
    const j = { ...job(72), paceMs: 0 };
    const store = new SavedRunStore(dir);
    writeFileSync(path.join(dir, `${Buffer.from(j.runId).toString('base64url')}.run`), 'not a saved run');
    expect(store.list()).toContain(j.runId);
    await expect(store.load(j.runId)).rejects.toThrow(/not a saved run|truncated/);
    const run = rec.listen(j.runId);
    const recovered: RecoveryInfo[] = [];
    run.listener.onRecovered = (info) => recovered.push(info);
    await t.attach(j, run.listener);
    const result = await run.settled;
    expect(recovered).toEqual([]);
    expect(run.frames[0]!.step).toBeLessThanOrEqual(j.frameEverySteps); // from the start
    expect(result.controls.map((c) => c.control.type)).toEqual(['setLearningRate']);
    await waitFor(() => !store.has(j.runId), 'the ended run to leave no file', 10_000);
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  }, 120_000);
});
