import type { Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundErrorMessage, PlaygroundPointsMessage, PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { RunFile, runFileJob } from '../shared/run.schema.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { guests, nextMessage, startTestArena, waitFor } from './support/arena.ts';

const spec = { layers: [{ units: 12, activation: 'tanh' }, { units: 12, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.02, batchSize: 16, features: ['x1', 'x2'] };
/** Whether the drawn points hold one at (x1, x2) with this label. */
const hasPoint = (p: PlaygroundPointsMessage, x1: number, x2: number, label: number) => p.y.some((y, i) => y === label && Math.abs(p.x[2 * i]! - x1) < 1e-9 && Math.abs(p.x[2 * i + 1]! - x2) < 1e-9);

/**
 * The engine's data and architecture controls through the playground room (@colyseus/sdk): points added and
 * removed on the plane, samples, augmentation, the difficulty ramp and layers added and removed live. The room
 * reports what took effect (training set size, augmentation, ramp, layers) and everyone's drawn points follow;
 * refusals come back in words; the stored run replays to its weights.
 */
describe('playground: data and architecture controls', () => {
  let t: Awaited<ReturnType<typeof startTestArena>>;
  beforeAll(async () => {
    await initBackend();
    t = await startTestArena();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('adds and removes points, samples and layers, sets augmentation and the ramp; state shows what applied; the run replays', async () => {
    const owner: Room<any, PlaygroundState> = await (await guests(t.url)('ada')).create<PlaygroundState>('playground', { budget: 5_000_000, seed: 4 });
    const firstPoints = await nextMessage<PlaygroundPointsMessage>(owner, 'points');
    const eve = await t.client.joinById<PlaygroundState>(owner.roomId, { name: 'eve', role: 'spectator' });
    let evePoints = await nextMessage<PlaygroundPointsMessage>(eve, 'points');
    expect(evePoints).toEqual(firstPoints);
    for (const room of [owner, eve]) for (const type of ['probe', 'welcome', 'notice', 'result']) room.onMessage(type, () => {});
    owner.send('spec', { spec });
    owner.send('start', {});
    await waitFor(() => owner.state.phase === 'training' && owner.state.samples > 0, 'the run to train');
    const initial = owner.state.trainSize;
    expect(initial, 'the default spiral: 1000 points, 60% for training').toBe(600);
    owner.send('control', { control: { type: 'pause' } });
    await waitFor(() => owner.state.paused, 'the run to pause');

    // A point: everyone's drawn points gain it, and the training set grows by one.
    const gained = nextMessage<PlaygroundPointsMessage>(eve, 'points');
    owner.send('control', { control: { type: 'addPoints', points: [{ x: [1.4, 1.35], label: 1 }] } });
    evePoints = await gained;
    expect(hasPoint(evePoints, 1.4, 1.35, 1)).toBe(true);
    expect(evePoints.y.length).toBe(firstPoints.y.length + 1);
    await waitFor(() => owner.state.trainSize === initial + 1, 'the training set to grow');
    expect(owner.state.lastControl).toMatch(/^added a point of 1 at \(1\.40, 1\.35\) \(step \d+\)$/);

    // A box around it removes it again; an empty box is refused in words.
    const lost = nextMessage<PlaygroundPointsMessage>(eve, 'points');
    owner.send('control', { control: { type: 'removePoints', from: [1.5, 1.5], to: [1.3, 1.3] } });
    expect(hasPoint(await lost, 1.4, 1.35, 1)).toBe(false);
    await waitFor(() => owner.state.trainSize === initial, 'the training set to shrink');
    const empty = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('control', { control: { type: 'removePoints', from: [1.5, 1.5], to: [1.3, 1.3] } });
    expect(await empty).toMatchObject({ code: 'CONTROL_REFUSED', about: 'control', message: expect.stringContaining('no training point lies in [1.30, 1.50] × [1.30, 1.50]: nothing to remove') });

    // Bad content is refused at the boundary, naming the field; a wrong class by the engine; a spectator not at all.
    const outside = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('control', { control: { type: 'addPoints', points: [{ x: [3, 0], label: 1 }] } });
    expect(await outside).toMatchObject({ code: 'BAD_MESSAGE', message: expect.stringContaining('a point must lie within [-1.5, 1.5]') });
    const wrongClass = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('control', { control: { type: 'addPoints', points: [{ x: [0, 0], label: 3 }] } });
    expect(await wrongClass).toMatchObject({ code: 'CONTROL_REFUSED', message: expect.stringContaining('point 1 has label 3: spiral has classes 0 to 1') });
    const spectator = nextMessage<PlaygroundErrorMessage>(eve, 'error');
    eve.send('control', { control: { type: 'setAugmentation', enabled: true } });
    expect(await spectator).toMatchObject({ code: 'NOT_ALLOWED', message: expect.stringContaining('spectators cannot steer') });

    // Samples from the task's generator, augmentation, the ramp, and a layer added then another removed.
    owner.send('control', { control: { type: 'addSamples', count: 50 } });
    await waitFor(() => owner.state.trainSize === initial + 50, 'the samples to be added');
    owner.send('control', { control: { type: 'removeSamples', count: 20 } });
    await waitFor(() => owner.state.trainSize === initial + 30, 'the samples to be removed');
    owner.send('control', { control: { type: 'setAugmentation', enabled: true } });
    await waitFor(() => owner.state.augmentation && eve.state.augmentation, 'augmentation on, for everyone');
    owner.send('control', { control: { type: 'setDifficulty', ramp: 0.3 } });
    await waitFor(() => Math.abs(owner.state.difficulty - 0.3) < 1e-6, 'the ramp to apply');
    owner.send('control', { control: { type: 'addLayer', index: 2, activation: 'relu' } });
    await waitFor(() => owner.state.activations.length === 3, 'the layer to be added');
    expect([...owner.state.activations]).toEqual(['tanh', 'tanh', 'relu']);
    owner.send('control', { control: { type: 'removeLayer', layer: 0 } });
    await waitFor(() => owner.state.activations.length === 2, 'the layer to be removed');
    expect([...owner.state.activations]).toEqual(['tanh', 'relu']);

    // The run goes on with all of it, then stops: stored with its log, which replays to the stored weights.
    owner.send('control', { control: { type: 'resume' } });
    const steps = owner.state.step;
    await waitFor(() => owner.state.step > steps + 100, 'the run to train on');
    const ended = nextMessage<PlaygroundResultMessage>(owner, 'result', 120_000);
    owner.send('control', { control: { type: 'stop' } });
    const result = await ended;
    expect(result).toMatchObject({ status: 'finished', stored: true });
    const file = RunFile.parse((await (await fetch(`${t.url}/api/runs/${result.runId}`)).json()).runFile);
    expect(file.controls.map((c) => c.control.type)).toEqual(['pause', 'addPoints', 'removePoints', 'addSamples', 'removeSamples', 'setAugmentation', 'setDifficulty', 'addLayer', 'removeLayer', 'resume', 'stop']);
    const again = await runTraining(runFileJob(file, 'replay'));
    expect({ weightsHash: again.weightsHash, samples: again.samples }).toEqual({ weightsHash: file.expected!.weightsHash, samples: file.expected!.samples });

    // The next run starts from the task's own training set, and the settings of its spec.
    owner.send('start', {});
    await waitFor(() => owner.state.runs === 2 && owner.state.phase === 'training', 'the second run');
    expect({ trainSize: owner.state.trainSize, augmentation: owner.state.augmentation, activations: owner.state.activations.length }).toEqual({ trainSize: initial, augmentation: false, activations: 2 });
    await eve.leave();
    await owner.leave();
  });

  it('Overfitting Detective can be earned from the playground: the run overfits noisy labels, its owner adds a point', async () => {
    const owner: Room<any, PlaygroundState> = await (await guests(t.url)('sherlock')).create<PlaygroundState>('playground', { task: { name: 'moons', samples: 200 }, budget: 400_000, seed: 3 });
    for (const type of ['probe', 'welcome', 'notice', 'points', 'error']) owner.onMessage(type, () => {});
    owner.send('spec', { spec: { layers: [{ units: 128, activation: 'relu' }, { units: 128, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16, features: ['x1', 'x2'] } });
    owner.send('start', {});
    await waitFor(() => owner.state.phase === 'training', 'the run to start');
    owner.send('control', { control: { type: 'injectNoise', target: 'labels', strength: 0.4 } });
    await waitFor(() => [...owner.state.log].some((l) => /validation loss rose/.test(l)), 'the run to overfit', 120_000);
    owner.send('control', { control: { type: 'addPoints', points: [{ x: [0.5, 0.2], label: 1 }] } });
    await waitFor(() => owner.state.lastControl.startsWith('added a point'), 'the fix to apply');
    const ended = nextMessage<PlaygroundResultMessage>(owner, 'result', 120_000);
    owner.send('control', { control: { type: 'stop' } });
    const result = await ended;
    expect(result.unlocks.map((u) => u.achievement)).toContain('Overfitting Detective');
    await owner.leave();
  });
});
