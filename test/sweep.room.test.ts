/**
 * Sweeps through @colyseus/sdk, on the embedded trainer (two threads): a 4-trial grid trains in the
 * background with real validation and held-out figures that a fresh run of the same job repeats; a live
 * run in another room pauses the trial that shares its thread; bad requests are refused in words; the
 * best trial's network trains as the playground's next run and ends with the trial's figures.
 */
import type { Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundErrorMessage, PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { planSweep, trialSpec } from '../shared/sweep.plan.ts';
import { SweepRequest } from '../shared/sweep.schema.ts';
import { ModelSpec } from '../shared/model-spec.schema.ts';
import { TaskSpec } from '../shared/task.schema.ts';
import { sweepTrialJob } from '../server/playground/sweep-runner.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { guests, nextMessage, startTestArena, waitFor } from './support/arena.ts';

const BUDGET = 150_000;
const SEED = 5;
const base = ModelSpec.parse({ layers: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 });
const request = { method: 'grid', learningRates: [0.003, 0.03], batchSizes: [16], widths: [64, 128], budgetPerTrial: BUDGET } as const;

describe('playground sweeps (embedded trainer)', () => {
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let owner: Room<any, PlaygroundState>;
  let watcher: Room<any, PlaygroundState>;
  let other: Room<any, PlaygroundState>;
  const errors: PlaygroundErrorMessage[] = [];
  const refusal = async (room: Room<any, PlaygroundState>, type: string, payload: object): Promise<string> => {
    const before = errors.length;
    room.send(type, payload);
    await waitFor(() => errors.length > before, `a refusal of ${type}`);
    return errors.at(-1)!.message;
  };

  beforeAll(async () => {
    await initBackend();
    t = await startTestArena();
    const join = guests(t.url);
    owner = await (await join('ada')).create<PlaygroundState>('playground', { budget: BUDGET, seed: SEED });
    watcher = await (await join('bob')).joinById<PlaygroundState>(owner.roomId, { role: 'spectator' });
    other = await (await join('cy')).create<PlaygroundState>('playground', { budget: 400_000, seed: 9, paceSeconds: 60 }); // paced: live until stopped
    for (const r of [owner, watcher, other]) for (const type of ['probe', 'points', 'welcome', 'notice', 'landscape', ...(r === owner ? [] : ['result'])]) r.onMessage(type, () => {});
    for (const r of [owner, watcher]) r.onMessage('error', (e: PlaygroundErrorMessage) => errors.push(e));
    other.onMessage('error', () => {});
    owner.send('spec', { spec: base });
    await waitFor(() => owner.state.summary?.includes('2-8-8-2') === true, 'the spec to be applied');
  });
  afterAll(async () => {
    for (const r of [owner, watcher, other]) await r?.leave().catch(() => {});
    await t?.stop();
  });

  it('refuses bad requests in words, and spectators', async () => {
    expect(await refusal(owner, 'sweep', { ...request, learningRates: [0.1, 0.01, 0.03], batchSizes: [8, 16, 32], widths: [4, 8] })).toMatch(/the grid has 18 trials \(3 learning rates × 3 batch sizes × 2 widths\): at most 16/);
    expect(await refusal(owner, 'sweep', { ...request, method: 'random', trials: 40 })).toBe('trials: trials must be at most 16');
    expect(await refusal(owner, 'sweep', { ...request, budgetPerTrial: 99_000_000 })).toBe('budgetPerTrial: budgetPerTrial must be at most 200000 samples');
    expect(await refusal(owner, 'sweep', { ...request, widths: [0] })).toBe('widths.0: widths must be at least 1');
    expect(await refusal(owner, 'sweepAdopt', { trial: 0 })).toBe('there is no sweep yet: start one first');
    expect(await refusal(owner, 'sweepCancel', {})).toBe('no sweep is running');
    expect(await refusal(watcher, 'sweep', request)).toBe('spectators cannot steer: only ada steers this run');
    expect(owner.state.sweep.phase).toBe('');
  });

  it('a 4-trial grid trains in the background with real figures; a live run elsewhere goes first; the same job repeats them', async () => {
    owner.send('sweep', request);
    await waitFor(() => owner.state.sweep.total === 4 && owner.state.sweep.phase === 'running', 'the sweep to be queued');
    expect([...owner.state.sweep.trials].map((tr) => [tr.learningRate, tr.batchSize, tr.width])).toEqual([
      [0.003, 16, 64],
      [0.003, 16, 128],
      [0.03, 16, 64],
      [0.03, 16, 128],
    ]);
    expect(await refusal(owner, 'sweep', request)).toMatch(/^a sweep is running \(\d of 4 trials done\): cancel it first$/);
    // Two threads: two trials train, the others wait for an idle thread (seen on every state patch: a
    // trial may end between two looks here).
    const training = () => [...owner.state.sweep.trials].filter((tr) => tr.status === 'training').length;
    let mostTraining = training();
    const watch = (): void => void (mostTraining = Math.max(mostTraining, training()));
    owner.onStateChange(watch);
    await waitFor(() => training() === 2, 'two trials to train');

    // A live run in another room: the trial on its thread is paused while it trains.
    other.send('start', {});
    await waitFor(() => other.state.phase === 'training' && other.state.samples > 0, 'the live run to train');
    await waitFor(() => [...owner.state.sweep.trials].some((tr) => tr.status === 'held'), 'a trial to yield its thread to the live run');
    const held = [...owner.state.sweep.trials].find((tr) => tr.status === 'held')!;
    const heldAt = held.samples;
    const liveAt = other.state.samples;
    await waitFor(() => other.state.samples >= liveAt + 20_000, 'the live run to go on');
    expect(owner.state.sweep.trials[held.index]!.samples, 'a held trial does not train').toBe(heldAt);
    other.send('control', { control: { type: 'stop' } }); // the live run ends: the held trial goes on
    await waitFor(() => owner.state.sweep.phase === 'finished', 'the sweep to finish', 240_000);
    owner.onStateChange.remove(watch);
    expect(mostTraining, 'trials training at once on two threads').toBe(2);

    const trials = [...owner.state.sweep.trials];
    expect(owner.state.sweep.done).toBe(4);
    for (const tr of trials) {
      expect(tr.status).toBe('finished');
      expect(tr.samples).toBe(BUDGET);
      expect(tr.valAccuracy).toBeGreaterThan(0);
      expect(tr.valAccuracy).toBeLessThanOrEqual(1);
      expect(tr.heldOutAccuracy).toBeGreaterThan(0);
      expect(tr.weightsHash).toMatch(/\w{8,}/);
    }
    expect(new Set(trials.map((tr) => tr.weightsHash)).size).toBe(4);
    const best = owner.state.sweep.best;
    expect(best).toBe(trials.reduce((b, tr, i) => (tr.valAccuracy > trials[b]!.valAccuracy || (tr.valAccuracy === trials[b]!.valAccuracy && tr.valLoss < trials[b]!.valLoss) ? i : b), 0));

    // Deterministic per seed: the best trial's job, trained again here, gives the same weights and figures.
    const point = planSweep(SweepRequest.parse(request), SEED)[best]!;
    const again = await runTraining(sweepTrialJob('again', trialSpec(base, point), TaskSpec.parse({}), SEED, BUDGET));
    expect(again.weightsHash).toBe(trials[best]!.weightsHash);
    expect(again.final.valAccuracy).toBeCloseTo(trials[best]!.valAccuracy, 5);
    expect(again.heldOutAccuracy).toBeCloseTo(trials[best]!.heldOutAccuracy, 5);
  });

  it("the best trial's network trains as the next run and ends with the trial's figures", async () => {
    const best = owner.state.sweep.best;
    const trial = owner.state.sweep.trials[best]!;
    const ended = nextMessage<PlaygroundResultMessage>(owner, 'result', 120_000);
    owner.send('sweepAdopt', { trial: best });
    const result = await ended;
    expect(result).toMatchObject({ run: 'a', status: 'finished', stored: true });
    expect(owner.state.learningRate).toBeCloseTo(trial.learningRate, 6);
    expect(owner.state.summary).toContain(`2-${trial.width}-${trial.width}-2`);
    expect(result.valAccuracy!).toBeCloseTo(trial.valAccuracy, 5);
    expect(result.heldOutAccuracy!).toBeCloseTo(trial.heldOutAccuracy, 5);
    expect(await refusal(owner, 'sweepAdopt', { trial: 9 })).toBe('there is no trial 9: the sweep had 4 (0 to 3)');
  });
});
