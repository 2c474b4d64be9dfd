/**
 * A playground run whose training thread dies mid-run, through a real arena
 * and the @colyseus/sdk client: the players get a notice (a toast, and a line
 * in the run log), the run goes on from its checkpoint, and it finishes.
 */
import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import type { LocalTrainer } from '../server/trainer/local.trainer.ts';
import type { PlaygroundResultMessage } from '../shared/playground.messages.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import type { RoomNoticeMessage } from '../shared/protocol.ts';
import { arenaSuite, guests, nextMessage, waitFor } from './support/arena.ts';

describe('a training thread dies under a playground run (real arena, @colyseus/sdk)', () => {
  const t = arenaSuite();

  it('the players are told, the run resumes from its checkpoint (still paused) and finishes', async () => {
    const trainer = t.arena.services.trainer as unknown as LocalTrainer;
    expect(trainer.kind).toBe('local');
    const owner: Room<any, PlaygroundState> = await (await guests(t.url)('ada')).create<PlaygroundState>('playground', { budget: 60_000, seed: 8 });
    const eve = await t.client.joinById<PlaygroundState>(owner.roomId, { name: 'eve', role: 'spectator' });
    for (const room of [owner, eve]) for (const type of ['probe', 'landscape', 'welcome', 'points', 'result']) room.onMessage(type, () => {});
    owner.send('start', {});
    await waitFor(() => owner.state.phase === 'training' && owner.state.checkpoints.length >= 2, 'the run to train past its first checkpoint', 60_000);
    // Paused, so the thread dies mid-run however fast this machine trains.
    owner.send('control', { control: { type: 'pause' } });
    await waitFor(() => owner.state.paused, 'the run to pause');
    // The room's only run, on one of the two threads.
    const holding = trainer.threadsInfo().filter((x) => x.runs.length > 0);
    expect(holding).toHaveLength(1);
    const runId = holding[0]!.runs[0]!;
    const thread = trainer.threadOf(runId);

    const notices = [nextMessage<RoomNoticeMessage>(owner, 'notice'), nextMessage<RoomNoticeMessage>(eve, 'notice')];
    await trainer.stopThread(thread!);
    const [toOwner, toEve] = await Promise.all(notices);
    expect(toOwner!.message).toMatch(/^training thread was stopped; resuming from step [1-9]\d*$/);
    expect(toEve).toEqual(toOwner);
    await waitFor(() => owner.state.log.includes(toOwner!.message), 'the notice in the run log');
    expect(trainer.threadOf(runId)).not.toBe(thread);
    await new Promise((r) => setTimeout(r, 500));
    expect(owner.state.paused, 'a paused run stays paused on its new thread').toBe(true);

    const result = nextMessage<PlaygroundResultMessage>(eve, 'result', 150_000);
    owner.send('control', { control: { type: 'resume' } });
    expect(await result).toMatchObject({ status: 'finished', runId });
    await waitFor(() => owner.state.phase === 'finished' && owner.state.samples === 60_000, 'the owner to see the whole budget trained');
    const stored = await t.arena.services.runs.load(runId);
    expect(stored?.runFile.controls.map((c) => c.control.type)).toEqual(['pause', 'resume']);
    await waitFor(() => trainer.threadsInfo().length === 2 && trainer.threadsInfo().every((x) => x.ready), 'the pool back to two ready threads', 60_000);
    await Promise.all([owner.leave(), eve.leave()]);
  }, 180_000);
});
