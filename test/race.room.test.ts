import type { Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import type { RaceErrorMessage, RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { nextMessage, startTestArena, waitFor } from './support/arena.ts';

describe('race room through @colyseus/sdk', () => {
  let t: Awaited<ReturnType<typeof startTestArena>>;
  beforeAll(async () => {
    t = await startTestArena();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers /health with the embedded defaults', async () => {
    const health = await fetch(`${t.url}/health`).then((r) => r.json());
    expect(health).toMatchObject({ status: 'ok', db: 'pglite', trainer: 'local', tfBackend: 'wasm' });
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses a room with bad options, naming the option', async () => {
    await expect(t.client.create('race', { name: 'x', budget: 5 })).rejects.toThrow(/budget must be at least 100/);
  });

  it('plays a race with two players and a spectator to a stored result', async () => {
    const ada: Room<any, RaceState> = await t.client.create<RaceState>('race', { name: 'ada', budget: 8000, countdownSeconds: 60, seed: 11 });
    const bob = await t.client.joinById<RaceState>(ada.roomId, { name: 'bob' });
    const eve = await t.client.joinById<RaceState>(ada.roomId, { name: 'eve', role: 'spectator' });
    await waitFor(() => eve.state.entries?.size === 2 && eve.state.spectators === 1, 'the spectator to see two players');

    // A spectator may not enter a model.
    const refused = nextMessage<RaceErrorMessage>(eve, 'error');
    eve.send('spec', { spec: DEFAULT_SPEC });
    expect(await refused).toMatchObject({ code: 'NOT_ALLOWED', about: 'spec' });

    // A spec with bad content gets an error naming the field; the next good one works.
    const bad = nextMessage<RaceErrorMessage>(bob, 'error');
    bob.send('spec', { spec: { ...DEFAULT_SPEC, learningRate: -1 } });
    expect(await bad).toMatchObject({ code: 'BAD_MESSAGE', field: 'spec.learningRate' });
    const badWidth = nextMessage<RaceErrorMessage>(bob, 'error');
    bob.send('spec', { spec: { ...DEFAULT_SPEC, layers: [{ units: -3, activation: 'relu' }] } });
    expect((await badWidth).message).toContain('spec.layers.0.units');
    const garbage = nextMessage<RaceErrorMessage>(bob, 'error');
    bob.send('spec', 'not even an object');
    expect(await garbage).toMatchObject({ code: 'BAD_MESSAGE' });
    const unknown = nextMessage<RaceErrorMessage>(bob, 'error');
    bob.send('teleport', { x: 1 });
    expect(await unknown).toMatchObject({ code: 'BAD_MESSAGE', about: 'teleport' });
    const early = nextMessage<RaceErrorMessage>(ada, 'error');
    ada.send('ready', { ready: true });
    expect((await early).message).toContain('send a model spec before getting ready');

    bob.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    ada.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    await waitFor(() => [...eve.state.entries.values()].every((e) => e.summary !== ''), 'both specs to be accepted');
    expect([...eve.state.entries.values()].map((e) => e.params).sort((a, b) => a - b)).toEqual([354, 2274]);

    const result = nextMessage<RaceResultMessage>(eve, 'result');
    ada.send('ready', { ready: true });
    await waitFor(() => eve.state.phase === 'countdown', 'the countdown once two players are ready... or the start', 5000).catch(() => undefined);
    bob.send('ready', { ready: true });

    // Spectators see the curves move while the race runs.
    await waitFor(() => eve.state.phase === 'training', 'the race to start');
    await waitFor(() => [...eve.state.entries.values()].some((e) => e.curveSamples.length >= 3 && e.samples > 0), 'a curve with a few points');
    const late = nextMessage<RaceErrorMessage>(bob, 'error');
    bob.send('spec', { spec: DEFAULT_SPEC });
    expect(await late).toMatchObject({ code: 'WRONG_PHASE' });
    await expect(t.client.joinById(ada.roomId, { name: 'latecomer' })).rejects.toThrow();

    const outcome = await result;
    expect(outcome.matchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome.ranking.map((r) => r.rank)).toEqual([1, 2]);
    const entries = [...eve.state.entries.values()];
    expect(eve.state.phase).toBe('finished');
    for (const e of entries) {
      expect(e.samples).toBe(8000);
      expect(e.curveSamples.length).toBeGreaterThan(5);
      expect(e.curveSamples.length).toBeLessThanOrEqual(128);
      expect(e.heldOutAccuracy).toBeGreaterThan(0.5);
    }

    const stored = await fetch(`${t.url}/api/matches/${outcome.matchId}`).then((r) => r.json());
    expect(stored).toMatchObject({ id: outcome.matchId, kind: 'race', budget: 8000, seed: 11 });
    expect(stored.entries).toHaveLength(2);
    expect(stored.entries.map((e: { player: string }) => e.player).sort()).toEqual(['ada', 'bob']);
    for (const e of stored.entries) {
      expect(e.status).toBe('finished');
      expect(e.weightsHash).toMatch(/^[0-9a-f]{64}$/);
      const live = entries.find((x) => x.player === e.player)!;
      expect(e.rank).toBe(live.rank);
      expect(e.heldOutAccuracy).toBeCloseTo(live.heldOutAccuracy, 5);
    }
    await Promise.all([ada.leave(), bob.leave(), eve.leave()]);
  });

  it('answers 404 for an unknown match', async () => {
    const r = await fetch(`${t.url}/api/matches/00000000-0000-0000-0000-000000000000`);
    expect(r.status).toBe(404);
    expect((await r.json()).error.message).toContain('no match');
  });
});
