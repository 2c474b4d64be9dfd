/**
 * The fuzzer: against a running arena, through `@colyseus/sdk` and raw
 * sockets, it sends every room kind seeded garbage (fuzz-cases.ts), bad join
 * options, raw WebSocket and TCP junk and a flood, then checks that the server
 * is alive after each phase, that rooms other than the sender's did not
 * change, and that a well-behaved race still plays to its stored end.
 */
import { connect } from 'node:net';
import { Client, type Room } from '@colyseus/sdk';
import { GanClientMessages } from '../../shared/gan.messages.ts';
import { PlaygroundClientMessages } from '../../shared/playground.messages.ts';
import { RaceClientMessages, type RaceResultMessage } from '../../shared/race.messages.ts';
import { createRng } from '../../contract/random.ts';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import { TournamentClientMessages } from '../../shared/tournament.messages.ts';
import { fuzzCases, nested, type FuzzCase } from './fuzz-cases.ts';

export interface FuzzOptions {
  /** The arena, e.g. http://127.0.0.1:2567. */
  url: string;
  seed: number;
  /** Messages to send over the room phases (the join, socket and flood phases add their own). */
  messages: number;
  /** Connections sending at once in each room phase. */
  parallel?: number;
  /** Progress lines. */
  progress?: (line: string) => void;
}

export interface FuzzSummary {
  seed: number;
  /** Every message and frame sent, all phases together. */
  sent: number;
  byLabel: Record<string, number>;
  /** Connections the server closed on the fuzzer. */
  closed: number;
  /** `error` messages the server answered with. */
  refusals: number;
  phases: { name: string; sent: number; seconds: number }[];
  /** What went wrong; empty when the arena held. */
  problems: string[];
}

type AnyRoom = Room<any, any>;

const ROOM_KINDS = {
  lobby: ['filter'],
  race: Object.keys(RaceClientMessages),
  tournament: Object.keys(TournamentClientMessages),
  gan: Object.keys(GanClientMessages),
  playground: Object.keys(PlaygroundClientMessages),
} as const;
type RoomKind = keyof typeof ROOM_KINDS;

/** Options that keep a room waiting (nothing starts by itself while it is fuzzed). */
const CREATE_OPTIONS: Record<Exclude<RoomKind, 'lobby'>, Record<string, unknown>> = {
  race: { countdownSeconds: 300, budget: 1000 },
  tournament: { countdownSeconds: 300 },
  gan: { breakSeconds: 300, iterationsPerRound: 10 },
  playground: { budget: 1000 },
};

async function guest(url: string, name: string): Promise<Client> {
  const res = await fetch(`${url}/api/guests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, ifTaken: 'tag' }) });
  if (res.status !== 201) throw new Error(`POST /api/guests answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const client = new Client(url);
  client.auth.token = ((await res.json()) as { token: string }).token;
  return client;
}

/** Listens to everything a room sends (so the SDK does not warn) and stops it reconnecting by itself. */
function quiet(room: AnyRoom, onError?: () => void): AnyRoom {
  room.reconnection.enabled = false;
  room.onMessage('*', (type) => {
    if (type === 'error') onError?.();
  });
  return room;
}

/** The state a spectator sees, as JSON. */
function snapshot(room: AnyRoom): string {
  return JSON.stringify((room.state as { toJSON(): unknown }).toJSON());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a rejection naming `what` after `ms` (a dead server leaves the SDK's promises pending). */
function within<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Runs the fuzzer; never throws for what the server does, it lists it under `problems`. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  // The SDK warns on the console for every join the server refuses; the fuzzer makes hundreds on purpose.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Room connection was closed unexpectedly')) return;
    warn(...args);
  };
  try {
    return await fuzz(options);
  } finally {
    console.warn = warn;
  }
}

async function fuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const { url, seed } = options;
  const parallel = options.parallel ?? 4;
  const say = options.progress ?? (() => {});
  const summary: FuzzSummary = { seed, sent: 0, byLabel: {}, closed: 0, refusals: 0, phases: [], problems: [] };
  const anonymous = new Client(url);
  const opened: AnyRoom[] = [];
  const count = (label: string) => {
    summary.sent++;
    summary.byLabel[label] = (summary.byLabel[label] ?? 0) + 1;
  };

  async function alive(after: string): Promise<boolean> {
    const t0 = performance.now();
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) summary.problems.push(`the server did not answer /health after ${after}`);
    else if (performance.now() - t0 > 1000) say(`/health took ${Math.round(performance.now() - t0)} ms after ${after}`);
    return ok;
  }

  /** Runs one phase; `body` keeps `tally.sent` current, so a phase that fails still says how far it got. */
  async function phase(name: string, body: (tally: { sent: number }) => Promise<unknown>): Promise<boolean> {
    const t0 = performance.now();
    say(`phase ${name}…`);
    const tally = { sent: 0 };
    try {
      await body(tally);
    } catch (err) {
      summary.problems.push(`phase ${name} failed after ${tally.sent} sent: ${(err as Error).message}`);
    }
    summary.phases.push({ name, sent: tally.sent, seconds: Math.round((performance.now() - t0) / 100) / 10 });
    return alive(`phase ${name}`);
  }

  // Victims: rooms of every kind that the fuzzer never joins; their state must not move.
  const victimClient = await guest(url, 'victim');
  const victims: { kind: string; watcher: AnyRoom; before: string }[] = [];
  for (const kind of ['race', 'tournament', 'gan', 'playground'] as const) {
    const owner = quiet(await within(victimClient.create(kind, CREATE_OPTIONS[kind]), `creating the victim ${kind}`));
    opened.push(owner);
    if (kind === 'race' || kind === 'playground') owner.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    const watcher = quiet(await within(anonymous.joinById(owner.roomId, { role: 'spectator', name: 'watcher' }), `watching the victim ${kind}`));
    opened.push(watcher);
    victims.push({ kind, watcher, before: '' });
  }
  await sleep(1000);
  for (const v of victims) v.before = snapshot(v.watcher);

  // Room phases: each kind gets its share of the messages, over `parallel` connections that are replaced as the server closes them.
  const kinds = Object.keys(ROOM_KINDS) as RoomKind[];
  for (const [i, kind] of kinds.entries()) {
    const share = Math.floor(options.messages / kinds.length) + (i < options.messages % kinds.length ? 1 : 0);
    const ok = await phase(`${kind} messages`, async (tally) => {
      const attacker = await guest(url, `fuzz-${kind}`);
      let roomId = '';
      const join = async (first: boolean): Promise<AnyRoom> => {
        let room: AnyRoom;
        if (kind === 'lobby') room = await within(anonymous.joinOrCreate('lobby', {}), 'joining the lobby');
        else if (first && !roomId) room = await within(attacker.create(kind, CREATE_OPTIONS[kind]), `creating a ${kind}`);
        else {
          // A room whose seats are all taken or held for reconnections locks: the fuzzer then opens another.
          const watching = await within(anonymous.joinById(roomId, { role: 'spectator' }), `watching the ${kind}`).catch(() => undefined);
          room = watching ?? (await within(attacker.create(kind, CREATE_OPTIONS[kind]), `creating another ${kind}`));
          if (!watching) roomId = room.roomId;
        }
        roomId ||= room.roomId;
        opened.push(room);
        return quiet(room, () => summary.refusals++);
      };
      const slots: { room: AnyRoom; open: boolean }[] = [];
      const watch = (slot: { room: AnyRoom; open: boolean }) =>
        slot.room.onLeave(() => {
          if (slot.open) summary.closed++;
          slot.open = false;
        });
      for (let s = 0; s < parallel; s++) {
        const slot = { room: await join(s === 0), open: true };
        watch(slot);
        slots.push(slot);
      }
      const next = fuzzCases(seed + i * 7919, ROOM_KINDS[kind]);
      for (let n = 0; n < share; n++) {
        const slot = slots[n % parallel]!;
        if (!slot.open) {
          slot.room = await join(false);
          slot.open = true;
          watch(slot);
        }
        send(slot.room, next());
        tally.sent = n + 1;
        if (n % 25 === 24) await sleep(1);
        if (n % 1000 === 999 && !(await alive(`${n + 1} ${kind} messages`))) throw new Error('the server is down');
      }
      await sleep(300);
    });
    if (!ok) return finish();
  }

  function send(room: AnyRoom, c: FuzzCase): void {
    count(c.label);
    try {
      if (c.kind === 'raw') room.connection.send(c.bytes);
      else room.send(c.type as string, c.payload);
    } catch {
      // the SDK could not pack it (or the socket is closing): it never left this process
    }
  }

  // Join options: weird values where the rooms' create and join options go.
  const joinRng = createRng(seed ^ 0x5eed);
  if (
    !(await phase('join options', async (tally) => {
      const attacker = await guest(url, 'fuzz-joins');
      const weird = [Number.NaN, -1, 1e308, 'x'.repeat(3000), null, [], { a: 1 }, nested(2000), nested(500, true), true, '__proto__'];
      const keys = ['task', 'budget', 'seed', 'minPlayers', 'maxPlayers', 'role', 'name', 'side', 'challenge', 'format', 'rounds', 'distribution', '__proto__', 'constructor'];
      const target = victims[0]!.watcher.roomId;
      let n = 0;
      for (; n < 120; n++) {
        const opts: Record<string, unknown> = {};
        for (let k = 0; k < 1 + joinRng.int(3); k++) opts[keys[joinRng.int(keys.length)]!] = weird[joinRng.int(weird.length)];
        const kind = (['race', 'tournament', 'gan', 'playground'] as const)[joinRng.int(4)]!;
        count('join options');
        tally.sent = n + 1;
        const joined = await within(n % 2 ? attacker.create(kind, opts) : anonymous.joinById(target, opts), 'a join with bad options').catch((err: Error) => {
          if (err.message.includes('no answer')) throw err;
          return undefined;
        });
        if (joined) {
          quiet(joined);
          opened.push(joined);
          await joined.leave().catch(() => {});
        }
      }
    }))
  )
    return finish();

  // Raw sockets: binary junk on a WebSocket that joined nothing, and bytes that are not WebSocket frames at all.
  if (
    !(await phase('raw sockets', async (tally) => {
      const rng = createRng(seed ^ 0xbeef);
      let n = 0;
      const sent = () => (tally.sent = ++n);
      for (let k = 0; k < 20; k++) {
        const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/${k % 2 ? 'nope/nope' : ''}?sessionId=${'z'.repeat(k)}`);
        ws.binaryType = 'arraybuffer';
        await new Promise<void>((resolve) => {
          ws.onopen = () => {
            for (let m = 0; m < 10; m++) {
              ws.send(Uint8Array.from({ length: 1 + rng.int(100) }, () => rng.int(256)));
              count('raw WebSocket junk');
              sent();
            }
            setTimeout(() => (ws.close(), resolve()), 50);
          };
          ws.onerror = () => resolve();
        });
      }
      const { host, port } = new URL(url);
      for (let k = 0; k < 10; k++) {
        await new Promise<void>((resolve) => {
          const socket = connect(Number(port), host.split(':')[0]!, () => {
            socket.write(`GET /x/y?sessionId=a HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
            setTimeout(() => socket.write(Uint8Array.from({ length: 64 }, () => rng.int(256))), 30);
            count('bytes that are not WebSocket frames');
            sent();
            setTimeout(() => (socket.destroy(), resolve()), 150);
          });
          socket.on('error', () => resolve());
        });
      }
    }))
  )
    return finish();

  // A flood: 1,500 messages in one burst from one spectator of a race.
  if (
    !(await phase('flood', async (tally) => {
      const host = quiet(await within((await guest(url, 'fuzz-flood')).create('race', CREATE_OPTIONS.race), 'creating a race'));
      const spectator = quiet(await within(anonymous.joinById(host.roomId, { role: 'spectator' }), 'watching a race'), () => summary.refusals++);
      opened.push(host, spectator);
      let open = true;
      spectator.onLeave(() => ((open = false), summary.closed++));
      for (let n = 0; n < 1500 && open; n++) {
        send(spectator, { kind: 'send', label: 'flood', type: 'ready', payload: { ready: true } });
        tally.sent = n + 1;
      }
      await sleep(500);
    }))
  )
    return finish();

  for (const v of victims) {
    const after = snapshot(v.watcher);
    if (after !== v.before) summary.problems.push(`the victim ${v.kind} room changed: ${v.before.slice(0, 300)} → ${after.slice(0, 300)}`);
  }

  await phase('a fair race to its stored end', async (tally) => {
    const [a, b] = await Promise.all([guest(url, 'fair-1'), guest(url, 'fair-2')]);
    const host = quiet(await within(a.create('race', { budget: 2000, countdownSeconds: 0, task: { name: 'spiral' } }), 'creating the fair race'));
    const other = quiet(await within(b.joinById(host.roomId, {}), 'joining the fair race'));
    opened.push(host, other);
    const result = new Promise<RaceResultMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the fair race did not finish within 180 s')), 180_000);
      host.onMessage('result', (msg: RaceResultMessage) => (clearTimeout(timer), resolve(msg)));
    });
    for (const [k, room] of [host, other].entries()) {
      room.send('spec', { spec: SPEC_TEMPLATES[k]!.spec });
      room.send('ready', { ready: true });
      tally.sent += 2;
    }
    const { matchId } = await result;
    if (!matchId) throw new Error('the fair race ended without a stored match');
    const stored = await fetch(`${url}/api/matches/${matchId}`);
    if (stored.status !== 200) throw new Error(`GET /api/matches/${matchId} answered ${stored.status}`);
  });
  return finish();

  async function finish(): Promise<FuzzSummary> {
    await Promise.allSettled(opened.map((r) => within(r.leave(), 'leaving', 3000)));
    return summary;
  }
}

/** Lines of a server's output that are not JSON log records, or are records at `error` level or above. */
export function logProblems(output: string): string[] {
  const problems: string[] = [];
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    let record: { level?: number; msg?: string };
    try {
      record = JSON.parse(line);
    } catch {
      problems.push(`a line outside the JSON log: ${line.slice(0, 200)}`);
      continue;
    }
    if ((record.level ?? 0) >= 50) problems.push(`an error-level log line: ${line.slice(0, 300)}`);
  }
  return problems;
}
