import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { planarTaskSplit } from '../contract/datasets/task-split.ts';
import type { PlaygroundProbeMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { TaskSpec } from '../shared/task.schema.ts';
import { generateTaskData } from '../workers/engine/task-data.ts';
import { arenaSuite, waitFor } from './support/arena.ts';

/** Every probe a room receives, in order. */
function probesOf(room: Room<any, PlaygroundState>): PlaygroundProbeMessage[] {
  const got: PlaygroundProbeMessage[] = [];
  room.onMessage('probe', (p: PlaygroundProbeMessage) => got.push(p));
  for (const type of ['welcome', 'points', 'result', 'notice', 'landscape']) room.onMessage(type, () => {});
  return got;
}

describe('error analysis in the playground room through @colyseus/sdk', () => {
  const t = arenaSuite();
  const as = t.as;

  it("a planar run's probes carry its worst validation points, worst first, with confidence and each hidden layer's activations", async () => {
    const seed = 11;
    const owner = await (await as('ada')).create<PlaygroundState>('playground', { budget: 40_000, seed, paceSeconds: 20, task: { name: 'spiral' } });
    const probes = probesOf(owner);
    owner.send('spec', { spec: { layers: [{ units: 6, activation: 'tanh' }, { units: 4, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 } });
    await waitFor(() => owner.state.summary?.startsWith('2-6-4-2'), 'the spec to be taken');
    owner.send('start', {});
    await waitFor(() => probes.filter((p) => p.worst?.length).length >= 2, 'probes with worst points', 60_000);
    owner.send('control', { control: { type: 'stop' } });

    const { points, split } = planarTaskSplit(TaskSpec.parse({ name: 'spiral' }), seed);
    const p = probes.find((q) => q.worst?.length)!;
    const worst = p.worst!;
    expect(worst.length).toBeLessThanOrEqual(5);
    expect(worst.map((w) => w.loss)).toEqual([...worst.map((w) => w.loss)].sort((a, b) => b - a));
    for (const w of worst) {
      // A validation point, as the engine split it: where it lies and its class.
      const i = split.val[w.index]!;
      expect(w.point![0]).toBeCloseTo(points.x[2 * i]!, 3);
      expect(w.point![1]).toBeCloseTo(points.x[2 * i + 1]!, 3);
      expect(w.label).toBe(points.y[i]);
      expect(w.predicted).not.toBe(w.label);
      expect(w.output).toHaveLength(2);
      expect(w.confidence).toBeCloseTo(w.output[w.predicted]!, 2);
      expect(w.confidence!).toBeGreaterThanOrEqual(0.5);
      expect(w.pixels).toBeUndefined();
      expect(w.layers.map((l) => [l.layer, l.kind, l.units, l.values.length])).toEqual([[0, 'dense', 6, 6], [1, 'dense', 4, 4]]);
      for (const l of w.layers) expect(l.max).toBeGreaterThanOrEqual(l.min);
    }
    await waitFor(() => owner.state.phase === 'finished', 'the stopped run to end');
    await owner.leave();
  });

  it("an MNIST run's probes carry misclassified validation digits with their pixels once, and a late spectator gets them all", async () => {
    const seed = 3;
    const task = { name: 'mnist', samples: 1000 } as const;
    const owner = await (await as('grace')).create<PlaygroundState>('playground', { budget: 30_000, seed, paceSeconds: 25, task });
    const probes = probesOf(owner);
    owner.send('spec', { spec: { layers: [{ units: 24, activation: 'relu' }], optimizer: 'sgd', learningRate: 0.01, batchSize: 16 } });
    await waitFor(() => owner.state.summary?.startsWith('784-24-10'), 'the spec to be taken');
    owner.send('start', {});
    await waitFor(() => probes.filter((p) => p.worst?.length).length >= 4, 'four probes with misclassified digits', 90_000);

    const val = generateTaskData(TaskSpec.parse(task), seed).val;
    const withWorst = probes.filter((p) => p.worst?.length);
    const pixelsOf = new Map<number, number[]>();
    let kept = 0;
    withWorst.forEach((p, k) => {
      expect(p.worst!.length).toBeLessThanOrEqual(12);
      expect(p.confusion).toHaveLength(10);
      const before = new Set(k > 0 ? withWorst[k - 1]!.worst!.map((w) => w.index) : []);
      for (const w of p.worst!) {
        expect(w.predicted).not.toBe(w.label);
        expect(w.label).toBe(val.y[w.index]);
        expect(w.output).toHaveLength(10);
        expect(w.confidence).toBeCloseTo(Math.max(...w.output), 2);
        expect(w.layers.map((l) => [l.kind, l.units])).toEqual([['dense', 24]]);
        // Pixels come with a digit the previous probe did not show, and only then.
        if (before.has(w.index)) expect(w.pixels, `digit ${w.index} was in the previous probe`).toBeUndefined(), kept++;
        else expect(w.pixels, `digit ${w.index} is new`).toHaveLength(784);
        if (w.pixels) pixelsOf.set(w.index, w.pixels);
        expect(pixelsOf.has(w.index), 'the page has every digit it shows').toBe(true);
      }
    });
    expect(kept, 'some digit stayed among the worst from one probe to the next').toBeGreaterThan(0);
    // The pixels are the validation digit's (never a held-out one).
    for (const [index, pixels] of pixelsOf) expect(pixels).toEqual(Array.from(val.x.subarray(index * 784, (index + 1) * 784), (v) => Math.round(v * 255)));

    const eve = await t.client.joinById<PlaygroundState>(owner.roomId, { name: 'eve', role: 'spectator' });
    const late = probesOf(eve);
    await waitFor(() => late.length >= 1, 'the last probe on joining');
    expect(late[0]!.worst!.length).toBeGreaterThan(0);
    for (const w of late[0]!.worst!) expect(w.pixels).toHaveLength(784);
    owner.send('control', { control: { type: 'stop' } });
    await waitFor(() => owner.state.phase === 'finished', 'the stopped run to end');
    await eve.leave();
    await owner.leave();
  });
});
