/**
 * SIGTERM and SIGINT sent to what the README's commands start (`npm start`, `npm run worker`: the npm
 * process) reach node and run its graceful shutdown within SHUTDOWN_TIMEOUT_MS, leaving nothing
 * running. npm forwards both signals to its child; the script lines `exec` node so that child is node
 * itself and not the `sh -c` that would die of the signal and orphan node.
 *
 * Everything runs on a private redis-server: the worker's heartbeat (`arena:worker:*`) and the fake
 * one below would otherwise show in the /health of other test files' servers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@colyseus/sdk';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_DEGRADED } from '../contract/worker-heartbeat.schema.ts';
import { TEST_SECRET, waitFor } from './support/arena.ts';
import { freePort, startPrivateRedis, type PrivateRedis } from './support/redis-server.ts';
import { REQUIRE_SERVICES } from './support/services.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEALTHCHECK = path.join(ROOT, 'scripts', 'healthcheck.cjs');
/** The bound the test sets; the process must be gone within it plus a margin for a busy machine. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
const MARGIN_MS = 5_000;

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer && REQUIRE_SERVICES) throw new Error('REQUIRE_SERVICES=1 but redis-server is not on PATH');

interface Npm {
  child: ChildProcess;
  output(): string;
  /** Resolves with npm's exit code once it has exited. */
  exited: Promise<number | null>;
}

/** Runs `npm <args>` in the repository as a user would, with the test's environment and nothing inherited that points elsewhere. */
function npm(args: string[], env: Record<string, string>): Npm {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !['REDIS_URL', 'DATABASE_URL', 'ARENA_QUEUE', 'TF_BACKEND', 'CLIENT_DIR', 'PORT'].includes(k) && !k.startsWith('npm_')),
  );
  const child = spawn('npm', args, { cwd: ROOT, env: { ...inherited, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** A process's parent pid and state, from /proc; undefined once it is gone. */
function procStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), state: state! };
  } catch {
    return undefined;
  }
}

/** Running (not zombie) processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      const s = procStat(p);
      return s?.ppid === pid && s.state !== 'Z';
    });
}

/** `pid` and everything under it, deepest first. */
function tree(pid: number): number[] {
  return [...childrenOf(pid).flatMap(tree), pid];
}

/** Kills npm and whatever it started, by pid (a failed test must not leave a server running). */
function killTree(run: Npm): void {
  for (const pid of tree(run.child.pid!)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const alive = (pid: number) => {
  const s = procStat(pid);
  return s !== undefined && s.state !== 'Z';
};
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');

/** The one process npm started for the script: node itself, running `entry` (not a shell around it). */
function nodeUnder(npmPid: number, entry: string): number {
  const kids = childrenOf(npmPid);
  expect(kids, 'npm runs exactly one process for the script').toHaveLength(1);
  const pid = kids[0]!;
  expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('node');
  expect(cmdline(pid)).toContain(entry);
  return pid;
}

/** Sends `signal` to npm, then waits for node and npm to be gone; returns how long node took. */
async function signalAndWait(run: Npm, nodePid: number, signal: NodeJS.Signals): Promise<number> {
  const sent = Date.now();
  run.child.kill(signal);
  await waitFor(() => !alive(nodePid), `node (pid ${nodePid}) to exit after ${signal} to npm:\n${run.output()}`, SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
  const took = Date.now() - sent;
  await run.exited;
  expect(alive(nodePid)).toBe(false);
  return took;
}

/** The pino lines (`msg`) a process printed, in order. */
const messages = (out: string): string[] =>
  out.split('\n').flatMap((line) => {
    try {
      return [String(JSON.parse(line).msg)];
    } catch {
      return [];
    }
  });

describe.skipIf(!hasRedisServer)('signals reach node through npm', () => {
  let redis: PrivateRedis;
  let client: Redis;
  const dirs: string[] = [];
  const tempDir = (name: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), `arena-signals-${name}-`));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    redis = await startPrivateRedis({ persistent: false });
    client = new Redis(redis.url);
  });

  afterAll(async () => {
    client?.disconnect();
    await redis?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s to `npm start`: rooms are told (4001), the server shuts down within the bound, nothing is left running', async (signal) => {
    const port = await freePort();
    const dir = tempDir('server');
    // CLIENT_DIR elsewhere than dist/client: the server serves that folder as it is and npm start builds nothing.
    const run = npm(['start'], { PORT: String(port), DATA_DIR: path.join(dir, 'pglite'), SECRET_FILE: path.join(dir, 'secret'), CLIENT_DIR: dir, ARENA_SECRET: TEST_SECRET, REDIS_URL: redis.url, ARENA_QUEUE: `arena-signals-${randomUUID()}` });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(() => fetch(`${url}/health`).then((r) => r.ok, () => false), `/health of npm start:\n${run.output()}`, 90_000);
      const nodePid = nodeUnder(run.child.pid!, 'scripts/start.ts');
      expect(spawnSync(process.execPath, [HEALTHCHECK, `${url}/health`]).status, 'the compose healthcheck passes').toBe(0);

      if (signal === 'SIGTERM') {
        // A worker that reports a problem with its backend makes /health degraded, and says which.
        const key = `arena:worker:signals-test-${randomUUID()}`;
        await client.set(key, JSON.stringify({ backend: 'tfjs-node-gpu', wanted: 'tfjs-node-gpu', problem: 'no GPU here', concurrency: 1, pid: 1 }), 'EX', 60);
        const degraded = await fetch(`${url}/health`).then((r) => r.json());
        expect(degraded).toMatchObject({ status: 'degraded', trainer: 'bullmq', tfBackend: `${BACKEND_DEGRADED}tfjs-node-gpu (no GPU here)` });
        await client.del(key);
        expect(await fetch(`${url}/health`).then((r) => r.json())).toMatchObject({ status: 'ok', tfBackend: 'none (no worker running)' });
      }

      const lobby = await new Client(url).joinOrCreate('lobby', {});
      for (const type of ['rooms', '+', '-']) lobby.onMessage(type, () => {});
      const leftWith = new Promise<number>((resolve) => lobby.onLeave((code) => resolve(code)));

      const took = await signalAndWait(run, nodePid, signal);
      expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
      expect(await leftWith, 'the room closed with Colyseus SERVER_SHUTDOWN').toBe(4001);
      const said = messages(run.output());
      expect(said).toContain('shutting down');
      expect(said, run.output()).toContain('shut down');
      expect(run.output()).toContain(`"signal":"${signal}"`);
    } finally {
      killTree(run);
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s to `npm run worker`: the worker hands back and stops within the bound; its health file and heartbeat go', async (signal) => {
    const healthFile = path.join(tempDir('worker'), 'health.json');
    const run = npm(['run', 'worker'], { REDIS_URL: redis.url, ARENA_QUEUE: `arena-signals-${randomUUID()}`, WORKER_CONCURRENCY: '1', HEALTH_FILE: healthFile });
    try {
      await waitFor(() => messages(run.output()).includes('worker ready'), `the worker's ready line:\n${run.output()}`, 90_000);
      const nodePid = nodeUnder(run.child.pid!, 'workers/worker.main.ts');

      // Its heartbeat, in Redis and in the health file the compose healthcheck reads.
      const keys = await client.keys('arena:worker:*');
      const beats = (await Promise.all(keys.map((k) => client.get(k)))).map((v) => JSON.parse(v!));
      expect(beats).toContainEqual(expect.objectContaining({ pid: nodePid, backend: 'wasm', wanted: 'auto', concurrency: 1 }));
      expect(beats.find((b) => b.pid === nodePid)).not.toHaveProperty('problem');
      expect(JSON.parse(readFileSync(healthFile, 'utf8'))).toMatchObject({ pid: nodePid, backend: 'wasm' });
      expect(spawnSync(process.execPath, [HEALTHCHECK, healthFile]).status, 'the compose healthcheck passes').toBe(0);

      const took = await signalAndWait(run, nodePid, signal);
      expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS + MARGIN_MS);
      const said = messages(run.output());
      expect(said).toContain('handing runs back');
      expect(said, run.output()).toContain('worker stopped');
      expect(existsSync(healthFile), 'the health file is removed').toBe(false);
      expect(spawnSync(process.execPath, [HEALTHCHECK, healthFile]).status).toBe(1);
      const left = (await Promise.all((await client.keys('arena:worker:*')).map((k) => client.get(k)))).map((v) => JSON.parse(v!));
      expect(left.some((b) => b.pid === nodePid), 'its heartbeat is deleted').toBe(false);
    } finally {
      killTree(run);
    }
  });

  const tfjsNodeInstalled = (() => {
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(tfjsNodeInstalled)('`npm run worker` asked for a backend that does not load here stops at once, saying which', async () => {
    const run = npm(['run', 'worker'], { REDIS_URL: redis.url, ARENA_QUEUE: `arena-signals-${randomUUID()}`, TF_BACKEND: 'tfjs-node' });
    const code = await run.exited;
    expect(code).not.toBe(0);
    const fatal = run.output().split('\n').flatMap((l) => {
      try {
        const line = JSON.parse(l);
        return line.level === 60 ? [String(line.msg)] : [];
      } catch {
        return [];
      }
    });
    expect(fatal, run.output()).toEqual([expect.stringContaining('TF_BACKEND=tfjs-node was asked for but does not load here')]);
    expect(messages(run.output())).not.toContain('worker ready');
  });
});
