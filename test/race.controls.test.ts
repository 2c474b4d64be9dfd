import type { Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RaceErrorMessage, RaceResultMessage, RaceSteeredMessage } from '../shared/race.messages.ts';
import type { RaceEntry, RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { guestClient, nextMessage, startTestArena, waitFor } from './support/arena.ts';

/**
 * A control counts once the engine applies it: the race room confirms it with the step it took effect,
 * and a control the engine refuses reaches its sender as an error with the engine's reason, costing
 * neither an intervention nor budget. On the embedded trainer, through @colyseus/sdk.
 */
describe('race controls the engine answers', () => {
  let t: Awaited<ReturnType<typeof startTestArena>>;
  beforeAll(async () => {
    t = await startTestArena();
  });
  afterAll(async () => {
    await t?.stop();
  });

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
