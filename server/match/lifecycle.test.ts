import { describe, expect, it } from 'vitest';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { TaskSpec } from '../../shared/task.schema.ts';
import { figure } from './match-events.ts';
import { IllegalTransitionError, MatchLifecycle, type MatchChange } from './lifecycle.ts';

const spec = SPEC_TEMPLATES[0]!.spec;
const task = TaskSpec.parse({ name: 'spiral' });
const clock = (): (() => number) => {
  let t = 1_000;
  return () => (t += 10);
};

/** A race that got as far as two launched runs, one control and a result. */
function playedMatch(): MatchLifecycle {
  const match = new MatchLifecycle({ id: 'm1', kind: 'race', roomId: 'r1', options: { task, budget: 2000, seed: undefined }, seed: 42 }, clock());
  match.record({ type: 'join', role: 'player', playerId: 'p1', name: 'Ada', seat: 0 });
  match.record({ type: 'join', role: 'player', playerId: 'p2', name: 'Bob', seat: 1 });
  match.record({ type: 'join', role: 'spectator', playerId: null, name: 'guest' });
  match.record({ type: 'spec', playerId: 'p1', seat: 0, spec, params: 10, summary: 's' });
  match.record({ type: 'spec', playerId: 'p2', seat: 1, spec, params: 10, summary: 's' });
  match.transition('countdown');
  match.transition('running');
  for (const [seat, playerId] of [[0, 'p1'], [1, 'p2']] as const) {
    const job = TrainJob.parse({ runId: `run-${seat}`, spec, task, seed: 42, budget: 2000 });
    match.record({ type: 'launch', runId: job.runId, seat, playerId, job });
  }
  match.record({ type: 'control', runId: 'run-0', playerId: 'p1', control: { type: 'setLearningRate', learningRate: 0.01 }, step: 12, intervention: true });
  match.record({ type: 'frame', runId: 'run-0', samples: 320, loss: figure(Number.NaN), valAccuracy: figure(0.5) });
  match.record({ type: 'result', runId: 'run-1', status: 'finished', samples: 2000, loss: 0.2, valAccuracy: 0.9, heldOutAccuracy: 0.88, weightsHash: 'abc' });
  return match;
}

describe('MatchLifecycle', () => {
  it('walks lobby → countdown → running → settling → stored and logs each move', () => {
    const match = new MatchLifecycle({ id: 'm', kind: 'tournament', roomId: 'r' });
    expect(match.phase).toBe('lobby');
    match.transition('countdown');
    match.transition('lobby', 'a player left');
    match.transition('countdown');
    match.transition('running');
    match.transition('settling');
    match.record({ type: 'stored', matchId: 'stored-1' });
    expect(match.phase).toBe('stored');
    expect(match.ended).toBe(true);
    expect(match.events.filter((e) => e.type === 'phase').map((e) => (e.type === 'phase' ? e.to : ''))).toEqual(['countdown', 'lobby', 'countdown', 'running', 'settling', 'stored']);
    expect(match.events.at(-1)).toMatchObject({ type: 'stored', matchId: 'stored-1' });
  });

  it('throws on a transition the machine does not have, and changes nothing', () => {
    const match = new MatchLifecycle({ id: 'm', kind: 'race', roomId: 'r' });
    expect(() => match.transition('settling')).toThrow(IllegalTransitionError);
    expect(() => match.transition('stored')).toThrow('a match cannot go from lobby to stored');
    expect(() => match.record({ type: 'stored', matchId: 'x' })).toThrow(IllegalTransitionError);
    expect(() => match.record({ type: 'phase', from: 'lobby', to: 'running' })).toThrow('transition()');
    expect(match.events).toHaveLength(0);
    match.transition('running');
    match.transition('aborted', 'the server could not resume it');
    expect(() => match.transition('running')).toThrow('aborted is final');
    expect(match.events.at(-1)).toMatchObject({ type: 'aborted', reason: 'the server could not resume it' });
  });

  it('needs a reason to abort', () => {
    const match = new MatchLifecycle({ id: 'm', kind: 'gan', roomId: 'r' });
    expect(() => match.transition('aborted')).toThrow('reason');
    match.record({ type: 'aborted', reason: 'everyone left' });
    expect(match.phase).toBe('aborted');
  });

  it('refuses an event that does not match its schema', () => {
    const match = new MatchLifecycle({ id: 'm', kind: 'race', roomId: 'r' });
    expect(() => match.record({ type: 'control', runId: 'x', control: { type: 'setLearningRate', learningRate: -1 }, step: 3 })).toThrow();
    expect(() => match.record({ type: 'frame', runId: 'x', samples: 1, loss: Number.NaN, valAccuracy: 0 })).toThrow();
    expect(match.events).toHaveLength(0);
  });

  it('tells each subscriber every change, in order, until it unsubscribes', () => {
    const match = new MatchLifecycle({ id: 'm', kind: 'playground', roomId: 'r' });
    const heard: MatchChange[] = [];
    const stop = match.subscribe((change, m) => {
      expect(m).toBe(match);
      heard.push(change);
    });
    match.record({ type: 'join', role: 'player', playerId: 'p', name: 'Ada', seat: 0 });
    match.transition('running');
    match.transition('aborted', 'owner left');
    stop();
    match.record({ type: 'leave', role: 'player', playerId: 'p', seat: 0 });
    expect(heard.map((c) => [c.seq, c.event.type, c.phase])).toEqual([
      [0, 'join', 'lobby'],
      [1, 'phase', 'running'],
      [2, 'phase', 'aborted'],
      [3, 'aborted', 'aborted'],
    ]);
  });

  it('round-trips through JSON exactly, and the copy goes on like the original', () => {
    const match = playedMatch();
    const json = JSON.parse(JSON.stringify(match.toJSON()));
    expect(json.options).toEqual({ task, budget: 2000 }); // undefined options are not kept
    const copy = MatchLifecycle.restore(json, clock());
    expect(copy.toJSON()).toEqual(json);
    expect(copy.phase).toBe('running');
    expect(copy.entries()).toEqual(match.entries());
    expect(copy.entries().map((e) => [e.seat, e.playerId, e.runId, e.result?.weightsHash])).toEqual([
      [0, 'p1', 'run-0', undefined],
      [1, 'p2', 'run-1', 'abc'],
    ]);
    expect(copy.entries()[0]!.job).toEqual(match.entries()[0]!.job);
    expect(copy.controls('run-0')).toEqual([{ step: 12, control: { type: 'setLearningRate', learningRate: 0.01 } }]);
    copy.transition('settling');
    expect(copy.phase).toBe('settling');
    expect(match.phase).toBe('running');
  });

  it('restore refuses a log that does not replay to its phase, or breaks the machine', () => {
    const json = playedMatch().toJSON();
    expect(() => MatchLifecycle.restore({ ...json, phase: 'stored' })).toThrow('replays to running');
    const broken = { ...json, events: json.events.filter((e) => !(e.type === 'phase' && e.to === 'countdown')) };
    expect(() => MatchLifecycle.restore(broken)).toThrow('the log is broken');
    expect(() => MatchLifecycle.restore({ ...json, kind: 'chess' })).toThrow();
  });

  it('a seat given up before the start is not an entry', () => {
    const match = new MatchLifecycle({ id: 'm', kind: 'race', roomId: 'r' });
    match.record({ type: 'join', role: 'player', playerId: 'p1', name: 'Ada', seat: 0 });
    match.record({ type: 'join', role: 'player', playerId: 'p2', name: 'Bob', seat: 1 });
    match.record({ type: 'leave', role: 'player', playerId: 'p1', seat: 0 });
    expect(match.entries().map((e) => e.playerId)).toEqual(['p2']);
  });
});
