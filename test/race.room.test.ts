import { Client, type Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import type { RaceErrorMessage, RaceResultMessage, RaceSteeredMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { arenaSuite, guestClient, nextMessage, waitFor } from './support/arena.ts';

describe('race room through @colyseus/sdk', () => {
  const t = arenaSuite();

  it('answers /health with the embedded defaults', async () => {
    const health = await fetch(`${t.url}/health`).then((r) => r.json());
    expect(health).toMatchObject({ status: 'ok', db: 'pglite', trainer: 'local', tfBackend: 'wasm' });
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses a room with bad options, naming the option', async () => {
    const { client } = await guestClient(t.url, 'x');
    await expect(client.create('race', { budget: 5 })).rejects.toThrow(/budget must be at least 100/);
  });

  it('lets players in only with a guest token this arena signed; spectators may watch without one', async () => {
    await expect(t.client.create('race', {})).rejects.toThrow(/players need a guest token/);
    const forged = new Client(t.url);
    forged.auth.token = 'g1.eyJzdWIiOiJ4In0.AAAA';
    await expect(forged.create('race', {})).rejects.toThrow(/guest token was refused/);
    const bad = await fetch(`${t.url}/api/guests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '' }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe('name: name must not be empty');
    const { client } = await guestClient(t.url, 'host');
    const host = await client.create<RaceState>('race', { countdownSeconds: 60 });
    const anon = await t.client.joinById<RaceState>(host.roomId, { role: 'spectator', name: 'watcher' });
    await waitFor(() => anon.state.spectators === 1, 'the anonymous spectator to be counted');
    await Promise.all([host.leave(), anon.leave()]);
  });

  it('plays a race with two players and a spectator to a stored result', async () => {
    const adaGuest = await guestClient(t.url, 'ada');
    const bobGuest = await guestClient(t.url, 'bob');
    const eveGuest = await guestClient(t.url, 'eve');
    const ada: Room<any, RaceState> = await adaGuest.client.create<RaceState>('race', { budget: 8000, countdownSeconds: 60, seed: 11, paceSeconds: 4, interventions: 2 });
    const bob = await bobGuest.client.joinById<RaceState>(ada.roomId, {});
    const eve = await eveGuest.client.joinById<RaceState>(ada.roomId, { role: 'spectator' });
    await waitFor(() => eve.state.entries?.size === 2 && eve.state.spectators === 1, 'the spectator to see two players');
    await expect(adaGuest.client.joinById(ada.roomId, {})).rejects.toThrow(/already have a seat/);

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

    // Spectators see the curves move while the race runs (paced over 4 s, so there is time to watch and steer).
    await waitFor(() => eve.state.phase === 'training', 'the race to start');
    await waitFor(() => [...eve.state.entries.values()].some((e) => e.curveSamples.length >= 3 && e.samples > 0), 'a curve with a few points');
    const late = nextMessage<RaceErrorMessage>(bob, 'error');
    bob.send('spec', { spec: DEFAULT_SPEC });
    expect(await late).toMatchObject({ code: 'WRONG_PHASE' });
    await expect((await guestClient(t.url, 'latecomer')).client.joinById(ada.roomId, {})).rejects.toThrow(/already started/);

    // A spectator joining midway gets the history so far, downsampled, from the first points on.
    const midway = await t.client.joinById<RaceState>(ada.roomId, { role: 'spectator' });
    const seen = await waitFor(() => [...(midway.state.entries?.values() ?? [])].find((e) => e.curveSamples.length >= 2), 'the late spectator to get the curves');
    expect(seen.curveSamples[0]!).toBeLessThan(seen.samples);

    // Steering: only your own run, only as a player, and only as often as the race allows; each costs budget.
    const adaEntry = () => [...ada.state.entries.values()].find((e) => e.player === 'ada')!;
    const bobEntry = () => [...ada.state.entries.values()].find((e) => e.player === 'bob')!;
    expect(adaEntry().interventionsLeft).toBe(2); // her own private field...
    expect([...eve.state.entries.values()].find((e) => e.player === 'ada')!.interventionsLeft ?? 0).toBe(0); // ...that spectators never get
    const spectatorSteers = nextMessage<RaceErrorMessage>(eve, 'error');
    eve.send('control', { runId: adaEntry().runId, control: { type: 'setLearningRate', learningRate: 0.05 } });
    expect(await spectatorSteers).toMatchObject({ code: 'NOT_ALLOWED', about: 'control' });
    const hijack = nextMessage<RaceErrorMessage>(ada, 'error');
    ada.send('control', { runId: bobEntry().runId, control: { type: 'setLearningRate', learningRate: 5 } });
    expect(await hijack).toMatchObject({ code: 'NOT_ALLOWED', field: 'runId' });
    expect((await hijack).message).toContain('belongs to bob');
    const badRate = nextMessage<RaceErrorMessage>(ada, 'error');
    ada.send('control', { runId: adaEntry().runId, control: { type: 'setLearningRate', learningRate: -1 } });
    expect(await badRate).toMatchObject({ code: 'BAD_MESSAGE', field: 'control.learningRate' });
    const notInRace = nextMessage<RaceErrorMessage>(ada, 'error');
    ada.send('control', { runId: adaEntry().runId, control: { type: 'addSamples', count: 10 } });
    expect(await notInRace).toMatchObject({ code: 'BAD_MESSAGE', field: 'control.type' });
    const steered = nextMessage<RaceSteeredMessage>(ada, 'steered');
    ada.send('control', { runId: adaEntry().runId, control: { type: 'setLearningRate', learningRate: 0.02 } });
    expect(await steered).toMatchObject({ cost: 160, interventionsLeft: 1 });
    await waitFor(() => adaEntry().interventionsLeft === 1, 'her interventions to go down');
    ada.send('control', { runId: adaEntry().runId, control: { type: 'setBatchSize', batchSize: 16 } });
    await waitFor(() => adaEntry().interventionsLeft === 0, 'her last intervention');
    const noneLeft = nextMessage<RaceErrorMessage>(ada, 'error');
    ada.send('control', { runId: adaEntry().runId, control: { type: 'setBatchSize', batchSize: 32 } });
    expect((await noneLeft).message).toContain('used all 2 interventions');
    // Bob's run was not touched by any of it.
    expect(bobEntry().interventionsLeft ?? 0).toBe(0); // not visible to ada
    expect([...bob.state.entries.values()].find((e) => e.player === 'bob')!.interventionsLeft).toBe(2);

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
    expect(stored).toMatchObject({ id: outcome.matchId, kind: 'race', budget: 8000, seed: 11, rated: false }); // the creator chose the seed: custom, unrated
    expect(stored.entries).toHaveLength(2);
    expect(stored.entries.map((e: { player: string }) => e.player).sort()).toEqual(['ada', 'bob']);
    const adaRun = await fetch(`${t.url}/api/runs/${stored.entries.find((e: { player: string }) => e.player === 'ada').runId}`).then((r) => r.json());
    const applied = JSON.stringify(adaRun);
    expect(applied).toContain('spendBudget');
    expect(applied).toContain('setLearningRate');
    for (const e of stored.entries) {
      // The curve is kept for the match page's replay: downsampled, from the start to the end of the budget.
      expect(e.curve.samples.length).toBeGreaterThan(5);
      expect(e.curve.samples.length).toBeLessThanOrEqual(256);
      expect(e.curve.samples.at(-1)).toBe(8000);
      expect(e.curve.loss).toHaveLength(e.curve.samples.length);
      expect(e.status).toBe('finished');
      expect(e.weightsHash).toMatch(/^[0-9a-f]{64}$/);
      const live = entries.find((x) => x.player === e.player)!;
      expect(e.rank).toBe(live.rank);
      expect(e.heldOutAccuracy).toBeCloseTo(live.heldOutAccuracy, 5);
    }
    await Promise.all([ada.leave(), bob.leave(), eve.leave(), midway.leave()]);
  });

  it('keeps a dropped player\'s seat for a rejoin; garbage closes only the sender', async () => {
    const a = await guestClient(t.url, 'rin');
    const b = await guestClient(t.url, 'sam');
    const rin = await a.client.create<RaceState>('race', { countdownSeconds: 60 });
    const sam = await b.client.joinById<RaceState>(rin.roomId, {});
    rin.send('spec', { spec: DEFAULT_SPEC });
    await waitFor(() => sam.state.entries?.size === 2 && [...sam.state.entries.values()].some((e) => e.summary !== ''), 'rin\'s spec');

    // Rin's connection drops without a goodbye; her seat waits, marked as disconnected.
    rin.reconnection.enabled = false;
    const token = rin.reconnectionToken;
    rin.connection.close(3001, 'network gone');
    await waitFor(() => [...sam.state.entries.values()].some((e) => e.player === 'rin' && !e.connected), 'rin to show as disconnected');
    const back = await a.client.reconnect<RaceState>(token);
    await waitFor(() => [...sam.state.entries.values()].every((e) => e.connected), 'rin to be back');
    const mine = () => [...back.state.entries.values()].find((e) => e.player === 'rin');
    await waitFor(() => mine()?.summary !== '' && mine()?.interventionsLeft === 3, 'her seat, spec and private view intact');
    expect(sam.state.entries.size).toBe(2);

    // Bytes that are not a message close that one connection; the room and the others go on.
    const closed = new Promise<number>((resolve) => sam.onLeave((code) => resolve(code)));
    sam.reconnection.enabled = false;
    sam.connection.send(new Uint8Array([13, 0xa4, 0x73, 0x70, 0x65, 0x63, 0xc1, 0xc1, 0xff]));
    expect(await closed).not.toBe(1000);
    back.send('ready', { ready: true });
    await waitFor(() => mine()?.status === 'ready', 'rin\'s next good message to work');
    await back.leave();
  });

  it('answers 404 for an unknown match', async () => {
    const r = await fetch(`${t.url}/api/matches/00000000-0000-0000-0000-000000000000`);
    expect(r.status).toBe(404);
    expect((await r.json()).error.message).toContain('no match');
  });
});
