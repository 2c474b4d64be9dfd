/**
 * A server on Postgres + Redis + a BullMQ worker process that is SIGKILLed mid-race comes back and carries
 * the race on: the worker trains the entries on while no server runs, the restarted server (same port, same
 * database, same Redis) finds the match in its log, re-attaches the runs from their telemetry streams, the
 * players reconnect through @colyseus/sdk, and the match is stored exactly once, each entry with the weights
 * hash an uninterrupted run with the same seed and control log gives. A tournament killed mid-round comes
 * back the same way: its room, its players' seats, the round's matches re-attached, each stored once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client, Room } from '@colyseus/sdk';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import type { TournamentResultMessage } from '../shared/tournament.messages.ts';
import type { TournamentState } from '../shared/tournament.state.ts';
import { telemetryKey } from '../contract/redis-keys.ts';
import { runFileJob } from '../shared/run.schema.ts';
import { RunView } from '../server/runs/run-view.schema.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { guestClient, TEST_SECRET, waitFor } from './support/arena.ts';
import { startPrivateRedis, type PrivateRedis } from './support/redis-server.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createTestDatabase, hasPostgres, hasRedis } from './support/services.ts';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const ready = (await hasPostgres()) && (await hasRedis());

describe.skipIf(!ready)('SIGKILL the server mid-race on Postgres + Redis + a worker process, restart it', () => {
  // A redis-server of its own: Colyseus keeps its room registry under fixed key names, and the queue lives there too.
  let redis: PrivateRedis;
  let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
  let worker: WorkerProcess;
  let server: ServerProcess;
  const queue = `arena-restart-${randomUUID()}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-restart-'));
  const env = { DATABASE_URL: '', REDIS_URL: '', ARENA_QUEUE: queue, ARENA_SECRET: TEST_SECRET, DATA_DIR: dir, CLIENT_DIR: dir, MATCH_RESUME_TIMEOUT_MS: '120000' };

  beforeAll(async () => {
    await initBackend();
    redis = await startPrivateRedis({ persistent: false });
    tdb = await createTestDatabase();
    Object.assign(env, { DATABASE_URL: tdb.url, REDIS_URL: redis.url });
    worker = startWorkerProcess(redis.url, queue, { WORKER_CONCURRENCY: '2' });
    server = await startServerProcess(env);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await worker?.kill('SIGTERM');
    await redis?.dispose();
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** Joins (again) the room with this id as the client's player; the server may still be coming up. */
  async function rejoin(client: Client, roomId: string): Promise<Room<any, RaceState>> {
    return waitFor(
      () => client.joinById<RaceState>(roomId, {}).catch((err: Error) => (/not found|ECONNREFUSED|fetch failed/i.test(err.message) ? undefined : Promise.reject(err))),
      `to get back into room ${roomId} (server output: ${server.log()})`,
      60_000,
    );
  }

  /** What the database holds about the race's room: its stored matches and their entries. */
  async function storedFor(roomId: string) {
    const c = new pg.Client({ connectionString: tdb.url });
    await c.connect();
    try {
      const matches = (await c.query('select id, status from matches where room_id = $1', [roomId])).rows as Array<{ id: string; status: string }>;
      const entries = matches[0] ? ((await c.query('select run_id, weights_hash, status from match_entries where match_id = $1 order by seat', [matches[0].id])).rows as Array<{ run_id: string; weights_hash: string; status: string }>) : [];
      const ratings = matches[0] ? Number((await c.query('select count(*) as n from rating_history where match_id = $1', [matches[0].id])).rows[0].n) : 0;
      return { matches, entries, ratings };
    } finally {
      await c.end();
    }
  }

  /** The weights hash a run gives when nothing interrupts it: its run file (seed, control log) replayed here. */
  async function uninterrupted(url: string, runId: string): Promise<string> {
    const view = RunView.parse(await fetch(`${url}/api/runs/${runId}`).then((r) => r.json()));
    const f = view.runFile;
    return (await runTraining(runFileJob(f, runId))).weightsHash;
  }

  it('mid-race: the worker trains on, the race is carried on and stored once with the uninterrupted weights hashes', async () => {
    const ada = await guestClient(server.url, 'ada');
    const bob = await guestClient(server.url, 'bob');
    const a = await ada.client.create<RaceState>('race', { budget: 6000, countdownSeconds: 60, paceSeconds: 14, interventions: 2 });
    const roomId = a.roomId;
    const b = await bob.client.joinById<RaceState>(roomId, {});
    for (const r of [a, b]) r.onMessage('*', () => {});
    a.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
    b.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
    await waitFor(() => [...a.state.entries.values()].every((e) => e.summary !== ''), 'both specs to be accepted');
    a.send('ready', { ready: true });
    b.send('ready', { ready: true });
    await waitFor(() => a.state.phase === 'training' && [...a.state.entries.values()].every((e) => e.samples > 0), `the race to be under way (server output: ${server.log()})`, 60_000);
    // A live control in the log, so the uninterrupted run to compare with is not just the seed's.
    const adaRun = [...a.state.entries.values()].find((e) => e.player === 'ada')!.runId;
    a.send('control', { runId: adaRun, control: { type: 'setLearningRate', learningRate: 0.02 } });
    await waitFor(() => [...a.state.entries.values()].find((e) => e.player === 'ada')!.interventionsLeft === 1, 'the intervention to be spent', 30_000);
    await new Promise((r) => setTimeout(r, 1500)); // a frame summary or two more in the log
    const heard = Math.max(...[...a.state.entries.values()].map((e) => e.samples));

    for (const r of [a, b]) {
      // The players come back by joining the room's id again (their guest tokens hold); the SDK's own reconnection is off.
      r.reconnection.enabled = false;
      r.removeAllListeners();
      r.connection.close();
    }
    await server.kill();
    const port = server.port;
    // No server: the worker trains both runs on, into their telemetry streams.
    const streams = new Redis(redis.url);
    try {
      const lengths = () => Promise.all([...a.state.entries.values()].map((e) => streams.xlen(telemetryKey(e.runId))));
      const atKill = await lengths();
      await waitFor(async () => (await lengths()).every((n, i) => n > atKill[i]! + 2), `both runs to train on with no server (worker output: ${worker.log()})`, 30_000);
    } finally {
      streams.disconnect();
    }
    server = await startServerProcess(env, { port });

    const a2 = await rejoin(ada.client, roomId);
    const b2 = await rejoin(bob.client, roomId);
    const results: RaceResultMessage[] = [];
    for (const r of [a2, b2]) r.onMessage('*', () => {});
    a2.onMessage('result', (m: RaceResultMessage) => results.push(m));
    // The history so far comes back with the room: nothing starts again from zero.
    await waitFor(() => a2.state.entries?.size === 2, 'the restored room to show both entries');
    expect(Math.max(...[...a2.state.entries.values()].map((e) => e.curveSamples.length))).toBeGreaterThan(0);
    expect(Math.max(...[...a2.state.entries.values()].map((e) => e.samples))).toBeGreaterThanOrEqual(heard * 0.5);
    await waitFor(() => results.length > 0, `the race to end after the restart (server output: ${server.log()})`, 150_000);
    expect(results[0]!.matchId).toMatch(/^[0-9a-f-]{36}$/);

    await new Promise((r) => setTimeout(r, 1000));
    expect(server.log()).not.toContain('queued again'); // re-attached where they trained, not queued afresh
    const stored = await storedFor(roomId);
    expect(stored.matches).toEqual([{ id: results[0]!.matchId, status: 'finished' }]); // exactly once
    expect(stored.entries.map((e) => e.status)).toEqual(['finished', 'finished']);
    expect(stored.ratings).toBe(4);
    for (const e of stored.entries) expect(e.weights_hash).toBe(await uninterrupted(server.url, e.run_id));
    const adaFile = RunView.parse(await fetch(`${server.url}/api/runs/${adaRun}`).then((r) => r.json())).runFile;
    expect(adaFile.controls.map((c) => c.control.type)).toContain('setLearningRate');
    await Promise.all([a2.leave(), b2.leave()]);
  }, 300_000);
  it('mid-tournament-round: the tournament comes back under its room id, the round is carried on from the streams, and every match is stored once with the uninterrupted weights hashes, to its champion', async () => {
    const names = ['ada', 'bob', 'cy', 'dee'];
    const guests = await Promise.all(names.map((n) => guestClient(server.url, n)));
    const budget = 60_000;
    // Paced, so the kill lands mid-round 1 however fast the worker trains these nets.
    const host = await guests[0]!.client.create<TournamentState>('tournament', { title: 'Night cup', budget, countdownSeconds: 60, breakSeconds: 0, paceSeconds: 15, seed: 777 });
    const roomId = host.roomId;
    const rooms = [host, ...(await Promise.all(guests.slice(1).map((g) => g.client.joinById<TournamentState>(roomId, {}))))];
    for (const r of rooms) r.onMessage('*', () => {});
    await waitFor(() => host.state.players?.size === 4, 'four players');
    rooms.forEach((r, i) => r.send('spec', { spec: SPEC_TEMPLATES[i]!.spec }));
    await waitFor(() => [...host.state.players.values()].every((p) => p.summary !== ''), 'every spec to be accepted');
    rooms.forEach((r) => r.send('ready', { ready: true }));
    const sides = () => [...(host.state.matches ?? [])].flatMap((m) => [...m.sides]);
    await waitFor(() => host.state.matches?.length === 2 && sides().some((x) => x.samples > 0) && host.state.matches.every((m) => m.status === 'racing'), `round 1 to be under way (the worker trains two runs at a time: one match may wait in the queue) (server output: ${server.log()})`, 120_000);
    await new Promise((r) => setTimeout(r, 1500)); // launches and frame summaries reach the database
    expect(host.state.matches.every((m) => m.status === 'racing')).toBe(true);
    const tournamentId = host.state.tournamentId;
    for (const r of rooms) {
      r.reconnection.enabled = false;
      r.removeAllListeners();
      r.connection.close();
    }
    await server.kill();
    const port = server.port;
    await new Promise((r) => setTimeout(r, 2000)); // the worker trains on with no server
    server = await startServerProcess(env, { port });

    const again = await Promise.all(guests.map((g) => rejoin(g.client, roomId) as unknown as Promise<Room<any, TournamentState>>));
    for (const r of again) r.onMessage('*', () => {});
    const results: TournamentResultMessage[] = [];
    again[0]!.onMessage('result', (m: TournamentResultMessage) => results.push(m));
    await waitFor(() => again[0]!.state.players?.size === 4 && [...again[0]!.state.players.values()].every((p) => p.connected), 'every player back in their seat');
    await waitFor(() => results.length > 0, `the tournament to end after the restart (server output: ${server.log()})`, 240_000);
    expect(results[0]!).toMatchObject({ tournamentId, stored: true });
    expect(results[0]!.matchIds).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 1000));
    expect(server.log()).not.toContain('queued again'); // re-attached where they trained, not queued afresh

    const c = new pg.Client({ connectionString: tdb.url });
    await c.connect();
    try {
      const matches = (await c.query('select id, status, round from matches where tournament_id = $1 order by round', [tournamentId])).rows as Array<{ id: string; status: string; round: number }>;
      expect(matches.map((m) => m.id).sort()).toEqual([...results[0]!.matchIds].sort()); // exactly once each
      expect(matches.map((m) => [m.round, m.status])).toEqual([[1, 'finished'], [1, 'finished'], [2, 'finished']]);
      const entries = (await c.query('select run_id, weights_hash, status from match_entries where match_id = any($1)', [matches.map((m) => m.id)])).rows as Array<{ run_id: string; weights_hash: string; status: string }>;
      expect(entries).toHaveLength(6);
      for (const e of entries) expect(e.weights_hash, `run ${e.run_id}`).toBe(await uninterrupted(server.url, e.run_id));
      expect((await c.query('select status, champion_id from tournaments where id = $1', [tournamentId])).rows).toEqual([{ status: 'finished', champion_id: results[0]!.champion.playerId }]);
      expect(Number((await c.query('select count(*) as n from live_matches where room_id = $1', [roomId])).rows[0].n)).toBe(0);
    } finally {
      await c.end();
    }
    await Promise.all(again.map((r) => r.leave()));
  }, 600_000);
});
