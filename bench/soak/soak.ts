/**
 * The soak: the real arena in a process of its own (soak-server.ts) played by
 * `@colyseus/sdk` clients in this one, for "an hour's worth" of joins,
 * leaves, races, playground runs and fuzz at speed; memory is read after
 * forced GCs once warmed up and again once everything has ended and settled.
 * Used by `npm run bench -- soak` and test/memory.soak.test.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type Room } from '@colyseus/sdk';
import type { PlaygroundResultMessage } from '../../shared/playground.messages.ts';
import type { RaceResultMessage } from '../../shared/race.messages.ts';
import { SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import { runFuzz } from '../../test/fuzz/fuzz-run.ts';
import type { SoakMeasure } from './soak-server.ts';

export type { SoakMeasure };

const SERVER = fileURLToPath(new URL('./soak-server.ts', import.meta.url));

/** How much the soak does in its long phase. */
export interface SoakWorkload {
  /** Clients joining and leaving rooms of every kind (lobby, race, playground, tournament, GAN), owners and spectators; some drop instead of leaving. */
  joins: number;
  /** 3-player races, each to its stored result. */
  races: number;
  /** Samples each race entry trains. */
  raceBudget: number;
  /** Playground runs to their stored result, steered on the way (two per room). */
  playgroundRuns: number;
  /** Hostile messages through `runFuzz` (its join, socket and flood phases and its fair race come on top). */
  fuzzMessages: number;
  /** Races and playground rooms going on at once. */
  parallel: number;
}

/**
 * "An hour's worth" for one server: what a busy hour brings it, at the speed
 * this machine plays it (a race's budget is small, so its runs end in seconds).
 */
export const HOUR: SoakWorkload = { joins: 1000, races: 120, raceBudget: 2000, playgroundRuns: 40, fuzzMessages: 20_000, parallel: 3 };
/** `--quick`: a tenth of it, to see it work. */
export const QUICK: SoakWorkload = { joins: 150, races: 12, raceBudget: 1000, playgroundRuns: 6, fuzzMessages: 2000, parallel: 3 };
/** The warm-up before the first measurement: every path once or twice, so that caches, JIT code and pools are in place. */
export const WARM_UP: SoakWorkload = { joins: 40, races: 3, raceBudget: 1000, playgroundRuns: 2, fuzzMessages: 500, parallel: 3 };

export interface SoakReport {
  workload: SoakWorkload;
  warm: SoakMeasure;
  /** After the last round. */
  after: SoakMeasure;
  /** After each round. */
  rounds: SoakMeasure[];
  /** RSS after / RSS after warm-up, both after forced GCs. */
  rssRatio: number;
  heapRatio: number;
  /** Seconds of the long phase (all rounds), and of the settling after the last. */
  seconds: number;
  settleSeconds: number;
  /** What the long phase did. */
  done: { joins: number; races: number; playgroundRuns: number; fuzzSent: number };
  /** What went wrong on the way (failed races, fuzz problems); empty when all went as planned. */
  problems: string[];
}

type AnyRoom = Room<any, any>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a rejection naming `what` after `ms`. */
function within<T>(promise: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Listens to every message (so the SDK does not warn) and does not reconnect by itself. */
function quiet(room: AnyRoom): AnyRoom {
  room.reconnection.enabled = false;
  room.onMessage('*', () => {});
  return room;
}

function nextMessage<T>(room: AnyRoom, type: string, what: string, ms = 120_000): Promise<T> {
  return within(new Promise<T>((resolve) => room.onMessage(type, (m: T) => resolve(m))), what, ms);
}

/** The soak server process and what the driver asks of it. */
class SoakServer {
  private out = '';
  private readonly waiting = new Map<string, (msg: any) => void>();

  readonly child: ChildProcess;
  readonly url: string;

  private constructor(child: ChildProcess, url: string) {
    this.child = child;
    this.url = url;
  }

  static async start(env: Record<string, string>): Promise<SoakServer> {
    const child = fork(SERVER, [], { execArgv: ['--expose-gc'], env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const port = await within(
      new Promise<number>((resolve, reject) => {
        // Colyseus sends 'ready' itself (for PM2) when it has an IPC channel: wait for this server's own message.
        const onMessage = (m: { type?: string; port?: number }) => m?.type === 'ready' && (child.off('message', onMessage), resolve(m.port!));
        child.on('message', onMessage);
        child.once('exit', (code) => reject(new Error(`the soak server exited with ${code}: ${out.slice(-2000)}`)));
      }),
      'the soak server starting',
      120_000,
    );
    const server = new SoakServer(child, `http://127.0.0.1:${port}`);
    child.stdout!.on('data', (d) => (server.out += d));
    child.stderr!.on('data', (d) => (server.out += d));
    child.on('message', (m: { type?: string }) => {
      if (typeof m?.type !== 'string') return;
      const resolve = server.waiting.get(m.type);
      server.waiting.delete(m.type);
      resolve?.(m);
    });
    return server;
  }

  private ask<T>(msg: { type: string; file?: string }, ms = 60_000): Promise<T> {
    const answer = new Promise<T>((resolve) => this.waiting.set(msg.type, resolve));
    this.child.send(msg);
    return within(answer, `the soak server answering ${msg.type}`, ms);
  }

  async measure(): Promise<SoakMeasure> {
    return (await this.ask<{ measure: SoakMeasure }>({ type: 'measure' })).measure;
  }

  /** A heap snapshot of the main thread in `file`, and the process's memory map (/proc/PID/smaps) in `smaps`. */
  async snapshot(file: string, smaps: string): Promise<void> {
    writeFileSync(smaps, readFileSync(`/proc/${this.child.pid}/smaps`)); // a /proc file says it is empty: copyFile copies nothing
    await this.ask<{ file: string }>({ type: 'snapshot', file }, 300_000);
  }

  log(): string {
    return this.out;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The clients' side: guests made once and reused, as returning players are. */
class Players {
  private readonly clients: Client[] = [];
  readonly anonymous: Client;
  readonly url: string;

  constructor(url: string) {
    this.url = url;
    this.anonymous = new Client(url);
  }

  async make(count: number): Promise<void> {
    for (let i = this.clients.length; i < count; i++) {
      const res = await fetch(`${this.url}/api/guests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `soak-${i}` }) });
      if (res.status !== 201) throw new Error(`POST /api/guests answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      const client = new Client(this.url);
      client.auth.token = ((await res.json()) as { token: string }).token;
      this.clients.push(client);
    }
  }

  /** The `i`-th guest (several at once must differ: a player has one seat in a race). */
  guest(i: number): Client {
    return this.clients[i % this.clients.length]!;
  }
}

/** Options that keep a room waiting, so joins and leaves go on in a room that does not start by itself. */
const WAITING: Record<string, Record<string, unknown>> = {
  race: { countdownSeconds: 300, budget: 1000 },
  playground: { budget: 1000 },
  tournament: { countdownSeconds: 300 },
  gan: { breakSeconds: 300, iterationsPerRound: 10 },
};

/**
 * Joins and leaves: in turn a room of each kind is opened by a guest, watched
 * by spectators who come and go, and left by all, so that it is disposed; one
 * spectator in five drops its connection instead of leaving (the room keeps
 * its seat for the reconnection window). Counts every join.
 */
async function joinsAndLeaves(players: Players, joins: number, offset: number): Promise<number> {
  const kinds = ['race', 'playground', 'tournament', 'gan', 'lobby'] as const;
  let done = 0;
  for (let round = 0; done < joins; round++) {
    const kind = kinds[round % kinds.length]!;
    const opened: AnyRoom[] = [];
    const owner = quiet(kind === 'lobby' ? await players.anonymous.joinOrCreate('lobby', {}) : await players.guest(offset + round).create(kind, WAITING[kind]));
    opened.push(owner);
    done++;
    if (kind === 'race' || kind === 'playground') owner.send('spec', { spec: SPEC_TEMPLATES[round % SPEC_TEMPLATES.length]!.spec });
    for (let s = 0; s < 7 && done < joins; s++, done++) {
      const spectator = quiet(kind === 'lobby' ? await players.anonymous.joinOrCreate('lobby', {}) : await players.anonymous.joinById(owner.roomId, { role: 'spectator', name: `watcher-${s}` }));
      if (s % 5 === 4) spectator.connection.close(); // a lost connection, not a leave
      else opened.push(spectator);
    }
    await Promise.all(opened.map((r) => within(r.leave(), 'leaving', 10_000).catch(() => {})));
  }
  return done;
}

/** One 3-player race to its stored result; a spectator watches part of it. */
async function race(players: Players, n: number, budget: number): Promise<void> {
  const [a, b, c] = [players.guest(3 * n), players.guest(3 * n + 1), players.guest(3 * n + 2)];
  const host = quiet(await within(a.create('race', { budget, countdownSeconds: 0, minPlayers: 3, maxPlayers: 3 }), 'creating a race'));
  const rooms = [host, quiet(await within(b.joinById(host.roomId, {}), 'joining a race')), quiet(await within(c.joinById(host.roomId, {}), 'joining a race'))];
  const spectator = quiet(await within(players.anonymous.joinById(host.roomId, { role: 'spectator' }), 'watching a race'));
  try {
    const result = nextMessage<RaceResultMessage>(host, 'result', 'a race result');
    for (const [k, room] of rooms.entries()) room.send('spec', { spec: SPEC_TEMPLATES[(n + k) % SPEC_TEMPLATES.length]!.spec });
    for (const room of rooms) room.send('ready', { ready: true });
    await sleep(200);
    await spectator.leave();
    const { matchId } = await result;
    if (!matchId) throw new Error('a race ended without a stored match');
  } finally {
    await Promise.all(rooms.map((r) => within(r.leave(), 'leaving', 10_000).catch(() => {})));
  }
}

/** A playground room with two runs, each steered and answered with a landscape on the way, to their stored results. */
async function playground(players: Players, n: number, runs: number): Promise<void> {
  const owner = quiet(await within(players.guest(n).create('playground', { budget: 3000 }), 'creating a playground'));
  try {
    owner.send('spec', { spec: SPEC_TEMPLATES[n % SPEC_TEMPLATES.length]!.spec });
    for (let r = 0; r < runs; r++) {
      const result = nextMessage<PlaygroundResultMessage>(owner, 'result', 'a playground result');
      owner.send('start', {});
      await sleep(100);
      owner.send('control', { control: { type: 'setLearningRate', learningRate: 0.02 } });
      owner.send('landscape', { resolution: 7 });
      const { stored } = await result;
      if (!stored) throw new Error('a playground run was not stored');
    }
  } finally {
    await within(owner.leave(), 'leaving', 10_000).catch(() => {});
  }
}

/** Runs `count` tasks, `parallel` at a time; failures go to `problems`. */
async function pool(count: number, parallel: number, task: (i: number) => Promise<void>, problems: string[]): Promise<number> {
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const i = next++;
        try {
          await task(i);
          ok++;
        } catch (err) {
          problems.push((err as Error).message);
        }
      }
    }),
  );
  return ok;
}

/** Most fuzz messages in one `runFuzz`. */
const FUZZ_ROUND = 10_000;

/** The whole workload once: joins and leaves beside races and playground runs, then the fuzz. */
async function play(players: Players, url: string, w: SoakWorkload, seed: number, problems: string[], say: (s: string) => void): Promise<SoakReport['done']> {
  const playgroundRooms = Math.ceil(w.playgroundRuns / 2);
  const [joins, races, rooms] = await Promise.all([
    joinsAndLeaves(players, w.joins, seed),
    pool(w.races, w.parallel, (i) => race(players, i, w.raceBudget), problems),
    pool(playgroundRooms, 1, (i) => playground(players, 3 * w.parallel + i, Math.min(2, w.playgroundRuns - 2 * i)), problems),
  ]);
  say(`  ${joins} joins, ${races} races, ${rooms} playground rooms; fuzz…`);
  // In rounds of at most 10,000 messages, each with a seed of its own, as npm test fuzzes.
  let fuzzSent = 0;
  for (let left = w.fuzzMessages, round = 0; left > 0; left -= FUZZ_ROUND, round++) {
    const fuzz = await runFuzz({ url, seed: seed + round * 104_729, messages: Math.min(left, FUZZ_ROUND) });
    problems.push(...fuzz.problems);
    fuzzSent += fuzz.sent;
  }
  return { joins, races, playgroundRuns: Math.min(w.playgroundRuns, rooms * 2), fuzzSent };
}

/**
 * Waits until the server has no rooms and no runs left (dropped seats wait out their reconnection window), then measures.
 * Its active handles are the fewest seen over four looks four seconds apart: a leaked timer stays in all of them, while a
 * library's one-off timer comes and goes (Colyseus's debounced stats write, 1 s; PGlite's Postgres arms its idle
 * statistics flush, 10 s, after it was written to).
 */
async function settled(server: SoakServer, timeoutMs: number): Promise<SoakMeasure> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = await server.measure();
    if ((m.rooms === 0 && m.clients === 0 && m.trainerRuns <= 0) || Date.now() > end) {
      await sleep(2000); // the last disposals' database writes and thread messages
      const looks: SoakMeasure[] = [];
      for (let i = 0; i < 4; i++) {
        if (i > 0) await sleep(4000);
        looks.push(await server.measure());
      }
      const last = looks.at(-1)!;
      const kinds = new Set(looks.flatMap((l) => Object.keys(l.resources)));
      const resources = Object.fromEntries([...kinds].map((k) => [k, Math.min(...looks.map((l) => l.resources[k] ?? 0))]));
      return { ...last, resources };
    }
    await sleep(2000);
  }
}

export interface SoakOptions {
  workload: SoakWorkload;
  /** Training threads of the embedded trainer (default 2). */
  threads?: number;
  seed?: number;
  progress?: (line: string) => void;
  /** Times the long phase is played, measured after each (default 1): growth that levels off is a high-water mark, not a leak. */
  rounds?: number;
  /** Heap snapshots of the main thread and memory maps after warm-up and at the end, in this folder (for `diff-snapshots.ts`). */
  snapshotDir?: string;
}

/** Runs the soak and reports; throws only if the server could not be started or died. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const say = options.progress ?? (() => {});
  const seed = options.seed ?? 20261212;
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-soak-'));
  const server = await SoakServer.start({
    PORT: '0',
    DATA_DIR: dir,
    SECRET_FILE: path.join(dir, 'secret'),
    CLIENT_DIR: dir,
    LOG_LEVEL: 'error',
    TRAINER_THREADS: String(options.threads ?? 2),
    // As the fuzz server: every message reaches the gate's checks and a handler instead of the connection closing at the second.
    ROOM_MESSAGES_PER_SECOND: '10000',
    ROOM_OFFENCES_BEFORE_CLOSE: '1000',
    // The soak makes its guests once; it is one address doing the work of many players.
    RATE_LIMIT_GUESTS: 'off',
    RATE_LIMIT_API_READS: 'off',
  });
  const problems: string[] = [];
  try {
    const players = new Players(server.url);
    await players.make(3 * options.workload.parallel + 4);
    say('warm-up…');
    await play(players, server.url, WARM_UP, seed, problems, say);
    const warm = await settled(server, 60_000);
    if (options.snapshotDir) await server.snapshot(path.join(options.snapshotDir, 'warm.heapsnapshot'), path.join(options.snapshotDir, 'warm.smaps'));
    say(`warm: rss ${mb(warm.rss)} MB, heap ${mb(warm.heapUsed)} MB, wasm ${mb(warm.wasmResident)} MB`);
    const rounds: SoakMeasure[] = [];
    let seconds = 0;
    let settleSeconds = 0;
    let done!: SoakReport['done'];
    for (let round = 1; round <= (options.rounds ?? 1); round++) {
      const t0 = performance.now();
      done = await play(players, server.url, options.workload, seed + round, problems, say);
      seconds += (performance.now() - t0) / 1000;
      const t1 = performance.now();
      rounds.push(await settled(server, 90_000));
      settleSeconds = (performance.now() - t1) / 1000;
      if ((options.rounds ?? 1) > 1) say(`round ${round}: rss ${mb(rounds.at(-1)!.rss)} MB`);
    }
    const after = rounds.at(-1)!;
    if (options.snapshotDir) await server.snapshot(path.join(options.snapshotDir, 'after.heapsnapshot'), path.join(options.snapshotDir, 'after.smaps'));
    say(`after: rss ${mb(after.rss)} MB, heap ${mb(after.heapUsed)} MB, wasm ${mb(after.wasmResident)} MB`);
    if (server.child.exitCode !== null) problems.push(`the soak server exited with ${server.child.exitCode}`);
    return { workload: options.workload, warm, after, rounds, rssRatio: after.rss / warm.rss, heapRatio: after.heapUsed / warm.heapUsed, seconds, settleSeconds, done, problems };
  } catch (err) {
    throw new Error(`${(err as Error).message}\nserver output: ${server.log().slice(-3000)}`, { cause: err });
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
