import type { Room } from '@colyseus/sdk';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PlaygroundErrorMessage, PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { arenaSuite, nextMessage, waitFor } from './support/arena.ts';

describe('playground: fork at any checkpoint of a live, ended or stored run, through @colyseus/sdk', () => {
  const t = arenaSuite();
  const as = t.as;

  it('forks the chosen checkpoint; B continues from that step; the same checkpoint forked live, after the end and from the database gives the same weights', async () => {
    const spec = SPEC_TEMPLATES[1]!.spec; // batch 32 throughout: samples at a step are step × 32
    const owner: Room<any, PlaygroundState> = await (await as('hopper')).create<PlaygroundState>('playground', { budget: 48_000, seed: 11, paceSeconds: 8 });
    const results: PlaygroundResultMessage[] = [];
    for (const type of ['probe', 'landscape', 'welcome', 'points', 'notice']) owner.onMessage(type, () => {});
    owner.onMessage('result', (r: PlaygroundResultMessage) => results.push(r));
    const resultOf = async (runId: string) => {
      await waitFor(() => results.some((r) => r.runId === runId), `run ${runId} to end and be stored`, 120_000);
      return results.find((r) => r.runId === runId)!;
    };
    await waitFor(() => owner.state.budget, 'the state');
    owner.send('spec', { spec });
    await waitFor(() => owner.state.summary.startsWith('2-16-16-2'), 'the spec to be taken');
    owner.send('start', {});
    await waitFor(() => owner.state.phase === 'training' && owner.state.checkpoints.length >= 2, 'two checkpoints');
    const aId = owner.state.runId;
    expect(aId).toMatch(/^[0-9a-f-]{36}$/);

    // A control on A before the checkpoint: the fork's log must carry it, and its replay apply it where A did.
    owner.send('control', { control: { type: 'setLearningRate', learningRate: 0.02 } });
    await waitFor(() => /learning rate → 0.02 \(step (\d+)\)/.test(owner.state.lastControl), "A's new learning rate");
    const controlStep = Number(/\(step (\d+)\)/.exec(owner.state.lastControl)![1]);
    await waitFor(() => owner.state.checkpoints.filter((s) => s > controlStep).length >= 3, 'three checkpoints after the control');
    const checkpoint = owner.state.checkpoints.filter((s) => s > controlStep)[1]!; // not the latest: one in the middle of the timeline

    // Refusals name what was wrong; a good fork still works after them.
    const bad = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('fork', { step: -3 });
    expect(await bad).toMatchObject({ code: 'BAD_MESSAGE', field: 'step', about: 'fork' });
    const between = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('fork', { step: checkpoint + 1 });
    expect(await between).toMatchObject({ code: 'WRONG_PHASE', about: 'fork', message: expect.stringContaining(`no checkpoint at step ${checkpoint + 1}`) });
    const unknown = nextMessage<PlaygroundErrorMessage>(owner, 'error');
    owner.send('fork', { runId: randomUUID(), step: checkpoint });
    expect(await unknown).toMatchObject({ code: 'WRONG_PHASE', about: 'fork', message: 'there is no stored run with that id' });

    owner.send('fork', { step: checkpoint });
    await waitFor(() => owner.state.fork.phase === 'training' && owner.state.fork.curveSamples.length >= 1, 'B to train', 60_000);
    const live = owner.state.fork.runId;
    expect(owner.state.fork.fromStep).toBe(checkpoint);
    expect(owner.state.fork.parentRunId).toBe(aId);
    expect(owner.state.fork.checkpoints[0], "B's first checkpoint is the one it started from").toBe(checkpoint);
    // B's first frame is the first after the checkpoint (frames come every 10 steps): it continues there, not from 0.
    expect(owner.state.fork.curveSamples[0]).toBe((checkpoint + 10) * 32);
    expect(owner.state.fork.learningRate, "A's control came before the checkpoint: B has it").toBeCloseTo(0.02, 6);

    const a = await resultOf(aId);
    const b1 = await resultOf(live);
    expect([a.status, b1.status]).toEqual(['finished', 'finished']);
    expect(b1.stored).toBe(true);

    // A has ended: the same checkpoint forked again, from A's final log.
    owner.send('fork', { runId: aId, step: checkpoint });
    await waitFor(() => owner.state.fork.runId !== live && owner.state.fork.phase === 'training', 'the second fork to train', 60_000);
    const afterEnd = owner.state.fork.runId;
    const b2 = await resultOf(afterEnd);

    // A new run in the room; the first, now only in the database, forks from its run file.
    owner.send('start', {});
    await waitFor(() => owner.state.phase === 'training' && owner.state.runId !== aId, 'the second run');
    owner.send('fork', { runId: aId, step: checkpoint });
    await waitFor(() => ![live, afterEnd, ''].includes(owner.state.fork.runId) && owner.state.fork.phase === 'training', 'the fork of the stored run', 60_000);
    const fromStore = owner.state.fork.runId;
    expect(owner.state.fork.parentRunId).toBe(aId);
    const b3 = await resultOf(fromStore);

    const stored = await Promise.all([live, afterEnd, fromStore].map(async (id) => (await t.arena.services.runs.load(id))!));
    for (const run of stored) {
      expect(run.parentRunId).toBe(aId);
      expect(run.parentStep).toBe(checkpoint);
      expect(run.runFile.parent).toEqual({ runId: aId, step: checkpoint });
    }
    expect([b2.status, b3.status]).toEqual(['finished', 'finished']);
    const hashes = stored.map((r) => r.weightsHash);
    expect(hashes[0]).toMatch(/\w{8,}/);
    expect(new Set(hashes).size, 'one checkpoint, one set of weights').toBe(1);
    const aStored = (await t.arena.services.runs.load(aId))!;
    expect(aStored.weightsHash, 'A took no control after the checkpoint: a fork with none of its own ends where A ended').toBe(hashes[0]);
    // The fork's log is A's up to the checkpoint: the learning-rate change, at the step it took effect.
    expect(stored[0]!.runFile.controls).toEqual([{ step: controlStep, control: { type: 'setLearningRate', learningRate: 0.02 } }]);
    await owner.leave();
  });
});
