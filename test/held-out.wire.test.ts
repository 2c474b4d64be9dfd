import type { Room } from '@colyseus/sdk';
import { describe, expect, it } from 'vitest';
import { planarTaskSplit } from '../contract/datasets/task-split.ts';
import { deriveSeed } from '../contract/random.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { TaskSpec, type TaskSpecInput } from '../shared/task.schema.ts';
import { arenaSuite, waitFor } from './support/arena.ts';

/**
 * "Fair by construction": the held-out split never leaves the server before a
 * match has ended. Every message (`onMessage('*')`) and every state a player
 * and a spectator receive through a whole playground run, race and tournament
 * is recorded and searched for held-out points (their coordinates, exact or
 * rounded to thousandths as pages are sent them; a label only means something
 * next to its point) and held-out scores (any `heldOut…` figure), which may
 * appear only once the match they belong to is over.
 *
 * GAN battles are exempt: they have no held-out split. Rounds are scored on
 * fresh samples of a public distribution (the real points are in the state for
 * everyone to see), drawn anew for every frame.
 */

type Json = unknown;
interface Leak {
  who: string;
  where: string;
  what: string;
}

/** Held-out points of a task on some seeds, bucketed by thousandths, and the training/validation points that share a bucket. */
class HeldOut {
  private readonly held = new Map<string, Array<[number, number]>>();
  private readonly shown = new Map<string, Array<[number, number]>>();

  constructor(task: TaskSpecInput, seeds: number[]) {
    const t = TaskSpec.parse(task);
    for (const seed of seeds) {
      const { points, split } = planarTaskSplit(t, seed);
      const add = (to: Map<string, Array<[number, number]>>, idx: Uint32Array) => {
        for (const i of idx) {
          const p: [number, number] = [points.x[2 * i]!, points.x[2 * i + 1]!];
          const k = HeldOut.key(p[0], p[1]);
          to.set(k, [...(to.get(k) ?? []), p]);
        }
      };
      add(this.held, split.heldOut);
      add(this.shown, split.train);
      add(this.shown, split.val);
    }
  }

  get size(): number {
    return this.held.size;
  }

  private static key(a: number, b: number): string {
    return `${Math.round(a * 1000)},${Math.round(b * 1000)}`;
  }

  /** Whether (a, b) is one of the points, exactly (float32 too) or rounded to thousandths. */
  private static near(list: Array<[number, number]> | undefined, a: number, b: number): boolean {
    const same = (v: number, h: number) => Math.abs(v - h) < 1e-6 || Math.abs(v - Math.round(h * 1000) / 1000) < 1e-6;
    return !!list?.some(([x, y]) => same(a, x) && same(b, y));
  }

  /** Whether (a, b) is a held-out point and no training or validation point it could also be. */
  matches(a: number, b: number): boolean {
    const k = HeldOut.key(a, b);
    return HeldOut.near(this.held.get(k), a, b) && !HeldOut.near(this.shown.get(k), a, b);
  }
}

/** Calls `visit` on every value under `v` with its path. Typed arrays are read as arrays. */
function walk(v: Json, path: string[], visit: (v: Json, path: string[]) => void): void {
  const value = ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v;
  visit(value, path);
  if (Array.isArray(value)) value.forEach((x, i) => walk(x, [...path, String(i)], visit));
  else if (value && typeof value === 'object') for (const [k, x] of Object.entries(value)) walk(x, [...path, k], visit);
}

/**
 * Leaks in one payload: row-major pairs in numeric arrays that are held-out
 * points, and `heldOut…` figures (other than 0 and null) that `revealed`
 * does not allow at that path.
 */
function findLeaks(payload: Json, heldOut: HeldOut, revealed: (path: string[]) => boolean): string[] {
  const found: string[] = [];
  walk(payload, [], (v, path) => {
    if (Array.isArray(v) && v.length % 2 === 0 && v.length > 0 && v.every((x) => typeof x === 'number')) {
      const n = v as number[];
      for (let i = 0; i < n.length; i += 2) if (heldOut.matches(n[i]!, n[i + 1]!)) found.push(`held-out point (${n[i]}, ${n[i + 1]}) at ${path.join('.')}[${i}]`);
    }
    const key = path.at(-1) ?? '';
    if (/held_?out/i.test(key) && v !== 0 && v !== null && v !== undefined && !revealed(path)) found.push(`held-out score ${JSON.stringify(v)} at ${path.join('.')}`);
  });
  return found;
}

/** Records what one client receives and checks each message and state as it arrives. */
class WireRecorder {
  readonly messages: Array<{ type: string; payload: Json }> = [];
  states = 0;
  /** States received by phase, to show the match was watched while it ran, not only at its end. */
  readonly phases = new Map<string, number>();
  readonly leaks: Leak[] = [];
  last: Record<string, unknown> = {};

  /**
   * @param revealedInState which `heldOut…` paths a state may show, given that state (its match is over)
   */
  readonly who: string;

  constructor(
    who: string,
    room: Room<any, any>,
    heldOut: HeldOut,
    revealedInState: (state: Record<string, any>, path: string[]) => boolean,
  ) {
    this.who = who;
    room.onMessage('*', (type: string | number, payload: Json) => {
      this.messages.push({ type: String(type), payload });
      // Held-out scores are announced in the `result` message, once the match is over.
      for (const what of findLeaks(payload, heldOut, () => type === 'result')) this.leaks.push({ who, where: `message "${String(type)}" #${this.messages.length}`, what });
    });
    room.onStateChange((state: { toJSON(): Record<string, unknown> }) => {
      const json = state.toJSON();
      this.last = json;
      this.states++;
      this.phases.set(String(json.phase), (this.phases.get(String(json.phase)) ?? 0) + 1);
      for (const what of findLeaks(json, heldOut, (path) => revealedInState(json, path))) this.leaks.push({ who, where: `state #${this.states} (phase ${String(json.phase)})`, what });
    });
  }

  saw(type: string): Json | undefined {
    return this.messages.find((m) => m.type === type)?.payload;
  }
}

function expectNoLeaks(recorders: WireRecorder[]): void {
  for (const r of recorders) {
    expect(r.states, `${r.who} received state`).toBeGreaterThan(2);
    expect(r.leaks.slice(0, 10), `${r.who} received nothing held out`).toEqual([]);
  }
}

describe('the held-out split is never on the wire before a match ends', () => {
  const t = arenaSuite();
  const as = t.as;

  it('the recorder finds held-out points and early scores (it can see a leak)', () => {
    const heldOut = new HeldOut({}, [5]);
    const t0 = TaskSpec.parse({});
    const { points, split } = planarTaskSplit(t0, 5);
    const i = split.heldOut[0]!;
    const rounded = [Math.round(points.x[2 * i]! * 1000) / 1000, Math.round(points.x[2 * i + 1]! * 1000) / 1000];
    expect(findLeaks({ x: [0.5, 0.25, ...rounded], y: [1, 0] }, heldOut, () => true)).toHaveLength(1);
    expect(findLeaks({ x: Float32Array.from([points.x[2 * i]!, points.x[2 * i + 1]!]) }, heldOut, () => true)).toHaveLength(1);
    const j = split.train[0]!;
    expect(findLeaks({ x: [points.x[2 * j]!, points.x[2 * j + 1]!] }, heldOut, () => true)).toEqual([]);
    expect(findLeaks({ entries: { a: { heldOutAccuracy: 0.9 } } }, heldOut, () => false)).toHaveLength(1);
    expect(findLeaks({ entries: { a: { heldOutAccuracy: 0 } } }, heldOut, () => false)).toEqual([]);
  });

  it('in a playground run and its fork, to the owner and a spectator', async () => {
    const seed = 5;
    const heldOut = new HeldOut({}, [seed]);
    expect(heldOut.size).toBeGreaterThan(150);
    const ended = (phase: unknown) => phase === 'finished' || phase === 'failed';
    // Run A's score is public once A has ended, fork B's once B has.
    const revealed = (s: Record<string, any>, path: string[]) => (path[0] === 'fork' ? ended(s.fork?.phase) : ended(s.phase));
    const owner: Room<any, any> = await (await as('ada')).create('playground', { budget: 40_000, seed });
    const rOwner = new WireRecorder('owner', owner, heldOut, revealed);
    const eve: Room<any, any> = await t.client.joinById(owner.roomId, { name: 'eve', role: 'spectator' });
    const rEve = new WireRecorder('spectator', eve, heldOut, revealed);
    await waitFor(() => rOwner.saw('points') && rEve.saw('points'), 'both to be sent the points');
    expect((rEve.saw('points') as { y: number[] }).y.length).toBeGreaterThan(100);

    owner.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => String(rOwner.last.summary ?? '').startsWith('2-16-16-2'), 'the spec to be taken');
    owner.send('start', {});
    await waitFor(() => rOwner.last.phase === 'training' && (rOwner.last.checkpoints as unknown[] | undefined)?.length, 'the run to train to a checkpoint');
    eve.send('landscape', { resolution: 9 }); // a spectator may ask for the loss landscape
    // Fork B from A's latest checkpoint (A paused meanwhile, so it cannot end first): B has its own result and score.
    owner.send('control', { control: { type: 'pause' } });
    await waitFor(() => rOwner.last.paused === true, 'A to pause');
    owner.send('fork', {});
    await waitFor(() => (rOwner.last.fork as { phase?: string } | undefined)?.phase === 'training', 'B to train');
    owner.send('control', { control: { type: 'resume' } });
    const results = (r: WireRecorder) => r.messages.filter((m) => m.type === 'result').length;
    await waitFor(() => results(rOwner) === 2 && results(rEve) === 2, 'A and B to end', 90_000);
    const fork = () => rEve.last.fork as { phase: string; heldOutAccuracy: number };
    await waitFor(() => ended(rEve.last.phase) && rEve.last.heldOutAccuracy !== 0 && ended(fork().phase) && fork().heldOutAccuracy !== 0, 'both held-out scores in state once the runs are over');
    expect(rEve.messages.some((m) => m.type === 'probe'), 'probes were recorded').toBe(true);
    for (const r of [rOwner, rEve]) expect(r.phases.get('training') ?? 0, `${r.who} watched the run train`).toBeGreaterThan(3);
    expectNoLeaks([rOwner, rEve]);
    await Promise.all([owner.leave(), eve.leave()]);
  });

  it('in a race, to both players and a spectator', async () => {
    const seed = 11;
    const heldOut = new HeldOut({}, [seed]);
    const revealed = (s: Record<string, any>) => s.phase === 'finished';
    const ada: Room<any, any> = await (await as('rae')).create('race', { budget: 3000, countdownSeconds: 1, paceSeconds: 2, seed });
    const rAda = new WireRecorder('player rae', ada, heldOut, revealed);
    const bob: Room<any, any> = await (await as('bo')).joinById(ada.roomId, {});
    const rBob = new WireRecorder('player bo', bob, heldOut, revealed);
    const eve: Room<any, any> = await t.client.joinById(ada.roomId, { role: 'spectator', name: 'eve' });
    const rEve = new WireRecorder('spectator', eve, heldOut, revealed);
    await waitFor(() => Object.keys((rEve.last.entries as object) ?? {}).length === 2, 'the spectator to see both players');
    ada.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    bob.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => Object.values(rEve.last.entries as Record<string, { summary: string }>).every((e) => e.summary !== ''), 'both specs to be taken');
    ada.send('ready', { ready: true });
    bob.send('ready', { ready: true });
    await waitFor(() => rAda.saw('result') && rBob.saw('result') && rEve.saw('result'), 'the race to end', 90_000);
    await waitFor(() => rEve.last.phase === 'finished' && Object.values(rEve.last.entries as Record<string, { heldOutAccuracy: number }>).every((e) => e.heldOutAccuracy > 0), 'the held-out scores once it is over');
    for (const r of [rAda, rBob, rEve]) expect(r.phases.get('training') ?? 0, `${r.who} watched the race run`).toBeGreaterThan(3);
    expectNoLeaks([rAda, rBob, rEve]);
    await Promise.all([ada.leave(), bob.leave(), eve.leave()]);
  });

  it('in a 4-player single-elimination tournament, to every player and a spectator', async () => {
    const seed = 5;
    const task: TaskSpecInput = { name: 'moons', samples: 400 };
    // Each bracket match races on a seed of its own, derived from the tournament's (tournament.room.ts).
    const heldOut = new HeldOut(task, [deriveSeed(seed, 'round:1:match:0'), deriveSeed(seed, 'round:1:match:1'), deriveSeed(seed, 'round:2:match:0')]);
    // A match's held-out scores are public once that match is decided (the bracket shows them).
    const revealed = (s: Record<string, any>, path: string[]) => path[0] === 'matches' && s.matches?.[Number(path[1])]?.status === 'finished';
    const names = ['ann', 'ben', 'cal', 'dot'];
    const specs = [SPEC_TEMPLATES[1]!.spec, SPEC_TEMPLATES[3]!.spec, SPEC_TEMPLATES[7]!.spec, SPEC_TEMPLATES[2]!.spec];
    const first: Room<any, any> = await (await as(names[0]!)).create('tournament', { budget: 3000, seed, countdownSeconds: 60, breakSeconds: 0, task });
    const players = [first];
    const recorders = [new WireRecorder(`player ${names[0]}`, first, heldOut, revealed)];
    for (const name of names.slice(1)) {
      const room: Room<any, any> = await (await as(name)).joinById(first.roomId, {});
      players.push(room);
      recorders.push(new WireRecorder(`player ${name}`, room, heldOut, revealed));
    }
    const eve: Room<any, any> = await t.client.joinById(first.roomId, { name: 'eve', role: 'spectator' });
    const rEve = new WireRecorder('spectator', eve, heldOut, revealed);
    recorders.push(rEve);
    await waitFor(() => Object.keys((rEve.last.players as object) ?? {}).length === 4, 'the spectator to see four players');
    players.forEach((p, i) => p.send('spec', { spec: specs[i] }));
    await waitFor(() => Object.values(rEve.last.players as Record<string, { summary: string }>).every((p) => p.summary !== ''), 'every spec to be taken');
    for (const p of players) p.send('ready', { ready: true });
    await waitFor(() => recorders.every((r) => r.saw('result')), 'the tournament to end', 110_000);
    const matches = rEve.last.matches as Array<{ status: string; sides: Array<{ heldOutAccuracy: number }> }>;
    expect(matches).toHaveLength(3);
    expect(matches.every((m) => m.status === 'finished' && m.sides.some((s) => s.heldOutAccuracy > 0)), 'held-out scores once each match is over').toBe(true);
    for (const r of recorders) expect(r.phases.get('racing') ?? 0, `${r.who} watched the matches race`).toBeGreaterThan(1);
    expectNoLeaks(recorders);
    await Promise.all([...players, eve].map((r) => r.leave()));
  }, 150_000);
});
