import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { keptCheckpointLimit } from '../shared/kept-checkpoints.ts';
import { ModelSpec } from '../shared/model-spec.schema.ts';
import type { PlaygroundErrorMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { TaskSpec } from '../shared/task.schema.ts';
import { arenaSuite, nextMessage, waitFor } from './support/arena.ts';

/** A large network for the spiral: 265,218 parameters, about 3.2 MB a checkpoint with Adam's slots. */
const spec = { layers: [{ units: 512, activation: 'relu' }, { units: 512, activation: 'relu' }], optimizer: 'adam', learningRate: 0.003, batchSize: 8, features: ['x1', 'x2'] } as const;

/**
 * Checkpoints held in memory for rewinds, as a playground's owner meets them (@colyseus/sdk): a large network
 * keeps the first and as many of the latest as fit in about 64 MiB, the rewind list shows exactly those, and a
 * rewind to one let go is refused in words.
 */
describe('playground: checkpoints kept in memory', () => {
  const t = arenaSuite();

  it("lists the first and the latest checkpoints, as many as the network's size allows, and refuses a rewind to one let go", async () => {
    const keep = keptCheckpointLimit({ spec: ModelSpec.parse(spec), task: TaskSpec.parse({}) });
    expect(keep, 'a large network keeps fewer than a tiny one').toBeLessThan(40);
    // 2,000 steps (a checkpoint every 50: 40 of them), stretched over 12 s so the run is still training when it is paused below.
    const owner: Room<any, PlaygroundState> = await (await t.as('ada')).create<PlaygroundState>('playground', { budget: 16_000, seed: 3, paceSeconds: 12 });
    for (const type of ['probe', 'welcome', 'notice', 'points', 'result']) owner.onMessage(type, () => {});
    owner.send('spec', { spec });
    owner.send('start', {});
    await waitFor(() => owner.state.phase === 'training' && owner.state.step > (keep + 3) * 50, 'the run to pass more checkpoints than it keeps', 90_000);
    owner.send('control', { control: { type: 'pause' } });
    await waitFor(() => owner.state.paused, 'the run to pause');

    const listed = [...owner.state.checkpoints];
    expect(listed).toHaveLength(keep);
    expect(listed[0], 'the first always stays').toBe(0);
    const latest = listed.at(-1)!;
    expect(latest).toBeGreaterThan((keep + 1) * 50);
    expect(listed.slice(1), 'then the latest, every 50 steps').toEqual(Array.from({ length: keep - 1 }, (_, i) => latest - (keep - 2 - i) * 50));

    const refused = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('control', { control: { type: 'rewind', toStep: 50 } });
    expect(await refused).toMatchObject({ code: 'CONTROL_REFUSED', message: expect.stringContaining(`there is no checkpoint at step 50; checkpoints: 0, ${listed[1]}, `) });

    owner.send('control', { control: { type: 'rewind', toStep: listed[1]! } });
    await waitFor(() => owner.state.step === listed[1], 'the rewind to the oldest checkpoint kept after the first');
    expect([...owner.state.checkpoints]).toEqual(listed.slice(0, 2));
    owner.send('control', { control: { type: 'stop' } });
  });
});
