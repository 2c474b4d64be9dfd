import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import type { RaceErrorMessage, RaceResultMessage, RaceSteeredMessage } from '../shared/race.messages.ts';
import type { RaceEntry, RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { arenaSuite, guestClient, nextMessage, waitFor } from './support/arena.ts';
import { ACHIEVEMENTS } from '../server/progression/achievements.ts';
import { raceXp } from '../server/progression/xp.rules.ts';
import { shownRating } from '../shared/rating-scale.ts';
import { RunFile, runFileJob } from '../shared/run.schema.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { rewindTarget } from '../client/race/rewind-target.ts';
import { runTraining } from '../workers/engine/training-loop.ts';

/**
 * A control counts once the engine applies it: the race room confirms it with the step it took effect,
 * and a control the engine refuses reaches its sender as an error with the engine's reason, costing
 * neither an intervention nor budget. On the embedded trainer, through @colyseus/sdk.
 */
describe('race controls the engine answers', () => {
  const t = arenaSuite();

  it('refuses what the engine refuses, for free, and confirms what it applies with its step', async () => {
    const spec = SPEC_TEMPLATES[0]!.spec;
    const ada: Room<any, RaceState> = await (await guestClient(t.url, 'ada')).client.create<RaceState>('race', { budget: 8000, countdownSeconds: 60, paceSeconds: 8, interventions: 2, seed: 5 });
    const bob = await (await guestClient(t.url, 'bob')).client.joinById<RaceState>(ada.roomId, {});
    await waitFor(() => ada.state.entries?.size === 2, 'both players seated');
    for (const room of [ada, bob]) room.send('spec', { spec });
    await waitFor(() => [...ada.state.entries.values()].every((e) => e.summary !== ''), 'both specs');
    const result = nextMessage<RaceResultMessage>(ada, 'result', 120_000);
    for (const room of [ada, bob]) room.send('ready', { ready: true });
    const mine = (): RaceEntry => ada.state.entries.get(ada.sessionId)!;
    await waitFor(() => ada.state.phase === 'training' && mine().samples > 0, 'her run to train');
    const runId = mine().runId;

    // A hidden layer the network does not have: only the engine knows; it refuses, and she is told why.
    const layers = spec.layers.length;
    const refused = nextMessage<RaceErrorMessage>(ada, 'error');
    let steeredEarly = false;
    ada.onMessage('steered', () => (steeredEarly = true));
    ada.send('control', { runId, control: { type: 'setActivation', layer: layers + 3, activation: 'tanh' } });
    const error = await refused;
    expect(error).toMatchObject({ code: 'CONTROL_REFUSED', about: 'control' });
    expect(error.message).toContain(`layer ${layers + 3} does not exist: the network has ${layers} hidden layers`);
    expect(steeredEarly).toBe(false);
    await waitFor(() => mine().interventionsLeft === 2, 'the intervention to be given back');

    // A good control is confirmed once it took effect, with that step; it costs one intervention and budget.
    const steered = nextMessage<RaceSteeredMessage>(ada, 'steered');
    ada.send('control', { runId, control: { type: 'setLearningRate', learningRate: 0.02 } });
    const ok = await steered;
    expect(ok).toMatchObject({ control: { type: 'setLearningRate', learningRate: 0.02 }, cost: 160, interventionsLeft: 1 });
    expect(ok.step).toBeGreaterThan(0);
    await waitFor(() => mine().interventionsLeft === 1, 'one intervention used');

    const outcome = await result;
    expect(outcome.matchId).toMatch(/^[0-9a-f-]{36}$/);
    const stored = await fetch(`${t.url}/api/matches/${outcome.matchId}`).then((r) => r.json());
    const adaRun = await fetch(`${t.url}/api/runs/${stored.entries.find((e: { player: string }) => e.player === 'ada').runId}`).then((r) => r.json());
    const log = JSON.stringify(adaRun);
    // The run's log has the applied control at the confirmed step and one charge; the refused control is not in it.
    expect(log).toContain('setLearningRate');
    expect(log).not.toContain('"setActivation"');
    expect(log.match(/spendBudget/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
    await Promise.all([ada.leave(), bob.leave()]);
  });
});

describe('rewinds of a large network in a race', () => {
  const t = arenaSuite();

  it('the state says from which step the run still keeps its checkpoints: a rewind before it is refused for free, the one the panel offers is applied', async () => {
    // 2-800-800-2: about 645k parameters, so the run keeps 8 checkpoints, its first and its latest 7.
    const big = { ...SPEC_TEMPLATES[0]!.spec, layers: [{ units: 800, activation: 'relu' as const }, { units: 800, activation: 'relu' as const }], batchSize: 8 };
    const ada: Room<any, RaceState> = await (await guestClient(t.url, 'ada')).client.create<RaceState>('race', { budget: 8000, countdownSeconds: 60, paceSeconds: 30, interventions: 2, seed: 9 });
    const bob = await (await guestClient(t.url, 'bob')).client.joinById<RaceState>(ada.roomId, {});
    await waitFor(() => ada.state.entries?.size === 2, 'both players seated');
    ada.send('spec', { spec: big });
    bob.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    await waitFor(() => [...ada.state.entries.values()].every((e) => e.summary !== ''), 'both specs');
    const result = nextMessage<RaceResultMessage>(ada, 'result', 120_000);
    bob.onMessage('result', () => {});
    for (const room of [ada, bob]) room.send('ready', { ready: true });
    const mine = (): RaceEntry => ada.state.entries.get(ada.sessionId)!;
    await waitFor(() => ada.state.phase === 'training' && mine().samples > 0, 'her run to train');
    const every = ada.state.checkpointEvery;
    const runId = mine().runId;
    expect(mine().rewindFrom).toBe(0);
    await waitFor(() => mine().rewindFrom >= 2 * every, 'her run to let go of its early checkpoints', 90_000);
    const from = mine().rewindFrom;
    expect(from % every).toBe(0);
    // 7 automatic checkpoints after the first are kept: the latest is at most 6 checkpoints after `from`.
    expect(Math.floor(mine().step / every) * every - from).toBeLessThanOrEqual(6 * every);

    // A checkpoint before `from` is gone: the engine refuses, naming what it has, and the intervention is given back.
    const refused = nextMessage<RaceErrorMessage>(ada, 'error');
    ada.send('control', { runId, control: { type: 'rewind', toStep: from - every } });
    const error = await refused;
    expect(error).toMatchObject({ code: 'CONTROL_REFUSED', about: 'control' });
    expect(error.message).toMatch(new RegExp(`rewind was refused: .*step ${from - every}.*checkpoints: 0, \\d+`));
    await waitFor(() => mine().interventionsLeft === 2, 'the intervention to be given back');

    // What the steer panel offers is one it keeps.
    const target = rewindTarget(mine().step, every, mine().rewindFrom)!;
    expect(target).toBeGreaterThanOrEqual(from);
    const steered = nextMessage<RaceSteeredMessage>(ada, 'steered');
    ada.send('control', { runId, control: { type: 'rewind', toStep: target } });
    expect(await steered).toMatchObject({ control: { type: 'rewind', toStep: target }, step: target, interventionsLeft: 1 });
    // The step goes back; what it keeps does not come back, so `rewindFrom` does not either.
    await waitFor(() => mine().step < target + every, 'her run to be back at the checkpoint');
    expect(mine().rewindFrom).toBeGreaterThanOrEqual(from);
    await result;
    await Promise.all([ada.leave(), bob.leave()]);
  });
});

describe('race endings through the room', () => {
  const t = arenaSuite();

  /** A rated race of two players on the same spec (the seed is drawn): returns both rooms once training, and the result to come. */
  async function race(budget: number, paceSeconds: number) {
    const spec = SPEC_TEMPLATES[0]!.spec;
    const ada: Room<any, RaceState> = await (await guestClient(t.url, 'ada')).client.create<RaceState>('race', { budget, countdownSeconds: 60, paceSeconds, interventions: 1 });
    const bob = await (await guestClient(t.url, 'bob')).client.joinById<RaceState>(ada.roomId, {});
    await waitFor(() => ada.state.entries?.size === 2, 'both players seated');
    for (const room of [ada, bob]) room.send('spec', { spec });
    await waitFor(() => [...ada.state.entries.values()].every((e) => e.summary !== ''), 'both specs');
    const result = nextMessage<RaceResultMessage>(ada, 'result', 120_000);
    bob.onMessage('result', () => {});
    for (const room of [ada, bob]) room.send('ready', { ready: true });
    return { ada, bob, result };
  }

  it('Comeback: a player rewinds her run (one intervention, logged so it replays exactly) and wins', async () => {
    const { ada, bob, result } = await race(8000, 10);
    const entry = (room: Room<any, RaceState>): RaceEntry => room.state.entries.get(room.sessionId)!;
    await waitFor(() => ada.state.phase === 'training' && entry(bob).runId !== '' && entry(bob).samples > 0, 'the runs to train');
    expect(ada.state.checkpointEvery).toBeGreaterThan(0);
    // Bob all but stops his run learning; Ada, once past her second checkpoint, takes hers back to the first.
    const slowed = nextMessage<RaceSteeredMessage>(bob, 'steered');
    bob.send('control', { runId: entry(bob).runId, control: { type: 'setLearningRate', learningRate: 1e-6 } });
    await slowed;
    await waitFor(() => entry(ada).step > 2 * ada.state.checkpointEvery, 'her run to pass two checkpoints');
    const stepBefore = entry(ada).step;
    const rewound = nextMessage<RaceSteeredMessage>(ada, 'steered');
    ada.send('control', { runId: entry(ada).runId, control: { type: 'rewind', toStep: ada.state.checkpointEvery } });
    const ok = await rewound;
    expect(ok).toMatchObject({ control: { type: 'rewind', toStep: ada.state.checkpointEvery }, interventionsLeft: 0 });
    expect(ok.step).toBe(ada.state.checkpointEvery); // the engine reports a rewind's event at the step it went back to

    const outcome = await result;
    const adaRank = outcome.ranking.find((r) => r.player === 'ada')!;
    expect(adaRank.rank).toBe(1);
    expect(outcome.rated).toBe(true);
    expect(outcome.unlocks).toContainEqual(expect.objectContaining({ player: 'ada', achievement: 'Comeback', tier: 1 }));
    const adaGain = outcome.gains.find((g) => g.playerId === adaRank.playerId)!;
    expect(adaGain.achievements).toContainEqual({ name: 'Comeback', tier: 1 });
    expect(adaGain.xp).toBeGreaterThanOrEqual(raceXp(1, 2) + ACHIEVEMENTS.find((a) => a.key === 'comeback')!.points[0]);
    expect(adaGain.rating).toMatchObject({ scope: 'spiral', before: shownRating(0) });
    expect(adaGain.rating!.after).toBeGreaterThan(adaGain.rating!.before);

    // The rewind is in the run's log at the step it was asked at; the run replays from that log to the same weights.
    const stored = await fetch(`${t.url}/api/matches/${outcome.matchId}`).then((r) => r.json());
    const adaRun = await fetch(`${t.url}/api/runs/${stored.entries.find((e: { player: string }) => e.player === 'ada').runId}`).then((r) => r.json());
    const file = RunFile.parse(adaRun.runFile);
    const rewind = file.controls.find((c) => c.control.type === 'rewind')!;
    expect(rewind.control).toEqual({ type: 'rewind', toStep: ada.state.checkpointEvery });
    expect(rewind.step).toBeGreaterThanOrEqual(stepBefore); // the run's own log keeps the step it was asked at: what a replay needs
    await initBackend();
    const replay = await runTraining(runFileJob(file, 'replay'));
    expect(replay.weightsHash).toBe(file.expected!.weightsHash);
    await Promise.all([ada.leave(), bob.leave()]);
  });

  it('a tie on the shown held-out accuracy is decided by an explicit rule, and the ending says which and what each gained', async () => {
    const { ada, bob, result } = await race(2000, 0);
    const outcome = await result;
    // Same spec, same seed, no steering: the same run twice, level on every figure, so the seat decides.
    const [first, second] = outcome.ranking;
    expect(first!.heldOutAccuracy).toBe(second!.heldOutAccuracy);
    expect(outcome.tieBreaks).toEqual([{ above: first!.player, below: second!.player, reason: expect.stringMatching(/^tied at \d+\.\d% held-out accuracy and validation loss [\d.]+: decided by seat \(seat 1 before seat 2\)$/) }]);
    expect(first!.seat).toBe(0);
    for (const r of outcome.ranking) {
      const gain = outcome.gains.find((g) => g.playerId === r.playerId)!;
      expect(gain.xp).toBeGreaterThanOrEqual(raceXp(r.rank, 2));
      expect(gain.rating).toMatchObject({ scope: 'spiral', before: shownRating(0) });
    }
    const gainOf = (i: number) => outcome.gains.find((g) => g.playerId === outcome.ranking[i]!.playerId)!.rating!.after;
    expect(gainOf(0)).toBeGreaterThan(gainOf(1));
    // A rematch: a player calls it once, everyone sees its room, and both can take a seat there (a fresh, rated seed).
    const eve = await t.client.joinById<RaceState>(ada.roomId, { role: 'spectator', name: 'eve' });
    const refused = nextMessage<RaceErrorMessage>(eve, 'error');
    eve.send('rematch', {});
    expect(await refused).toMatchObject({ code: 'NOT_ALLOWED', about: 'rematch' });
    bob.send('rematch', {});
    ada.send('rematch', {});
    const next = await waitFor(() => ada.state.rematch || undefined, 'the rematch room');
    await waitFor(() => bob.state.rematch === next && eve.state.rematch === next, 'everyone to see it');
    const again = await (await guestClient(t.url, 'bob')).client.joinById<RaceState>(next, {});
    await waitFor(() => again.state.entries?.size === 1 && again.state.budget === 2000, 'a seat in the rematch, same options');
    expect(again.state.fairSeed.rated).toBe(true);
    await Promise.all([ada.leave(), bob.leave(), eve.leave(), again.leave()]);
  });
});
