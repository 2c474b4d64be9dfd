/**
 * `npm run bench -- capacity [--json] [--quick] [--races N] [--distributed] [--cpu-prof DIR]`: how many
 * concurrent races one server hosts.
 *
 * A trial of N: a fresh server process (bench/capacity.server.ts: the real arena, embedded PGlite and
 * training threads, as `npm start` runs it), N 4-entry races (budget 20,000 samples, paced over
 * 60 s, the CLI's spec templates on the spirals) with one spectator each, played by bot processes
 * (bench/capacity.bots.ts; up to 25 races, 125 SDK clients, per process, at nice 10 as stand-ins
 * for players on other machines). The races are seated first, then started over a few seconds.
 * A trial passes when every race ends (its spectator sees `finished`) within its pace plus 10%
 * and the p99 from a telemetry frame's creation (its `createdAt`, stamped by the training thread
 * on the server's wall clock) to a spectator's state showing it stays under 150 ms (frames that a
 * newer one overtook before the next patch never show and are not counted).
 *
 * Without --races the largest passing N is searched: doubling from 16, then bisecting to within
 * 10%. Each trial reports the server's CPU (process.cpuUsage of the whole process, over the races),
 * its main thread's event-loop delay, the frame latency split at the room's listener, and the bots'
 * CPU. `--cpu-prof DIR` runs the server under --cpu-prof (every thread writes a profile to DIR).
 *
 * `--distributed [--servers K]`: two (K) server processes and two BullMQ worker processes on one Redis (a private
 * redis-server on a free port: Colyseus keeps its registry under fixed key names) and one Postgres
 * (a database of its own, dropped afterwards), races created on both servers in turn; each trial
 * also reports what crossed Redis per race (commands by name, bytes in and out) and the workers' CPU.
 */
import { fork, type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort } from '../test/support/server-process.ts';
import { startPrivateRedis, type PrivateRedis } from '../test/support/redis-server.ts';
import { createTestDatabase } from '../test/support/services.ts';
import { startWorkerProcess, type WorkerProcess } from '../test/support/worker-process.ts';
import { ENTRIES, type BotsConfig, type RaceSeen, type ServerReport } from './capacity.wire.ts';

const SERVER_SCRIPT = fileURLToPath(new URL('./capacity.server.ts', import.meta.url));
const BOTS_SCRIPT = fileURLToPath(new URL('./capacity.bots.ts', import.meta.url));
const RACES_PER_BOT_PROCESS = 25;
const P99_BOUND_MS = 150;
const PACE_SLACK = 1.1;
/** A secret both servers of a distributed trial sign guest tokens with (a bench secret, nothing real). */
const BENCH_SECRET = 'capacity-bench-secret-not-for-production-0123456789';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : NaN;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

interface Options {
  budget: number;
  paceSeconds: number;
  distributed: boolean;
  /** Server processes of a distributed trial (default 2). */
  servers: number;
  cpuProfDir?: string;
  /** Seconds over which the races' starts are spread. */
  spreadSeconds: number;
}

/** A server process of the benchmark, and its IPC. */
interface BenchServer {
  url: string;
  child: ChildProcess;
  request<T>(type: string, answer: string): Promise<T>;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>, cpuProfDir?: string): Promise<BenchServer> {
  const port = await freePort();
  const execArgv = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const child = fork(SERVER_SCRIPT, [], {
    env: { ...process.env, PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, LOG_LEVEL: 'warn', RATE_LIMIT_GUESTS: 'off', RATE_LIMIT_API_READS: 'off', ...env },
    execArgv: [...process.execArgv, ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request = <T>(type: string, answer: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: { type: string } & Record<string, unknown>) => {
        if (m.type !== answer) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`the server process exited with ${code} before answering ${type}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (type) child.send({ type });
    });
  await request('', 'listening');
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    request,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A bot process: resolves once its races are seated, with `go` to start them and the promise of its report. */
async function startBots(config: BotsConfig): Promise<{ go: (spreadMs: number) => void; done: Promise<{ cpuCores: number; races: RaceSeen[] }>; kill: () => void }> {
  const nice = process.platform === 'linux' ? ['nice', '-n', '10'] : [];
  const [cmd, ...args] = [...nice, process.execPath, BOTS_SCRIPT, JSON.stringify(config)];
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const lines = createInterface({ input: child.stdout! });
  let ready!: () => void;
  let failed!: (e: Error) => void;
  const seated = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  const done = new Promise<{ cpuCores: number; races: RaceSeen[] }>((resolve, reject) => {
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      let msg: { ready?: boolean; done?: boolean; cpuCores: number; races: RaceSeen[] };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch (err) {
        return reject(new Error(`bot process ${config.index} printed a line that is not JSON (${line.length} characters): ${(err as Error).message}`));
      }
      if (msg.ready) ready();
      if (msg.done) resolve(msg);
    });
    child.on('exit', (code) => {
      const err = new Error(`bot process ${config.index} exited with ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
      failed(err);
      reject(err);
    });
  });
  done.catch(() => {});
  await seated;
  return { go: (spreadMs) => child.stdin!.write(`go ${spreadMs}\n`), done, kill: () => child.kill('SIGKILL') };
}

/** CPU seconds a process (all its threads) has used so far, from /proc (Linux). */
function procCpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return NaN;
  }
}

/** Redis's command counts and network bytes, for deltas over a trial (INFO on the trial's own redis-server). */
async function redisCounters(redis: Redis): Promise<{ commands: Map<string, number>; inBytes: number; outBytes: number }> {
  const stats = await redis.info('commandstats');
  const commands = new Map<string, number>();
  for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) commands.set(m[1]!, Number(m[2]));
  const net = await redis.info('stats');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(net)?.[1] ?? NaN);
  return { commands, inBytes: field('total_net_input_bytes'), outBytes: field('total_net_output_bytes') };
}

export interface TrialResult {
  races: number;
  players: number;
  spectators: number;
  onPaceFraction: number;
  p99Ms: number;
  serverCpuCores: number;
  passed: boolean;
  p50Ms: number;
  /** Frame made → the room's listener (training thread or worker to the server's main thread). */
  toRoomP99Ms: number;
  latencySamples: number;
  slowestRaceSeconds: number;
  mainThreadCpuCores: number;
  eventLoopP99Ms: number;
  /**
   * Main-thread stalls over 100 ms: how many, their total, the main thread's CPU within them (busy) and its time
   * runnable but waiting for a core (the machine's other work; Linux), and the five longest as
   * [s since the go, ms, ms of main-thread CPU within, ms waiting for a core within].
   */
  stalls: { count: number; totalMs: number; cpuMs: number; waitMs: number; longest: Array<[number, number, number, number]> };
  eventLoopMaxMs: number;
  botCpuCores: number;
  serverRssMb: number;
  loadAvg1m: number;
  /** Distributed trials: the worker processes' CPU, and what crossed Redis per race. */
  workerCpuCores?: number;
  redisPerRace?: { commands: number; inBytes: number; outBytes: number; top: Record<string, number> };
  failures?: string[];
}

async function trial(n: number, options: Options, log: (s: string) => void): Promise<TrialResult> {
  const dirs: string[] = [];
  const servers: BenchServer[] = [];
  const workers: WorkerProcess[] = [];
  const bots: Awaited<ReturnType<typeof startBots>>[] = [];
  let redis: PrivateRedis | undefined;
  let redisClient: Redis | undefined;
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  const dir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'arena-capacity-'));
    dirs.push(d);
    return d;
  };
  try {
    if (options.distributed) {
      redis = await startPrivateRedis({ persistent: false });
      redisClient = new Redis(redis.url);
      database = await createTestDatabase();
      const queue = `arena-capacity-${process.pid}`;
      // A paced run holds its worker slot (a sandboxed thread) for the whole race: each worker gets a slot for each of its half of the runs.
      const concurrency = String(Math.min(256, Math.ceil((n * ENTRIES) / 2)));
      for (let i = 0; i < 2; i++) workers.push(startWorkerProcess(redis.url, queue, { LOG_LEVEL: 'warn', WORKER_CONCURRENCY: concurrency }));
      for (let i = 0; i < options.servers; i++) {
        const d = dir();
        servers.push(await startServer({ DATABASE_URL: database.url, REDIS_URL: redis.url, ARENA_QUEUE: queue, ARENA_SECRET: BENCH_SECRET, DATA_DIR: d, CLIENT_DIR: d }, options.cpuProfDir));
      }
    } else {
      const d = dir();
      servers.push(await startServer({ DATA_DIR: d, SECRET_FILE: path.join(d, 'secret'), CLIENT_DIR: d }, options.cpuProfDir));
    }
    const processes = Math.ceil(n / RACES_PER_BOT_PROCESS);
    const timeoutSeconds = Math.max(options.paceSeconds * 3, 120);
    const seatStart = performance.now();
    for (let i = 0; i < processes; i++) {
      const races = Math.min(RACES_PER_BOT_PROCESS, n - i * RACES_PER_BOT_PROCESS);
      bots.push(await startBots({ servers: servers.map((s) => s.url), races, index: i, budget: options.budget, paceSeconds: options.paceSeconds, timeoutSeconds }));
    }
    log(`  ${n} races seated (${n * ENTRIES} players, ${n} spectators, ${processes} bot processes) in ${((performance.now() - seatStart) / 1000).toFixed(0)} s`);

    for (const s of servers) await s.request('mark', 'marked');
    const workerCpu0 = workers.map((w) => procCpuSeconds(w.child.pid));
    const redis0 = redisClient ? await redisCounters(redisClient) : undefined;
    const t0 = performance.now();
    for (const b of bots) b.go(options.spreadSeconds * 1000);
    const reports = await Promise.all(bots.map((b) => b.done));
    const seconds = (performance.now() - t0) / 1000;
    const serverReports = await Promise.all(servers.map((s) => s.request<{ report: ServerReport }>('report', 'report').then((m) => m.report)));
    const workerCpu = workers.map((w, i) => procCpuSeconds(w.child.pid) - workerCpu0[i]!);
    const redis1 = redisClient ? await redisCounters(redisClient) : undefined;

    const races = reports.flatMap((r) => r.races);
    const durations = races.map((r) => (r.trainingAt && r.finishedAt ? (r.finishedAt - r.trainingAt) / 1000 : Infinity));
    const onPace = durations.filter((d) => d <= options.paceSeconds * PACE_SLACK).length;
    const created = new Map<string, [number, number]>();
    for (const rep of serverReports) for (const [runId, samples, at, arrived] of rep.frames) created.set(`${runId}:${samples}`, [at, arrived]);
    const latencies: number[] = [];
    const toRoom: number[] = [];
    for (const r of races) for (const [runId, samples, at] of r.seen) {
      const c = created.get(`${runId}:${samples}`);
      if (c) latencies.push(at - c[0]);
    }
    for (const rep of serverReports) for (const [, , at, arrived] of rep.frames) toRoom.push(arrived - at);
    const p99 = percentile(latencies, 99);
    const serverCpuCores = serverReports.reduce((a, r) => a + r.cpuSeconds / r.seconds, 0);
    const result: TrialResult = {
      races: n,
      players: n * ENTRIES,
      spectators: n,
      onPaceFraction: round(onPace / n, 3),
      p99Ms: round(p99, 1),
      serverCpuCores: round(serverCpuCores, 2),
      passed: onPace === n && p99 <= P99_BOUND_MS,
      p50Ms: round(percentile(latencies, 50), 1),
      toRoomP99Ms: round(percentile(toRoom, 99), 1),
      latencySamples: latencies.length,
      slowestRaceSeconds: round(Math.max(...durations), 1),
      mainThreadCpuCores: round(serverReports.reduce((a, r) => a + r.mainThreadCpuSeconds / r.seconds, 0), 2),
      eventLoopP99Ms: Math.max(...serverReports.map((r) => r.eventLoop.p99)),
      stalls: (() => {
        const all = serverReports.flatMap((r) => r.stalls);
        return {
          count: all.length,
          totalMs: all.reduce((a, s) => a + s[1], 0),
          cpuMs: all.reduce((a, s) => a + s[2], 0),
          waitMs: all.reduce((a, s) => a + Math.max(0, s[3]), 0),
          longest: [...all].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([at, ms, cpu, wait]) => [round(at / 1000, 1), ms, cpu, wait] as [number, number, number, number]),
        };
      })(),
      eventLoopMaxMs: Math.max(...serverReports.map((r) => r.eventLoop.max)),
      botCpuCores: round(reports.reduce((a, r) => a + r.cpuCores, 0), 2),
      serverRssMb: Math.max(...serverReports.map((r) => r.rssMb)),
      loadAvg1m: round(loadavg()[0]!, 2),
    };
    const failures = races.filter((r) => r.error).map((r) => `${r.roomId}: ${r.error}`);
    if (failures.length) result.failures = failures.slice(0, 5);
    if (workers.length) result.workerCpuCores = round(workerCpu.reduce((a, b) => a + b, 0) / seconds, 2);
    if (redis0 && redis1) {
      const perRace = new Map<string, number>();
      for (const [name, calls] of redis1.commands) {
        const d = calls - (redis0.commands.get(name) ?? 0);
        if (d > 0) perRace.set(name, d / n);
      }
      const top = Object.fromEntries([...perRace].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, Math.round(v)]));
      result.redisPerRace = {
        commands: Math.round([...perRace.values()].reduce((a, b) => a + b, 0)),
        inBytes: Math.round((redis1.inBytes - redis0.inBytes) / n),
        outBytes: Math.round((redis1.outBytes - redis0.outBytes) / n),
        top,
      };
    }
    log(
      `  N=${n}: ${onPace}/${n} on pace (slowest ${result.slowestRaceSeconds} s), frame→spectator p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms (frame→room p99 ${result.toRoomP99Ms} ms, ${latencies.length} frames), ` +
        `server ${result.serverCpuCores} cores (main thread ${result.mainThreadCpuCores}), event loop p99 ${result.eventLoopP99Ms} ms max ${result.eventLoopMaxMs} ms, bots ${result.botCpuCores} cores` +
        (result.workerCpuCores !== undefined ? `, workers ${result.workerCpuCores} cores` : '') +
        ` → ${result.passed ? 'pass' : 'FAIL'}`,
    );
    log(`    main-thread stalls over 100 ms: ${result.stalls.count}, ${result.stalls.totalMs} ms in all, ${result.stalls.cpuMs} ms of main-thread CPU and ${result.stalls.waitMs} ms waiting for a core within them; longest [s, ms, CPU ms, wait ms]: ${JSON.stringify(result.stalls.longest)}`);
    if (result.redisPerRace) log(`    Redis per race: ${result.redisPerRace.commands} commands, ${result.redisPerRace.inBytes} B in, ${result.redisPerRace.outBytes} B out; ${JSON.stringify(result.redisPerRace.top)}`);
    if (failures.length) log(`    ${failures.length} races did not finish: ${failures.slice(0, 3).join('; ')}`);
    return result;
  } finally {
    for (const b of bots) b.kill();
    await Promise.allSettled(servers.map((s) => s.stop()));
    await Promise.allSettled(workers.map((w) => w.kill('SIGTERM')));
    redisClient?.disconnect();
    await redis?.dispose();
    await database?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export async function capacityBench(json: boolean): Promise<void> {
  const quick = process.argv.includes('--quick');
  const log = (s: string) => !json && console.log(s);
  const options: Options = {
    budget: 20_000,
    paceSeconds: Number(flag('--pace') ?? (quick ? 20 : 60)),
    distributed: process.argv.includes('--distributed'),
    servers: Number(flag('--servers') ?? 2),
    cpuProfDir: flag('--cpu-prof'),
    spreadSeconds: Number(flag('--spread') ?? 5),
  };
  const fixed = flag('--races');
  log(`capacity: 4-entry races, budget ${options.budget} paced over ${options.paceSeconds} s, one spectator each; ${options.distributed ? `${options.servers} server(s) + 2 worker processes on Redis and Postgres` : 'one embedded server'}; ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}`);
  const trials: TrialResult[] = [];
  const run = async (n: number) => {
    const r = await trial(n, options, log);
    trials.push(r);
    return r;
  };
  let best: TrialResult | undefined;
  if (fixed) {
    const r = await run(Number(fixed));
    if (r.passed) best = r;
  }
  else {
    // Double until a trial fails, then bisect between the last pass and the first failure to within 10%.
    let lo = 0;
    let hi = 0;
    let n = Number(flag('--from') ?? (quick ? 4 : 16));
    const max = Number(flag('--max') ?? 512);
    for (;;) {
      const r = await run(n);
      if (r.passed) {
        best = r;
        lo = n;
        if (n >= max) break;
        n = Math.min(max, n * 2);
      } else {
        hi = n;
        break;
      }
    }
    while (hi && hi - lo > Math.max(1, lo * 0.1)) {
      const mid = Math.round((lo + hi) / 2);
      const r = await run(mid);
      if (r.passed) ((best = r), (lo = mid));
      else hi = mid;
    }
  }
  const top = best ?? trials[trials.length - 1]!;
  const { races, players, spectators, onPaceFraction, p99Ms, serverCpuCores, ...rest } = top;
  log(best ? `largest N meeting both criteria: ${best.races} races (${best.players} players, ${best.spectators} spectators)` : 'no N met both criteria');
  console.log(JSON.stringify({ races: best ? races : 0, players: best ? players : 0, spectators: best ? spectators : 0, onPaceFraction, p99Ms, serverCpuCores, ...rest, paceSeconds: options.paceSeconds, distributed: options.distributed, trials }));
}
