/**
 * `npm run bench -- fanout [--json] [--quick]`: one live 8-entry race watched
 * by many spectators, each an @colyseus/sdk client, in separate processes.
 *
 * Measured in one run, against a baseline of the same race with nobody watching:
 * - serverCpuCores: CPU of the server's main thread (rooms, patches, sockets;
 *   training runs in other threads) over the race, in cores; and per hundred
 *   spectators above the baseline.
 * - bytesPerSecPerSpectator: what one spectator receives while the race runs.
 * - p50Ms / p99Ms: from a telemetry frame's creation in the training thread to
 *   the spectator's state showing it (patches go out every 50 ms), over
 *   the frames seen by a sample of spectators.
 * `--quick`: 100 spectators and a shorter race, to see it work.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client, type Room } from '@colyseus/sdk';
import { startArena, type Arena } from '../server/app.ts';
import { readConfig } from '../server/config.ts';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';

const SPECTATORS_SCRIPT = fileURLToPath(new URL('./fanout.spectators.ts', import.meta.url));
const ENTRIES = 8;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : NaN;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

interface SpectatorReport {
  spectators: number;
  seconds: number;
  bytesPerSecPerSpectator: number;
  seen: Array<[string, number, number]>;
}

/** Starts a process of `count` spectators; resolves once they have all joined, with a promise of their report. */
async function spectatorProcess(url: string, roomId: string, count: number, sampled: number): Promise<{ report: Promise<SpectatorReport> }> {
  const child = spawn(process.execPath, [SPECTATORS_SCRIPT, url, roomId, String(count), String(sampled)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let resolveReady!: () => void;
  let rejectAll!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => ((resolveReady = res), (rejectAll = rej)));
  const report = new Promise<SpectatorReport>((resolve, reject) => {
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: boolean; done?: boolean } & SpectatorReport;
      if (msg.ready) resolveReady();
      if (msg.done) resolve(msg);
    });
    child.on('exit', (code) => {
      const err = new Error(`a spectator process exited with ${code}`);
      rejectAll(err);
      reject(err);
    });
  });
  report.catch(() => {});
  await ready;
  return { report };
}

/** Eight guest players enter one network each; the race waits for their ready. */
async function setUpRace(url: string, paceSeconds: number, budget: number): Promise<{ roomId: string; players: Room<any, RaceState>[] }> {
  const players: Room<any, RaceState>[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const res = await fetch(`${url}/api/guests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `bench-${i}` }) });
    const client = new Client(url);
    client.auth.token = ((await res.json()) as { token: string }).token;
    const room = i === 0
      ? await client.create<RaceState>('race', { budget, paceSeconds, countdownSeconds: 300, minPlayers: ENTRIES, maxPlayers: ENTRIES, seed: 7 })
      : await client.joinById<RaceState>(players[0]!.roomId, {});
    room.onMessage('*', () => {});
    room.send('spec', { spec: SPEC_TEMPLATES[i % SPEC_TEMPLATES.length]!.spec });
    players.push(room);
  }
  return { roomId: players[0]!.roomId, players };
}

/** Starts the race, lets the players go (their runs go on) and measures the server's main thread until it ends. */
async function runRace(arena: Arena, players: Room<any, RaceState>[]): Promise<{ cpuCores: number; seconds: number }> {
  const host = players[0]!;
  await waitUntil(() => [...host.state.entries.values()].every((e) => e.summary), 'every spec accepted');
  const started = performance.now();
  const cpu0 = process.threadCpuUsage();
  for (const p of players) p.send('ready', { ready: true });
  await waitUntil(() => host.state.phase === 'training', 'the start');
  await Promise.all(players.slice(1).map((p) => p.leave()));
  await waitUntil(() => host.state.phase === 'finished', 'the finish', 600_000);
  const cpu = process.threadCpuUsage(cpu0);
  const seconds = (performance.now() - started) / 1000;
  await host.leave();
  void arena;
  return { cpuCores: (cpu.user + cpu.system) / 1e6 / seconds, seconds };
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`fanout bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function fanoutBench(json: boolean, quick = process.argv.includes('--quick')): Promise<void> {
  const spectators = quick ? 100 : Number(process.env.FANOUT_SPECTATORS ?? 1000);
  const processes = quick ? 2 : 4;
  const paceSeconds = quick ? 8 : 20;
  const budget = 20_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-fanout-'));
  const arena = await startArena(readConfig({ PORT: '0', DATA_DIR: dir, SECRET_FILE: path.join(dir, 'secret'), CLIENT_DIR: dir, LOG_LEVEL: 'warn' }));
  const url = `http://127.0.0.1:${arena.port}`;
  // Note each frame's creation time as the room gets it, to match against what spectators see.
  const created = new Map<string, number>();
  const inner = arena.services.trainer;
  const submit: typeof inner.submit = (job, listener) =>
    inner.submit(job, { ...listener, onFrame: (f) => (created.set(`${f.runId}:${f.samples}`, f.createdAt), listener.onFrame(f)) });
  arena.services.trainer = new Proxy(inner, {
    get: (target, key) => (key === 'submit' ? submit : (Reflect.get(target, key) as unknown)),
  });
  try {
    const log = (s: string) => !json && console.log(s);
    log(`fanout: ${ENTRIES} entries, budget ${budget} paced over ${paceSeconds}s; ${spectators} spectators in ${processes} processes; ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}`);

    const baseRace = await setUpRace(url, paceSeconds, budget);
    const baseline = await runRace(arena, baseRace.players);
    log(`  baseline, nobody watching: server main thread ${baseline.cpuCores.toFixed(3)} cores over ${baseline.seconds.toFixed(1)}s`);

    const race = await setUpRace(url, paceSeconds, budget);
    const per = Math.ceil(spectators / processes);
    const crowd = await Promise.all(Array.from({ length: processes }, (_, i) => spectatorProcess(url, race.roomId, Math.min(per, spectators - i * per), 10)));
    log(`  ${spectators} spectators joined`);
    const loaded = await runRace(arena, race.players);
    const reports = await Promise.all(crowd.map((c) => c.report));
    const latencies: number[] = [];
    for (const r of reports) for (const [runId, samples, at] of r.seen) {
      const t = created.get(`${runId}:${samples}`);
      if (t !== undefined) latencies.push(at - t);
    }
    const bytes = reports.reduce((a, r) => a + r.bytesPerSecPerSpectator * r.spectators, 0) / spectators;
    const result = {
      spectators,
      entries: ENTRIES,
      serverCpuCores: round(loaded.cpuCores, 3),
      baselineCpuCores: round(baseline.cpuCores, 3),
      cpuCoresPer100Spectators: round(((loaded.cpuCores - baseline.cpuCores) / spectators) * 100, 4),
      cpuVsBaseline: round(loaded.cpuCores / baseline.cpuCores, 2),
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      latencySamples: latencies.length,
      bytesPerSecPerSpectator: Math.round(bytes),
      raceSeconds: round(loaded.seconds, 1),
    };
    log(`  watched: server main thread ${result.serverCpuCores} cores (${result.cpuVsBaseline}x the baseline; ${result.cpuCoresPer100Spectators} cores per 100 spectators)`);
    log(`  frame -> spectator state: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms over ${latencies.length} frames seen`);
    log(`  ${result.bytesPerSecPerSpectator} bytes/s per spectator`);
    console.log(JSON.stringify(result));
  } finally {
    await arena.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
