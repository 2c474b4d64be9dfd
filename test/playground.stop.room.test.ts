import type { Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { RunFile, runFileJob } from '../shared/run.schema.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { guests, nextMessage, startTestArena, waitFor } from './support/arena.ts';

const BUDGET = 5_000_000;
const spec = { layers: [{ units: 12, activation: 'tanh' }, { units: 12, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.02, batchSize: 16, features: ['x1', 'x2'] };

/** Stop, keep best and early stopping in the playground, through @colyseus/sdk: each run is stored with its log and replays to its stored weights. */
describe('playground: stop and keep best', () => {
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let owner: Room<any, PlaygroundState>;
  beforeAll(async () => {
    await initBackend();
    t = await startTestArena();
    owner = await (await guests(t.url)('ada')).create<PlaygroundState>('playground', { budget: BUDGET, seed: 4 });
    for (const type of ['probe', 'points', 'welcome', 'notice', 'error']) owner.onMessage(type, () => {});
  });
  afterAll(async () => {
    await owner?.leave();
    await t?.stop();
  });

  /** Starts a run with `s`, lets it train a little, sends `steer`, and answers its stored run file once it ends. */
  async function runAndSteer(s: object, steer: () => void): Promise<{ result: PlaygroundResultMessage; file: RunFile; heldOut: number }> {
    owner.send('spec', { spec: s });
    const runsBefore = owner.state.runs ?? 0;
    const ended = nextMessage<PlaygroundResultMessage>(owner, 'result', 120_000);
    owner.send('start', {});
    await waitFor(() => owner.state.runs > runsBefore && owner.state.phase === 'training' && owner.state.samples >= 20_000, 'the run to train a while');
    steer();
    const result = await ended;
    expect(result).toMatchObject({ run: 'a', status: 'finished', stored: true });
    const run = await (await fetch(`${t.url}/api/runs/${result.runId}`)).json();
    return { result, file: RunFile.parse(run.runFile), heldOut: run.heldOutAccuracy };
  }

  /** Trains a stored run file again here: a replay must end with the stored weights and samples. */
  async function expectReplays(file: RunFile): Promise<void> {
    const again = await runTraining(runFileJob(file, 'replay'));
    expect({ weightsHash: again.weightsHash, samples: again.samples }).toEqual({ weightsHash: file.expected!.weightsHash, samples: file.expected!.samples });
  }

  it('Stop ends the run now: it is stored with the samples it spent, stop last in its log, and replays to its weights', async () => {
    const { file } = await runAndSteer(spec, () => owner.send('control', { control: { type: 'stop' } }));
    expect(file.controls.at(-1)!.control).toEqual({ type: 'stop' });
    expect(file.expected!.samples).toBeLessThan(BUDGET);
    expect(owner.state.phase).toBe('finished');
    expect([...owner.state.log].some((l) => / stopped$/.test(l))).toBe(true);
    await expectReplays(file);
  });

  it('Keep best ends the run with its best checkpoint, logged with the step it chose, and replays to its weights', async () => {
    const { file } = await runAndSteer(spec, () => {
      owner.send('control', { control: { type: 'setLearningRate', learningRate: 5 } });
      setTimeout(() => owner.send('control', { control: { type: 'keepBest' } }), 300);
    });
    const kept = file.controls.at(-1)!;
    expect(kept.control).toMatchObject({ type: 'keepBest', toStep: expect.any(Number) });
    expect((kept.control as { toStep: number }).toStep).toBeLessThanOrEqual(kept.step);
    expect([...owner.state.log].some((l) => /kept the best checkpoint \(step \d+\)/.test(l))).toBe(true);
    await expectReplays(file);
  });

  it('early stopping (spec.earlyStopping) ends the run by itself once validation stops improving, and replays', async () => {
    owner.send('spec', { spec: { ...spec, earlyStopping: { patience: 4000 } } });
    const ended = nextMessage<PlaygroundResultMessage>(owner, 'result', 120_000);
    owner.send('start', {}); // nobody steers it: the spiral's validation score levels off long before 5,000,000 samples
    const result = await ended;
    expect(result).toMatchObject({ status: 'finished', stored: true });
    const file = RunFile.parse((await (await fetch(`${t.url}/api/runs/${result.runId}`)).json()).runFile);
    expect(file.spec.earlyStopping).toEqual({ patience: 4000 });
    expect(file.controls.map((c) => c.control.type), 'only early stopping steered it').toEqual(['keepBest']);
    expect(file.expected!.samples).toBeLessThan(BUDGET);
    await expectReplays(file);
  });
});
