import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import type { GanResultMessage } from '../shared/gan.messages.ts';
import type { GanState } from '../shared/gan.state.ts';
import type { LobbyRoomInfo } from '../shared/lobby.messages.ts';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import type { RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { arenaSuite, nextMessage, waitFor } from './support/arena.ts';

/**
 * A rematch is the same match again: a player calls it once the match is over, and the new room has the
 * finished room's options (its task above all, not the default one) on a seed the server draws afresh,
 * so even a rematch of a custom-seed match is rated. Through @colyseus/sdk, for a race and a GAN battle
 * (a tournament's rematch is checked from its ending in test/endings.rooms.page.test.ts).
 */
describe('rematches keep the options and draw a fresh seed', () => {
  const t = arenaSuite();
  const as = t.as;

  it('a race on moons, custom seed and settings: its rematch is a moons race with the same settings, rated', async () => {
    const options = { task: { name: 'moons', samples: 300, noise: 0.2 }, budget: 1500, seed: 5, minPlayers: 2, maxPlayers: 3, countdownSeconds: 60, paceSeconds: 0, interventions: 2, interventionCost: 0.05 };
    const ada: Room<any, RaceState> = await (await as('ada')).create<RaceState>('race', options);
    const bob: Room<any, RaceState> = await (await as('bob')).joinById<RaceState>(ada.roomId, {});
    for (const room of [ada, bob]) room.onMessage('welcome', () => {});
    await waitFor(() => ada.state.entries?.size === 2, 'both players seated');
    expect(ada.state.task).toBe('moons');
    expect(ada.state.fairSeed.rated).toBe(false); // the custom seed
    for (const room of [ada, bob]) room.send('spec', { spec: DEFAULT_SPEC });
    await waitFor(() => [...ada.state.entries.values()].every((e) => e.summary !== ''), 'both specs');
    const result = nextMessage<RaceResultMessage>(ada, 'result', 120_000);
    bob.onMessage('result', () => {});
    for (const room of [ada, bob]) room.send('ready', { ready: true });
    expect((await result).rated).toBe(false);

    bob.send('rematch', {});
    const next = await waitFor(() => ada.state.rematch || undefined, 'the rematch room');
    const again: Room<any, RaceState> = await (await as('bob')).joinById<RaceState>(next, {});
    again.onMessage('welcome', () => {});
    await waitFor(() => again.state.entries?.size === 1, 'a seat in the rematch');
    const s = again.state;
    expect({ task: s.task, budget: s.budget, minPlayers: s.minPlayers, maxPlayers: s.maxPlayers, paceSeconds: s.paceSeconds, interventions: s.interventions, interventionCost: s.interventionCost }).toEqual({
      task: 'moons',
      budget: 1500,
      minPlayers: 2,
      maxPlayers: 3,
      paceSeconds: 0,
      interventions: 2,
      interventionCost: Math.round(1500 * 0.05),
    });
    // The seed is the server's this time: committed to, secret, and so rated.
    expect(s.fairSeed.toJSON()).toMatchObject({ rated: true, commitment: expect.stringMatching(/^[0-9a-f]{64}$/), seed: -1 });
    // The lobby lists it among the open moons races, as quick join after "Next race" looks for them.
    const lobby = await t.client.joinOrCreate('lobby', {});
    lobby.onMessage('*', () => {});
    const listed = nextMessage<LobbyRoomInfo[]>(lobby, 'rooms');
    lobby.send('filter', { kind: 'race', task: 'moons' });
    expect((await listed).find((r) => r.roomId === next)).toMatchObject({ task: 'moons', budget: 1500, phase: 'lobby' });
    await Promise.all([ada.leave(), bob.leave(), again.leave(), lobby.leave()]);
  }, 180_000);

  it('a GAN battle on line, one short round: its rematch has the same distribution, rounds and iterations, rated', async () => {
    const options = { distribution: 'line', rounds: 1, iterationsPerRound: 30, batchSize: 32, frameEveryIterations: 10, heatmapResolution: 8, breakSeconds: 0, seed: 11 };
    const forger: Room<any, GanState> = await (await as('forger')).create<GanState>('gan', { ...options, side: 'generator' });
    const judge: Room<any, GanState> = await (await as('judge')).joinById<GanState>(forger.roomId, {});
    for (const room of [forger, judge]) for (const type of ['welcome', 'round', 'notice']) room.onMessage(type, () => {});
    await waitFor(() => forger.state.seats?.get('discriminator')?.player === 'judge', 'both sides taken');
    const result = nextMessage<GanResultMessage>(forger, 'result', 120_000);
    judge.onMessage('result', () => {});
    for (const room of [forger, judge]) room.send('ready', { ready: true });
    expect((await result).rated).toBe(false);

    judge.send('rematch', {});
    const next = await waitFor(() => forger.state.rematch || undefined, 'the rematch room');
    const again: Room<any, GanState> = await (await as('judge')).joinById<GanState>(next, {});
    again.onMessage('welcome', () => {});
    await waitFor(() => again.state.seats?.get('generator')?.player === 'judge', 'a side in the rematch');
    const s = again.state;
    expect({ distribution: s.distribution, rounds: s.rounds, iterationsPerRound: s.iterationsPerRound }).toEqual({ distribution: 'line', rounds: 1, iterationsPerRound: 30 });
    expect(s.fairSeed.toJSON()).toMatchObject({ rated: true, commitment: expect.stringMatching(/^[0-9a-f]{64}$/), seed: -1 });
    // The lobby lists it among the open GAN battles on line, with the distribution as its task, as quick join after
    // "Next race" (?gan=line) looks for them.
    const lobby = await t.client.joinOrCreate('lobby', {});
    lobby.onMessage('*', () => {});
    const listed = nextMessage<LobbyRoomInfo[]>(lobby, 'rooms');
    lobby.send('filter', { kind: 'gan', task: 'line' });
    expect((await listed).find((r) => r.roomId === next)).toMatchObject({ kind: 'gan', task: 'line', phase: 'lobby', players: 1, maxPlayers: 2 });
    await Promise.all([forger.leave(), judge.leave(), again.leave(), lobby.leave()]);
  }, 180_000);
});
