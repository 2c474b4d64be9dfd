/**
 * A Postgres of a test's own, so the test may stop and start it: initdb into a temp folder, trust auth,
 * listening on 127.0.0.1 at a free port, started and stopped with pg_ctl. The binaries come from
 * /usr/lib/postgresql/<newest>/bin (Debian's layout; `OWN_POSTGRES_BIN` overrides it). Postgres refuses to
 * run as root: under root it runs as the `postgres` system user (through `runuser`), which then owns the folder.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server-process.ts';

const run = promisify(execFile);

/** The folder of initdb and pg_ctl, or undefined when none is installed. */
export function postgresBinaries(): string | undefined {
  if (process.env.OWN_POSTGRES_BIN) return process.env.OWN_POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

export interface OwnPostgres {
  /** postgres://…/postgres on its port. */
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it (if running) and deletes its folder. */
  destroy(): Promise<void>;
  /** Its server log so far, for failure messages. */
  log(): Promise<string>;
}

/** initdb + pg_ctl start; resolves once it accepts connections. */
export async function startOwnPostgres(bin: string): Promise<OwnPostgres> {
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'postgres' : userInfo().username;
  const dir = mkdtempSync(path.join(tmpdir(), 'own-postgres-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const tool = (name: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, name), ...args]) : run(path.join(bin, name), args));
  await tool('initdb', ['-D', data, '-U', user, '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`;
  let running = false;
  const pg: OwnPostgres = {
    url: `postgres://${user}@127.0.0.1:${port}/postgres`,
    port,
    start: async () => {
      await tool('pg_ctl', ['start', '-D', data, '-o', options, '-l', logFile, '-w', '-t', '60']);
      running = true;
    },
    stop: async () => {
      await tool('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60']);
      running = false;
    },
    destroy: async () => {
      if (running) await pg.stop().catch(() => tool('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => {}));
      rmSync(dir, { recursive: true, force: true });
    },
    log: async () => (existsSync(logFile) ? (await import('node:fs/promises')).readFile(logFile, 'utf8') : ''),
  };
  await pg.start();
  return pg;
}
