import type { Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LandscapeFrame } from '../shared/landscape.schema.ts';
import type { PlaygroundErrorMessage, PlaygroundPointsMessage, PlaygroundProbeMessage, PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { guests, nextMessage, startTestArena, waitFor } from './support/arena.ts';

describe('playground room through @colyseus/sdk', () => {
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let as: ReturnType<typeof guests>;
  beforeAll(async () => {
    t = await startTestArena();
    as = guests(t.url);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('trains one steerable run that spectators watch but cannot steer, with probes, a landscape and a stored result', async () => {
    const owner: Room<any, PlaygroundState> = await (await as('ada')).create<PlaygroundState>('playground', { budget: 60_000, seed: 5 });
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
});
