/**
 * A race survives its server being SIGKILLed mid-race (embedded defaults:
 * PGlite and the in-process trainer, on a DATA_DIR of the test's own): a server
 * started again on the same folder finds the match, recreates its room under
 * the same id, resumes the runs from their saved checkpoints, and the players
 * and a spectator who join that id again see its history; the match ends
 * stored exactly once, with the weights hashes of the same race trained
 * without a break (same seed, same control log). A race whose runs cannot come
 * back within MATCH_RESUME_TIMEOUT_MS is stored as aborted, shows why, and
 * moves nobody's XP or rating. A tournament killed mid-round comes back the
 * same way: its room, its players' seats, the bracket, the round's matches
 * carried on, each stored once with the unbroken weights, to its champion.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, type Room } from '@colyseus/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/database.ts';
import type { Match } from '../shared/match.schema.ts';
import type { RaceResultMessage } from '../shared/race.messages.ts';
import type { RaceState } from '../shared/race.state.ts';
import type { TournamentResultMessage } from '../shared/tournament.messages.ts';
import type { TournamentState } from '../shared/tournament.state.ts';
import type { RunView } from '../server/runs/run-view.schema.ts';
import { runFileJob } from '../shared/run.schema.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { guestClient, nextMessage, TEST_SECRET, waitFor } from './support/arena.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

const BUDGET = 16_000;
const SEED = 4242;
/** Samples per tournament run (each match is paced: see startTournament). */
const TOURNAMENT_BUDGET = 100_000;

/** A folder of the test's own for the server's database, secret and saved runs. */
function dataFolder() {
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-restart-'));
  const env = { DATA_DIR: path.join(dir, 'pglite'), SECRET_FILE: path.join(dir, 'secret'), ARENA_SECRET: TEST_SECRET, TRAINER_THREADS: '2', CLIENT_DIR: path.join(dir, 'no-client') };
  return { dir, env, runsDir: path.join(dir, 'pglite', 'arena-runs') };
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** An SDK client of `url` signed in with a guest token from before the restart. */
function as(url: string, token: string): Client {
  const client = new Client(url);
  client.auth.token = token;
  return client;
}

/** SIGKILL: no shutdown code runs, nothing is flushed or cancelled. */
async function kill(server: ServerProcess): Promise<void> {
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGKILL');
  await exited;
}

/** Stops listening to a room whose server is about to die or is done (its SDK would retry the dead address). */
function forget(...rooms: Array<Room<any, any>>): void {
  for (const room of rooms) {
    room.reconnection.enabled = false;
    room.removeAllListeners();
    try {
      room.connection.close();
    } catch {
      // already closed
    }
  }
}

/** Two players and a spectator in a started race; returns their rooms and guests (tokens). */
async function startRace(url: string, options: Record<string, unknown>) {
  const ada = await guestClient(url, 'ada');
  const bob = await guestClient(url, 'bob');
  const eve = await guestClient(url, 'eve');
  const a = await ada.client.create<RaceState>('race', { budget: BUDGET, countdownSeconds: 60, interventions: 2, ...options });
  const b = await bob.client.joinById<RaceState>(a.roomId, {});
  const e = await eve.client.joinById<RaceState>(a.roomId, { role: 'spectator' });
  a.send('spec', { spec: SPEC_TEMPLATES[0]!.spec });
  b.send('spec', { spec: SPEC_TEMPLATES[1]!.spec });
  await waitFor(() => [...(e.state.entries?.values() ?? [])].filter((x) => x.summary !== '').length === 2, 'both specs to be accepted');
  a.send('ready', { ready: true });
  b.send('ready', { ready: true });
  await waitFor(() => e.state.phase === 'training', 'the race to start', 60_000);
  return { ada, bob, eve, a, b, e, roomId: a.roomId };
}

/** Four players in a tournament (no break between rounds) whose two round-1 matches have trained a little. */
async function startTournament(url: string, options: { budget: number; seed?: number }) {
  const guests = await Promise.all(['ada', 'bob', 'cy', 'dee'].map((n) => guestClient(url, n)));
  // Paced, so the kill lands mid-round however fast the engine trains these nets.
  const host = await guests[0]!.client.create<TournamentState>('tournament', { title: 'Night cup', countdownSeconds: 60, breakSeconds: 0, paceSeconds: 15, ...options });
  const rooms = [host, ...(await Promise.all(guests.slice(1).map((g) => g.client.joinById<TournamentState>(host.roomId, {}))))];
  await waitFor(() => host.state.players?.size === 4, 'four players');
  rooms.forEach((r, i) => r.send('spec', { spec: SPEC_TEMPLATES[i]!.spec }));
  await waitFor(() => [...host.state.players.values()].every((p) => p.summary !== ''), 'every spec to be accepted');
  rooms.forEach((r) => r.send('ready', { ready: true }));
  const sides = () => [...(host.state.matches ?? [])].flatMap((m) => [...m.sides]);
  await waitFor(() => host.state.matches?.length === 2 && sides().every((x) => x.samples > 0) && sides().some((x) => x.samples > options.budget * 0.05), 'both round-1 matches to train a little', 180_000);
  await new Promise((r) => setTimeout(r, 1500)); // frame summaries reach the database
  return { guests, host, rooms, sides };
}

describe('a race survives a SIGKILLed server (embedded defaults)', () => {
  const folders: Array<ReturnType<typeof dataFolder>> = [];
  const servers: ServerProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const s = await startServerProcess(env);
    servers.push(s);
    return s;
  };
  beforeAll(async () => {
    await initBackend();
  });
  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => {});
    for (const f of folders) rmSync(f.dir, { recursive: true, force: true });
  });

  it('killed mid-race, restarted on the same folder: players and a spectator rejoin the same room and its history, and the race is stored once with the unbroken weights hashes', async () => {
    const folder = dataFolder();
    folders.push(folder);
    const first = await start({ ...folder.env, MATCH_RESUME_TIMEOUT_MS: '180000' });
    const { ada, eve, a, b, e, roomId } = await startRace(first.url, { paceSeconds: 16, seed: SEED });
    const adaEntry = () => [...a.state.entries.values()].find((x) => x.player === 'ada')!;
    await waitFor(() => adaEntry().samples > BUDGET * 0.1, 'ada to train a tenth of the budget', 120_000);
    const steered = nextMessage<{ step: number }>(a, 'steered', 60_000);
    a.send('control', { runId: adaEntry().runId, control: { type: 'setLearningRate', learningRate: 0.004 } });
    const controlStep = (await steered).step;
    await waitFor(() => adaEntry().samples > BUDGET * 0.35, 'the race to pass a third of its budget', 120_000);
    await new Promise((r) => setTimeout(r, 1500)); // a frame summary or two reach the database
    const before = { samples: adaEntry().samples, step: adaEntry().step, curve: adaEntry().curveSamples.length, runIds: [...e.state.entries.values()].map((x) => x.runId).sort() };
    expect(before.samples).toBeLessThan(BUDGET);
    expect(readdirSync(folder.runsDir).filter((f) => f.endsWith('.run'))).toHaveLength(2); // both runs saved as they train
    forget(a, b, e);
    await kill(first);

    const second = await start({ ...folder.env, MATCH_RESUME_TIMEOUT_MS: '180000' });
    // The same tokens (the secret is the test's), a new server: the room is back under its id.
    const [adaClient, eveClient] = [as(second.url, ada.token), as(second.url, eve.token)];
    const a2 = await adaClient.joinById<RaceState>(roomId, {});
    const e2 = await eveClient.joinById<RaceState>(roomId, { role: 'spectator' });
    await waitFor(() => e2.state.entries?.size === 2, 'the spectator to see both seats again');
    const adaAgain = () => [...a2.state.entries.values()].find((x) => x.player === 'ada')!;
    // History: the seats, their runs and the curve so far, and ada's interventions (one used).
    expect([...e2.state.entries.values()].map((x) => x.runId).sort()).toEqual(before.runIds);
    expect(adaAgain().curveSamples.length).toBeGreaterThan(1);
    expect(adaAgain().interventionsLeft).toBe(1);
    expect(e2.state.phase).toBe('training');
    // Resumed from a checkpoint of its own, the run holds none from before it: the earliest it offers to rewind to is after it.
    const every = a2.state.checkpointEvery;
    await waitFor(() => adaAgain().rewindFrom > 0, "ada's resumed run to show a frame", 120_000);
    expect(adaAgain().rewindFrom % every).toBe(0);
    expect(adaAgain().rewindFrom).toBeGreaterThan(before.step - 2 * every);
    const result = await nextMessage<RaceResultMessage>(a2, 'result', 240_000);
    expect(result.matchId).toBeTruthy();
    expect(result.seedReveal.seed).toBe(SEED);

    const match = await json<Match>(`${second.url}/api/matches/${result.matchId}`);
    expect(match).toMatchObject({ roomId, status: 'finished', seed: SEED });
    expect(match.entries.every((x) => x.status === 'finished' && x.samples === BUDGET && x.weightsHash)).toBe(true);

    // The same race without a break: each run's job with the log it ended with (the control at its step) gives the same weights.
    for (const entry of match.entries) {
      const run = await json<RunView>(`${second.url}/api/runs/${entry.runId}`);
      const controls = run.runFile.controls;
      if (entry.player === 'ada') expect(controls).toContainEqual({ step: controlStep, control: { type: 'setLearningRate', learningRate: 0.004 } });
      expect(run.runFile).toMatchObject({ spec: entry.spec, task: match.task, seed: SEED, budget: BUDGET });
      const unbroken = await runTraining(runFileJob(run.runFile, `${entry.runId}-unbroken`));
      expect(unbroken.weightsHash, `${entry.player}'s weights`).toBe(entry.weightsHash);
    }
    forget(a2, e2);
    await waitFor(() => readdirSync(folder.runsDir).filter((f) => f.endsWith('.run')).length === 0, 'the saved runs to be deleted', 10_000);
    await second.stop();

    // Exactly once: one match for the room, one run per entry, and nothing left to carry on.
    const database = await openDatabase({ dataDir: folder.env.DATA_DIR });
    try {
      expect(await database.db.selectFrom('matches').select('id').where('room_id', '=', roomId).execute()).toEqual([{ id: result.matchId }]);
      expect((await database.db.selectFrom('runs').select('id').where('match_id', '=', result.matchId!).execute()).length).toBe(2);
      expect(await database.db.selectFrom('live_matches').selectAll().execute()).toEqual([]);
    } finally {
      await database.close();
    }
  }, 600_000);

  it('a race whose runs do not come back within MATCH_RESUME_TIMEOUT_MS is stored as aborted with the reason, players see it, and no XP or rating moves', async () => {
    const folder = dataFolder();
    folders.push(folder);
    const first = await start(folder.env);
    // Rated (the server draws the seed): finished, it would move ratings and XP.
    const { ada, bob, a, b, e, roomId } = await startRace(first.url, { paceSeconds: 30 });
    expect(e.state.fairSeed.rated).toBe(true);
    await waitFor(() => [...a.state.entries.values()].every((x) => x.samples > BUDGET * 0.1), 'both runs to train a little', 120_000);
    await new Promise((r) => setTimeout(r, 1500));
    forget(a, b, e);
    await kill(first);

    const second = await start({ ...folder.env, MATCH_RESUME_TIMEOUT_MS: '100' }); // no thread is ready that fast
    const client = as(second.url, ada.token);
    const a2 = await client.joinById<RaceState>(roomId, {});
    await waitFor(() => a2.state.abortReason, 'the race to be called off', 60_000);
    expect(a2.state.abortReason).toMatch(/did not come back within/);
    expect(a2.state.phase).toBe('finished');
    const match = await json<Match>(`${second.url}/api/matches/${a2.state.matchId}`);
    expect(match).toMatchObject({ roomId, status: 'aborted', abortReason: a2.state.abortReason });
    expect(match.entries.map((x) => x.rank)).toEqual([null, null]);
    for (const g of [ada, bob]) {
      const profile = await json<{ xp: number; ratings?: unknown[] }>(`${second.url}/api/players/${g.playerId}`);
      expect(profile.xp, 'no XP for an aborted match').toBe(0);
    }
    forget(a2);
    await second.stop();
    const database = await openDatabase({ dataDir: folder.env.DATA_DIR });
    try {
      expect(await database.db.selectFrom('rating_history').selectAll().where('match_id', '=', match.id).execute()).toEqual([]);
      expect(await database.db.selectFrom('xp_events').selectAll().where('player_id', 'in', [ada.playerId, bob.playerId]).execute()).toEqual([]);
      expect(await database.db.selectFrom('live_matches').selectAll().execute()).toEqual([]);
    } finally {
      await database.close();
    }
  }, 600_000);

  it('a tournament killed mid-round 1 comes back under its room id: players rejoin their seats and see the bracket, the round is carried on, and every match is stored once with the unbroken weights hashes, to its champion', async () => {
    const folder = dataFolder();
    folders.push(folder);
    const env = { ...folder.env, MATCH_RESUME_TIMEOUT_MS: '180000' };
    const first = await start(env);
    const budget = TOURNAMENT_BUDGET;
    const { guests, host, rooms, sides } = await startTournament(first.url, { budget, seed: SEED });
    expect(host.state.matches.every((m) => m.status === 'racing')).toBe(true);
    expect(sides().filter((x) => x.samples < budget).length).toBeGreaterThanOrEqual(2); // runs still training when the server dies
    const { tournamentId, roomId } = { tournamentId: host.state.tournamentId, roomId: host.roomId };
    const seats = new Map([...host.state.players.values()].map((p) => [p.player, p.seat]));
    forget(...rooms);
    await kill(first);

    const second = await start(env);
    // Every player back in their seat under the same room id, by joinById with the token from before.
    const again = await Promise.all(guests.map((g) => as(second.url, g.token).joinById<TournamentState>(roomId, {})));
    const watcher = again[0]!;
    await waitFor(() => watcher.state.players?.size === 4 && [...watcher.state.players.values()].every((p) => p.connected), 'every player to be back in their seat');
    expect(new Map([...watcher.state.players.values()].map((p) => [p.player, p.seat]))).toEqual(seats);
    expect(watcher.state.tournamentId).toBe(tournamentId);
    expect([...watcher.state.matches].filter((m) => m.round === 1)).toHaveLength(2); // the bracket: round 1 under way
    const result = await nextMessage<TournamentResultMessage>(watcher, 'result', 480_000);
    expect(result).toMatchObject({ tournamentId, stored: true, rated: false });
    expect(result.matchIds).toHaveLength(3);
    expect(watcher.state.champion).toBe(result.champion.player);

    // Each match as stored ends with the weights of the same job trained without a break.
    for (const id of result.matchIds) {
      const match = await json<Match>(`${second.url}/api/matches/${id}`);
      expect(match).toMatchObject({ roomId, status: 'finished' });
      for (const entry of match.entries) {
        expect(entry).toMatchObject({ status: 'finished', samples: budget });
        const run = await json<RunView>(`${second.url}/api/runs/${entry.runId}`);
        expect(run.runFile).toMatchObject({ spec: entry.spec, task: match.task, seed: match.seed, budget });
        const unbroken = await runTraining(runFileJob(run.runFile, `${entry.runId}-unbroken`));
        expect(unbroken.weightsHash, `${entry.player}'s weights in match ${id}`).toBe(entry.weightsHash);
      }
    }
    forget(...again);
    await second.stop();

    // Exactly once: three matches for the tournament, the champion stored, nothing left to carry on.
    const database = await openDatabase({ dataDir: folder.env.DATA_DIR });
    try {
      const stored = await database.db.selectFrom('matches').select(['id', 'round', 'status']).where('tournament_id', '=', tournamentId).orderBy('round').execute();
      expect(stored.map((m) => m.id).sort()).toEqual([...result.matchIds].sort());
      expect(stored.map((m) => [m.round, m.status])).toEqual([[1, 'finished'], [1, 'finished'], [2, 'finished']]);
      const row = await database.db.selectFrom('tournaments').select(['status', 'champion_id']).where('id', '=', tournamentId).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'finished', champion_id: result.champion.playerId });
      expect(await database.db.selectFrom('live_matches').selectAll().execute()).toEqual([]);
    } finally {
      await database.close();
    }
  }, 900_000);

  it('a tournament whose round does not come back within MATCH_RESUME_TIMEOUT_MS: its matches are stored as aborted with the reason, the tournament is closed as aborted, and no XP or rating moves', async () => {
    const folder = dataFolder();
    folders.push(folder);
    const first = await start(folder.env);
    const { guests, host, rooms } = await startTournament(first.url, { budget: 2_000_000 }); // rated: finished, it would move ratings and XP
    expect(host.state.matches.every((m) => m.status === 'racing')).toBe(true);
    const { tournamentId, roomId } = { tournamentId: host.state.tournamentId, roomId: host.roomId };
    forget(...rooms);
    await kill(first);

    const second = await start({ ...folder.env, MATCH_RESUME_TIMEOUT_MS: '100' }); // no thread is ready that fast
    const back = await as(second.url, guests[0]!.token).joinById<TournamentState>(roomId, {});
    await waitFor(() => back.state.phase === 'finished', 'the tournament to be called off', 60_000);
    expect(back.state.champion).toBe('');
    forget(back);
    await second.stop();
    const database = await openDatabase({ dataDir: folder.env.DATA_DIR });
    try {
      const stored = await database.db.selectFrom('matches').select(['status', 'abort_reason', 'round']).where('tournament_id', '=', tournamentId).execute();
      expect(stored).toHaveLength(2);
      for (const m of stored) expect(m).toMatchObject({ status: 'aborted', round: 1, abort_reason: expect.stringMatching(/did not come back within/) });
      expect(await database.db.selectFrom('tournaments').select(['status', 'champion_id']).where('id', '=', tournamentId).executeTakeFirstOrThrow()).toEqual({ status: 'aborted', champion_id: null });
      const ids = guests.map((g) => g.playerId);
      expect(await database.db.selectFrom('xp_events').selectAll().where('player_id', 'in', ids).execute()).toEqual([]);
      expect(await database.db.selectFrom('rating_history').selectAll().where('player_id', 'in', ids).execute()).toEqual([]);
      expect(await database.db.selectFrom('live_matches').selectAll().execute()).toEqual([]);
    } finally {
      await database.close();
    }
  }, 600_000);
});
