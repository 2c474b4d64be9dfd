import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@colyseus/sdk';
import { afterAll, beforeAll } from 'vitest';
import { startArena, type Arena } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';

/** The secret test arenas sign guest tokens with (several test servers must share it). */
export const TEST_SECRET = 'test-secret-shared-by-every-test-server';

/** A guest account made through the HTTP API (a taken name gets a free `#tag`), and an SDK client that joins rooms as that guest. */
export async function guestClient(url: string, name: string): Promise<{ client: Client; playerId: string; token: string }> {
  const res = await fetch(`${url}/api/guests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, ifTaken: 'tag' }) });
  if (res.status !== 201) throw new Error(`POST /api/guests answered ${res.status}: ${await res.text()}`);
  const { token, playerId } = (await res.json()) as { token: string; playerId: string };
  const client = new Client(url);
  client.auth.token = token;
  return { client, playerId, token };
}

/** Clients by player name, each signed in as its own guest on first use: `const as = guests(url); (await as('ada')).create(...)`. */
export function guests(url: string): (name: string) => Promise<Client> {
  const made = new Map<string, Promise<Client>>();
  return (name) => {
    let c = made.get(name);
    if (!c) made.set(name, (c = guestClient(url, name).then((g) => g.client)));
    return c;
  };
}

/**
 * Test arenas train at normal priority: beside them the suite runs browsers and other servers at normal
 * priority, which would starve a niced trainer (nice 10 gets about a tenth of a contended core) and turn
 * seconds of training into minutes. The niceness itself is what test/load.test.ts measures, at the default.
 */
export const TEST_TRAINER_NICE = { TRAINER_NICE: '0' };

/** A running test arena: the arena, its address, an SDK client for it, and how to stop it. */
export interface TestArena {
  arena: Arena;
  url: string;
  client: Client;
  stop: () => Promise<void>;
}

/** A real arena on a free port with its own PGlite folder, plus an SDK client for it. */
export async function startTestArena(env: Record<string, string> = {}): Promise<TestArena> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arena-test-'));
  const arena = await startArena(readConfig({ PORT: '0', DATA_DIR: dataDir, SECRET_FILE: path.join(dataDir, 'secret'), ARENA_SECRET: TEST_SECRET, TRAINER_THREADS: '2', ...TEST_TRAINER_NICE, ...env }));
  const url = `http://127.0.0.1:${arena.port}`;
  return {
    arena,
    url,
    client: new Client(url),
    stop: async () => {
      await arena.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Something a whole suite shares (a test arena, say): started before the first test of the suite this is called in,
 * stopped after its last (vitest's beforeAll and afterAll there). Returns how to read it, which throws `notStarted`
 * outside the suite's tests and hooks.
 */
export function suiteResource<T extends { stop: () => Promise<void> }>(start: () => Promise<T>, notStarted: string): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.stop();
    started = undefined;
  });
  return () => {
    if (!started) throw new Error(notStarted);
    return started;
  };
}

/** The arena of a suite (see arenaSuite): read inside its tests and hooks, once it is up. */
export interface SuiteArena {
  readonly arena: Arena;
  readonly url: string;
  readonly client: Client;
  /** An SDK client signed in as the guest `name`, made on first use (see guests). */
  readonly as: (name: string) => Promise<Client>;
}

/**
 * Starts a test arena (startTestArena, with `env`) before the tests of the suite it is called in, and stops it after
 * them: `const t = arenaSuite();` in a describe block (or a file) stands for its own beforeAll and afterAll. Hooks
 * registered after this call run after the arena is up, and (vitest runs afterAll hooks in reverse) their teardown
 * before it stops.
 */
export function arenaSuite(env: Record<string, string> = {}): SuiteArena {
  const up = suiteResource(async () => {
    const arena = await startTestArena(env);
    return { ...arena, as: guests(arena.url) };
  }, 'the test arena is not running: read it inside a test or hook of its suite');
  return {
    get arena() {
      return up().arena;
    },
    get url() {
      return up().url;
    },
    get client() {
      return up().client;
    },
    as: (name) => up().as(name),
  };
}

/** Resolves with the first message of `type` a room receives. */
export function nextMessage<T>(room: { onMessage(type: string, cb: (msg: T) => void): unknown }, type: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${timeoutMs} ms`)), timeoutMs);
    room.onMessage(type, (msg: T) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

export { waitFor } from './wait.ts';
