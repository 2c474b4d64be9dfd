import type { Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobbyRoomInfo } from '../shared/lobby.messages.ts';
import type { Match } from '../shared/match.schema.ts';
import type { RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import type { RunView } from '../server/runs/run-view.schema.ts';
import { checkSeedReveal, SEED_SCHEME } from '../shared/seed-commitment.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { guestClient, nextMessage, startTestArena, waitFor } from './support/arena.ts';

type Json = unknown;

/** Everything one client receives, in order: each state as JSON (with its phase) and each message. */
class Recorder {
  readonly seen: Array<{ what: string; phase: string; json: string; value: Json }> = [];
  private phase = '';
  readonly who: string;
  constructor(who: string, room: Room<any, any>) {
    this.who = who;
    room.onMessage('*', (type: string | number, payload: Json) => this.seen.push({ what: `message "${String(type)}"`, phase: this.phase, json: JSON.stringify(payload) ?? '', value: payload }));
    room.onStateChange((state: { toJSON(): Record<string, Json> }) => {
      const json = state.toJSON();
      this.phase = String(json.phase);
      this.seen.push({ what: 'state', phase: this.phase, json: JSON.stringify(json), value: json });
    });
  }

  /** What arrived before the race was over: states before the finished phase, messages before `result`. */
  beforeTheEnd(): typeof this.seen {
    const end = this.seen.findIndex((s) => s.phase === 'finished' || s.what === 'message "result"');
    return end === -1 ? this.seen : this.seen.slice(0, end);
  }
}

/** Every value under `v` whose key says "seed", with its path. */
function seedFields(v: Json, path: string[] = [], out: Array<{ path: string; value: Json }> = []): Array<{ path: string; value: Json }> {
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
    if (/seed|salt/i.test(k) && (typeof x !== 'object' || x === null)) out.push({ path: [...path, k].join('.'), value: x });
    seedFields(x, [...path, k], out);
  }
  return out;
}

describe('fair seeds through @colyseus/sdk', () => {
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let lobby: Room;
  const listed = new Map<string, LobbyRoomInfo>();
  beforeAll(async () => {
    t = await startTestArena();
    lobby = await t.client.joinOrCreate('lobby', {});
    lobby.onMessage('rooms', (list: LobbyRoomInfo[]) => list.forEach((r) => listed.set(r.roomId, r)));
    lobby.onMessage('+', (r: LobbyRoomInfo) => listed.set(r.roomId, r));
    lobby.onMessage('-', () => {});
  });
  afterAll(async () => {
    await lobby?.leave();
    await t?.stop();
  });

  /** Two players (and a spectator) race to the end; what each of them received is recorded. */
  async function race(options: Record<string, unknown>) {
    const [a, b] = [await guestClient(t.url, 'fair-a'), await guestClient(t.url, 'fair-b')];
    const ada: Room<any, RaceState> = await a.client.create<RaceState>('race', { budget: 3000, countdownSeconds: 60, paceSeconds: 2, ...options });
    ada.onMessage('welcome', () => {});
    const recorders = [new Recorder('ada', ada)];
    const bob = await b.client.joinById<RaceState>(ada.roomId, {});
    bob.onMessage('welcome', () => {});
    const eve = await t.client.joinById<RaceState>(ada.roomId, { role: 'spectator', name: 'eve' });
    recorders.push(new Recorder('bob', bob), new Recorder('eve', eve));
    await waitFor(() => eve.state.entries?.size === 2 && eve.state.fairSeed?.commitment !== '', 'the spectator to see both players and the commitment');
    const atStart = eve.state.fairSeed.toJSON();
    const listing = await waitFor(() => listed.get(ada.roomId), 'the race in the lobby listing');
    const result = nextMessage<RaceResultMessage>(eve, 'result');
    for (const r of [ada, bob]) r.onMessage('result', () => {});
    bob.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    ada.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    await waitFor(() => [...eve.state.entries.values()].every((e) => e.summary !== ''), 'both specs');
    ada.send('ready', { ready: true });
    bob.send('ready', { ready: true });
    await waitFor(() => eve.state.phase === 'training', 'the race to start');
    const outcome = await result;
    await waitFor(() => eve.state.fairSeed.seed !== -1, 'the reveal in state');
    const atEnd = eve.state.fairSeed.toJSON();
    await Promise.all([ada.leave(), bob.leave(), eve.leave()]);
    return { atStart, atEnd, outcome, listing, recorders };
  }

  it('a rated race publishes a commitment at the start, sends no seed before the end, and reveals one that verifies; ratings move', async () => {
    const { atStart, atEnd, outcome, listing, recorders } = await race({});
    expect(listing.rated).toBe(true);
    expect(atStart).toMatchObject({ rated: true, scheme: SEED_SCHEME, seed: -1, salt: '' });
    expect(atStart.commitment).toMatch(/^[0-9a-f]{64}$/);

    // The reveal: the same commitment, a seed and salt that hash to it, in the result and in state.
    const reveal = outcome.seedReveal;
    expect(outcome.rated).toBe(true);
    expect(reveal.commitment).toBe(atStart.commitment);
    expect(await checkSeedReveal(reveal)).toEqual({ ok: true });
    expect(atEnd).toEqual({ rated: true, scheme: SEED_SCHEME, commitment: atStart.commitment, seed: reveal.seed, salt: reveal.salt });

    // Nobody received the seed or the salt before the race was over: not in any state, not in any message.
    for (const r of recorders) {
      const before = r.beforeTheEnd();
      expect(before.filter((s) => s.phase === 'training').length, `${r.who} watched the race train`).toBeGreaterThan(0);
      expect(before.filter((s) => s.json.includes(reveal.salt)).map((s) => `${s.what} (${s.phase})`), `${r.who} got the salt early`).toEqual([]);
      const early = before.flatMap((s) => seedFields(s.value).filter((f) => f.value === reveal.seed || f.value === reveal.salt).map((f) => `${f.path} in ${s.what}`));
      expect(early, `${r.who} got the seed early`).toEqual([]);
      expect(r.seen.some((s) => s.json.includes(reveal.salt)), `${r.who} got the reveal at the end`).toBe(true);
    }

    // Stored with its commitment and reveal; the API returns them; the runs' files carry them for arena replay.
    const stored: Match = await fetch(`${t.url}/api/matches/${outcome.matchId}`).then((r) => r.json());
    expect(stored).toMatchObject({ rated: true, seed: reveal.seed, seedReveal: reveal });
    const run: RunView = await fetch(`${t.url}/api/runs/${stored.entries[0]!.runId}`).then((r) => r.json());
    expect(run.runFile).toMatchObject({ seed: reveal.seed, seedReveal: reveal });
    const changes = await t.arena.database.db.selectFrom('rating_history').select('player_id').where('match_id', '=', outcome.matchId!).execute();
    expect(changes).toHaveLength(4); // two players, overall and on the task
  });

  it('a custom seed makes the race unrated, says so before anyone joins, and stores no rating change', async () => {
    const { atStart, atEnd, outcome, listing, recorders } = await race({ seed: 1234, paceSeconds: 0, budget: 2000 });
    expect(listing.rated).toBe(false);
    expect(atStart).toMatchObject({ rated: false, seed: -1, salt: '' }); // the creator's seed is not shown to the others either
    expect(outcome.rated).toBe(false);
    expect(outcome.seedReveal.seed).toBe(1234);
    expect(await checkSeedReveal(outcome.seedReveal)).toEqual({ ok: true });
    expect(atEnd).toMatchObject({ rated: false, seed: 1234 });
    for (const r of recorders) expect(r.beforeTheEnd().filter((s) => s.json.includes(outcome.seedReveal.salt))).toEqual([]);

    const stored: Match = await fetch(`${t.url}/api/matches/${outcome.matchId}`).then((r) => r.json());
    expect(stored).toMatchObject({ rated: false, seed: 1234, seedReveal: outcome.seedReveal });
    const db = t.arena.database.db;
    expect(await db.selectFrom('rating_history').select('player_id').where('match_id', '=', outcome.matchId!).execute()).toEqual([]);
    expect(await db.selectFrom('xp_events').select('player_id').where('source_key', 'like', `match:${outcome.matchId}:%`).execute()).toEqual([]);
    expect(outcome.unlocks).toEqual([]);
  });
});
