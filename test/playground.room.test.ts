import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import type { LandscapeFrame } from '../shared/landscape.schema.ts';
import type { PlaygroundErrorMessage, PlaygroundPointsMessage, PlaygroundProbeMessage, PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { arenaSuite, nextMessage, waitFor } from './support/arena.ts';

describe('playground room through @colyseus/sdk', () => {
  const t = arenaSuite();
  const as = t.as;

  it('trains one steerable run that spectators watch but cannot steer, with probes, a landscape and a stored result', async () => {
    const owner: Room<any, PlaygroundState> = await (await as('ada')).create<PlaygroundState>('playground', { budget: 60_000, seed: 5, paceSeconds: 20 }); // paced: steered mid-run however fast it trains
    const points = await nextMessage<PlaygroundPointsMessage>(owner, 'points');
    expect(points.y.length).toBeGreaterThan(100);
    expect(points.x.length).toBe(2 * points.y.length);
    expect(new Set(points.y), 'both classes are drawn').toEqual(new Set([0, 1]));
    const eve = await t.client.joinById<PlaygroundState>(owner.roomId, { name: 'eve', role: 'spectator' });
    for (const room of [owner, eve]) for (const type of ['probe', 'landscape', 'welcome', 'points', 'result']) room.onMessage(type, () => {});
    await waitFor(() => owner.state.spectators === 1, 'the spectator to be counted');
    await expect((await as('mallory')).joinById(owner.roomId, {})).rejects.toThrow(/ada's: join as a spectator/);

    // Bad content names the field; the next good message works.
    const bad = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('spec', { spec: { ...SPEC_TEMPLATES[1]!.spec, layers: [{ units: 0, activation: 'relu' }] } });
    expect(await bad).toMatchObject({ code: 'BAD_MESSAGE', field: 'spec.layers.0.units', about: 'spec' });
    owner.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => owner.state.summary.startsWith('2-16-16-2'), 'the good spec to be taken');

    // A spectator's steering is refused, saying why.
    const refused = nextMessage<PlaygroundErrorMessage>(eve, 'error');
    eve.send('start', {});
    expect(await refused).toMatchObject({ code: 'NOT_ALLOWED', about: 'start', message: expect.stringContaining('only ada steers') });

    const probe = nextMessage<PlaygroundProbeMessage>(eve, 'probe');
    owner.send('start', {});
    await waitFor(() => owner.state.phase === 'training' && owner.state.curveSamples.length >= 3, 'the curve to grow');
    const p = await probe;
    expect(p.boundary?.resolution).toBe(50);
    expect(p.boundary?.values.length).toBe(2500);
    expect(new Set(p.boundary?.values).size, 'the boundary is not flat').toBeGreaterThan(5);

    const refusedControl = nextMessage<PlaygroundErrorMessage>(eve, 'error');
    eve.send('control', { control: { type: 'setLearningRate', learningRate: 0.1 } });
    expect(await refusedControl).toMatchObject({ code: 'NOT_ALLOWED', about: 'control' });
    const badControl = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('control', { control: { type: 'setLearningRate', learningRate: -1 } });
    expect(await badControl).toMatchObject({ code: 'BAD_MESSAGE', field: 'control.learningRate' });

    // The owner pauses, steers, asks for the landscape while paused, and resumes.
    owner.send('control', { control: { type: 'pause' } });
    await waitFor(() => owner.state.paused, 'the run to pause');
    owner.send('control', { control: { type: 'setLearningRate', learningRate: 0.003 } });
    await waitFor(() => Math.abs(owner.state.learningRate - 0.003) < 1e-6, 'the new learning rate to apply');
    expect(owner.state.lastControl).toMatch(/^learning rate → 0.003 \(step \d+\)$/);
    // A control the engine refuses (a layer the network lacks) reaches the owner with the engine's reason, and shows in state.
    const engineRefused = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('control', { control: { type: 'removeLayer', layer: 40 } });
    expect(await engineRefused).toMatchObject({ code: 'CONTROL_REFUSED', about: 'control', message: expect.stringMatching(/^removeLayer was refused: /) });
    await waitFor(() => owner.state.lastControl.startsWith('refused: '), 'the refusal in state');
    const landscape = nextMessage<LandscapeFrame>(eve, 'landscape');
    owner.send('landscape', { resolution: 15 });
    const l = await landscape;
    expect(l.error).toBeUndefined();
    expect(l.landscape!.losses).toHaveLength(225);
    const losses = l.landscape!.losses.filter((v): v is number => v !== null);
    expect(Math.max(...losses) / Math.min(...losses), 'the terrain is not flat').toBeGreaterThan(1.2);
    expect(l.landscape!.trajectory.length).toBeGreaterThan(0);
    expect(l.step).toBe(owner.state.step);
    const badLandscape = nextMessage<PlaygroundErrorMessage>(eve, 'error');
    eve.send('landscape', { resolution: 8 });
    expect(await badLandscape).toMatchObject({ code: 'BAD_MESSAGE', field: 'resolution', message: 'resolution: resolution must be odd' });
    owner.send('control', { control: { type: 'resume' } });
    await waitFor(() => !owner.state.paused, 'the run to resume');

    // Rewind to a checkpoint the state lists.
    await waitFor(() => owner.state.checkpoints.length >= 2, 'a second checkpoint');
    const target = owner.state.checkpoints[1]!;
    owner.send('control', { control: { type: 'rewind', toStep: target } });
    await waitFor(() => owner.state.lastControl.startsWith(`rewound to step ${target}`), 'the rewind to apply');

    const result = await nextMessage<PlaygroundResultMessage>(eve, 'result', 120_000);
    expect(result).toMatchObject({ status: 'finished', stored: true });
    await waitFor(() => owner.state.phase === 'finished', 'the owner to see the end');
    expect(owner.state.samples).toBe(60_000);
    const stored = await t.arena.services.runs.load(result.runId);
    expect(stored?.playerId).toBeTruthy();
    expect(stored?.runFile.controls.map((c) => c.control.type)).toEqual(['pause', 'setLearningRate', 'resume', 'rewind']);
    await Promise.all([owner.leave(), eve.leave()]);
  });

  it('holds a smallest-network challenge to its size limit and judges the run on the held-out split', async () => {
    const challenge = { kind: 'smallest', accuracy: 0.6, maxParameters: 60 };
    const owner: Room<any, PlaygroundState> = await (await as('grace')).create<PlaygroundState>('playground', { budget: 20_000, seed: 9, challenge });
    for (const type of ['probe', 'landscape', 'welcome', 'points']) owner.onMessage(type, () => {});
    await waitFor(() => owner.state.challenge, 'the challenge in state');
    expect(owner.state.challenge).toBe('reach 60% on the held-out split with at most 60 parameters');

    // Over the limit: refused, naming the layers; the next (small) spec is taken.
    const refused = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('spec', { spec: { ...SPEC_TEMPLATES[1]!.spec, layers: [{ units: 16, activation: 'tanh' }, { units: 16, activation: 'tanh' }] } });
    expect(await refused).toMatchObject({ code: 'SPEC_TOO_LARGE', field: 'spec.layers', about: 'spec', message: expect.stringMatching(/^this challenge allows at most 60 parameters: this network has \d+$/) });
    owner.send('spec', { spec: { ...SPEC_TEMPLATES[1]!.spec, features: ['x1', 'x2'], layers: [{ units: 8, activation: 'tanh' }] } });
    await waitFor(() => owner.state.summary.startsWith('2-8-2'), 'the small spec to be taken');
    expect(owner.state.params).toBe(42);

    const result = nextMessage<PlaygroundResultMessage>(owner, 'result', 120_000);
    owner.send('start', {});
    await waitFor(() => owner.state.challengeStatus === 'open', 'the challenge to open with the run');
    const r = await result;
    expect(r.status).toBe('finished');
    const reached = r.heldOutAccuracy! >= 0.6;
    expect(r.challenge).toMatchObject({ status: reached ? 'passed' : 'failed', detail: expect.stringContaining('with 42 parameters') });
    await waitFor(() => owner.state.challengeStatus === r.challenge!.status, 'the verdict in state');
    expect(owner.state.challengeDetail).toBe(r.challenge!.detail);
    // A pass is credited with the stored run: Challenger's first tier.
    expect(r.unlocks.some((u) => u.achievement === 'Challenger' && u.tier === 1)).toBe(reached);
    await owner.leave();
  });

  it('shocks a robustness challenge with weight noise at half its budget, logged like any control, and judges what is left', async () => {
    const owner: Room<any, PlaygroundState> = await (await as('hedy')).create<PlaygroundState>('playground', { budget: 24_000, seed: 4, challenge: { kind: 'robust', accuracy: 0.7, noise: 0.6 } });
    for (const type of ['probe', 'landscape', 'welcome', 'points']) owner.onMessage(type, () => {});
    await waitFor(() => owner.state.challenge, 'the challenge in state');
    owner.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => owner.state.summary.startsWith('2-16-16-2'), 'the spec to be taken');
    const result = nextMessage<PlaygroundResultMessage>(owner, 'result', 120_000);
    owner.send('start', {});
    const r = await result;
    expect(r.status).toBe('finished');
    expect(r.challenge!.status).toBe(r.heldOutAccuracy! >= 0.7 ? 'passed' : 'failed');
    const stored = await t.arena.services.runs.load(r.runId);
    const shock = stored!.runFile.controls.find((c) => c.control.type === 'injectNoise');
    expect(shock?.control).toEqual({ type: 'injectNoise', target: 'weights', strength: 0.6 });
    // It took effect at the step the room scheduled: where the spec's batch size has spent half the budget.
    const batch = SPEC_TEMPLATES[1]!.spec.batchSize;
    expect(shock!.step * batch).toBeGreaterThanOrEqual(12_000);
    expect(shock!.step * batch).toBeLessThan(18_000);
    expect([...owner.state.log].some((l) => l.startsWith('challenge: noise shock into the weights'))).toBe(true);
    await owner.leave();
  });

  it('refuses a room with a bad challenge or pace, naming the field', async () => {
    await expect((await as('ivan')).create('playground', { challenge: { kind: 'smallest', accuracy: 0.8, maxParameters: 0 } })).rejects.toThrow(/maxParameters must be at least 3/);
    await expect((await as('ivan')).create('playground', { paceSeconds: 601 })).rejects.toThrow(/paceSeconds must be at most 600/);
    await expect((await as('ivan')).create('playground', { paceSeconds: 'slow' })).rejects.toThrow(/paceSeconds must be a number/);
  });

  it('forks a running run from its latest checkpoint into B, steers and pauses B apart from A, and stores B after A with its parent', async () => {
    const owner: Room<any, PlaygroundState> = await (await as('lovelace')).create<PlaygroundState>('playground', { budget: 400_000, seed: 3 });
    const results: PlaygroundResultMessage[] = [];
    for (const type of ['probe', 'landscape', 'welcome', 'points']) owner.onMessage(type, () => {});
    owner.onMessage('result', (r: PlaygroundResultMessage) => results.push(r));
    const eve = await t.client.joinById<PlaygroundState>(owner.roomId, { name: 'eve', role: 'spectator' });
    for (const type of ['probe', 'landscape', 'welcome', 'points', 'result']) eve.onMessage(type, () => {});
    await waitFor(() => owner.state.budget, 'the state');
    owner.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => owner.state.summary.startsWith('2-16-16-2'), 'the spec to be taken');

    // Nothing to fork before a run trains; B cannot be steered before it exists.
    const early = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('fork', {});
    expect(await early).toMatchObject({ code: 'WRONG_PHASE', about: 'fork' });
    owner.send('start', {});
    await waitFor(() => owner.state.phase === 'training' && owner.state.checkpoints.length >= 2, 'two checkpoints');
    const noB = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('control', { run: 'b', control: { type: 'setLearningRate', learningRate: 0.002 } });
    expect(await noB).toMatchObject({ code: 'WRONG_PHASE', about: 'control', message: expect.stringContaining('no fork is training') });
    const badRun = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('control', { run: 'c', control: { type: 'pause' } });
    expect(await badRun).toMatchObject({ code: 'BAD_MESSAGE', field: 'run', message: 'run: run must be a or b' });
    const spectatorFork = nextMessage<PlaygroundErrorMessage>(eve, 'error');
    eve.send('fork', {});
    expect(await spectatorFork).toMatchObject({ code: 'NOT_ALLOWED', about: 'fork' });

    owner.send('fork', {});
    await waitFor(() => owner.state.fork.phase === 'training' && owner.state.fork.curveSamples.length >= 2, 'B to train', 60_000);
    const fromStep = owner.state.fork.fromStep;
    expect([...owner.state.checkpoints]).toContain(fromStep);
    expect(owner.state.fork.step).toBeGreaterThan(fromStep);
    expect(eve.state.fork.runId, 'spectators see B too').toBe(owner.state.fork.runId);

    // Steer B only: A keeps its learning rate.
    const aRate = owner.state.learningRate;
    owner.send('control', { run: 'b', control: { type: 'setLearningRate', learningRate: 0.002 } });
    await waitFor(() => Math.abs(owner.state.fork.learningRate - 0.002) < 1e-6, "B's new learning rate");
    expect(owner.state.fork.lastControl).toMatch(/^learning rate → 0.002 \(step \d+\)$/);
    expect(owner.state.learningRate).toBeCloseTo(aRate, 6);
    expect(owner.state.fork.checkpoints[0], "B's first rewind target is where it started").toBe(fromStep);

    // Pause B and change a layer while it waits: A trains on as it was; B shows its own settings.
    owner.send('control', { run: 'b', control: { type: 'pause' } });
    await waitFor(() => owner.state.fork.paused, 'B to pause');
    owner.send('control', { run: 'b', control: { type: 'setActivation', layer: 0, activation: 'tanh' } });
    await waitFor(() => owner.state.fork.activations[0] === 'tanh', "B's new activation");
    expect(owner.state.paused).toBe(false);
    expect([...owner.state.activations]).toEqual(['relu', 'relu']);
    expect([...owner.state.fork.activations]).toEqual(['tanh', 'relu']);
    // A control the engine refuses on B reaches the owner too, with the engine's reason.
    const bRefused = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('control', { run: 'b', control: { type: 'removeLayer', layer: 40 } });
    expect(await bRefused).toMatchObject({ code: 'CONTROL_REFUSED', about: 'control', message: expect.stringMatching(/^removeLayer was refused: /) });
    await waitFor(() => owner.state.fork.lastControl.startsWith('refused: '), "B's refusal in state");
    owner.send('control', { run: 'b', control: { type: 'resume' } });
    await waitFor(() => !owner.state.fork.paused, 'B to resume');

    await waitFor(() => results.length === 2, 'both runs to end and be stored', 180_000);
    const a = results.find((r) => r.run === 'a')!;
    const b = results.find((r) => r.run === 'b')!;
    expect(a).toMatchObject({ status: 'finished', stored: true });
    expect(b).toMatchObject({ status: 'finished', stored: true });
    expect(owner.state.fork.phase).toBe('finished');
    const storedB = (await t.arena.services.runs.load(b.runId))!;
    expect(storedB.parentRunId).toBe(a.runId);
    expect(storedB.runFile.parent).toEqual({ runId: a.runId, step: fromStep });
    expect(storedB.samples).toBe(400_000);
    expect(storedB.runFile.controls.map((c) => c.control)).toEqual([
      { type: 'setLearningRate', learningRate: 0.002 },
      { type: 'pause' },
      { type: 'setActivation', layer: 0, activation: 'tanh' },
      { type: 'resume' },
    ]);
    await Promise.all([owner.leave(), eve.leave()]);
  });
});
