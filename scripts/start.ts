/**
 * `npm start`: builds the client when its sources are newer than the last
 * build, then runs the arena server in this process. With CLIENT_DIR set to
 * another folder than dist/client, the server serves that folder as it is and
 * nothing is built.
 *
 * npm runs this through `exec` (package.json), so that SIGTERM and SIGINT sent
 * to npm reach this process: npm forwards them to its child, which would
 * otherwise be the `sh -c` that runs the script line, and sh dies of them
 * without passing them on, leaving node running with no shutdown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const builtDir = path.join(root, 'dist', 'client');
const built = path.join(builtDir, 'index.html');
const servesBuild = !process.env.CLIENT_DIR || path.resolve(process.env.CLIENT_DIR) === builtDir;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const stale = () => !existsSync(built) || statSync(built).mtimeMs < Math.max(newestMtime(path.join(root, 'client')), newestMtime(path.join(root, 'shared')));
if (servesBuild && stale()) {
  console.log('building the client…');
  // in a child process, so that the build's memory is gone before the server starts
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-client.ts')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import('../server/main.ts');
