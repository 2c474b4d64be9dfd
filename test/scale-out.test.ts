import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobbyRoomInfo } from '../shared/lobby.messages.ts';
import type { RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { guestClient, nextMessage, TEST_SECRET, waitFor } from './support/arena.ts';
import { startPrivateRedis, type PrivateRedis } from './support/redis-server.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createTestDatabase, hasPostgres, hasRedis } from './support/services.ts';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const ready = (await hasPostgres()) && (await hasRedis());

/**
 * Two server processes joined by Colyseus's RedisPresence and RedisDriver, on
 * one Postgres and one BullMQ queue with a worker process: a room made through
 * one server is found and joined through the other.
 */
describe.skipIf(!ready)('two server processes behind one Redis', () => {
  // Colyseus keeps its process and room registry in Redis, under fixed key names: this test gets a
  // redis-server of its own (a free port, nothing kept), so servers of other test files never take its
  // rooms, and it removes everything it made by stopping that server, touching nobody's data.
  let redis: PrivateRedis;
  const queue = `arena-scale-${randomUUID()}`;
  let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: ServerProcess;
  let b: ServerProcess;
  let worker: WorkerProcess;
  const dirs: string[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis({ persistent: false });
    tdb = await createTestDatabase();
    const env = (name: string) => {
      const dir = mkdtempSync(path.join(tmpdir(), `arena-${name}-`));
      dirs.push(dir);
      return { DATABASE_URL: tdb.url, REDIS_URL: redis.url, ARENA_QUEUE: queue, ARENA_SECRET: TEST_SECRET, DATA_DIR: dir, CLIENT_DIR: dir };
    };
    worker = startWorkerProcess(redis.url, queue, { WORKER_CONCURRENCY: '2' });
    a = await startServerProcess(env('a'));
    b = await startServerProcess(env('b'));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await worker?.kill('SIGTERM');
    await redis?.dispose();
    await tdb?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a race created through one server is listed and joined through the other, and plays to a stored result', async () => {
    const lobbyOnB = await new Client(b.url).joinOrCreate('lobby', {});
    const listed = new Map<string, LobbyRoomInfo>();
    lobbyOnB.onMessage('rooms', (list: LobbyRoomInfo[]) => list.forEach((r) => listed.set(r.roomId, r)));
    lobbyOnB.onMessage('+', (r: LobbyRoomInfo) => listed.set(r.roomId, r));
    lobbyOnB.onMessage('-', () => {});

    const ada = await (await guestClient(a.url, 'ada')).client.create<RaceState>('race', { budget: 3000, countdownSeconds: 60 });
    ada.onMessage('welcome', () => {});
    await waitFor(() => listed.has(ada.roomId), `the race in server B's lobby (A: ${a.log()} B: ${b.log()})`, 20_000);

    // Bob signs in and joins through B: the token signed by A is good on B (shared secret), and B's matchmaker finds A's room.
    const bob = await (await guestClient(b.url, 'bob')).client.joinById<RaceState>(ada.roomId, {});
    bob.onMessage('welcome', () => {});
    bob.onMessage('result', () => {});
    await waitFor(() => ada.state.entries?.size === 2 && bob.state.entries?.size === 2, 'both players in the same room');

    const result = nextMessage<RaceResultMessage>(ada, 'result', 90_000);
    ada.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    bob.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => [...ada.state.entries.values()].every((e) => e.summary), 'both specs');
    ada.send('ready', { ready: true });
    bob.send('ready', { ready: true });
    const outcome = await result;
    expect(outcome.ranking).toHaveLength(2);
    // Stored once in the one Postgres, readable through either server.
    for (const s of [a, b]) {
      const stored = await fetch(`${s.url}/api/matches/${outcome.matchId}`).then((r) => r.json());
      expect(stored.entries.map((e: { player: string }) => e.player).sort()).toEqual(['ada', 'bob']);
    }
    await Promise.all([ada.leave(), bob.leave(), lobbyOnB.leave()]);
  });
});
