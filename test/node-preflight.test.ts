/**
 * On a Node too old for the .ts entry points (what npm finds when the `node` package's preinstall did
 * not run: the machine's own), `npm start`, `npm run worker` and `npm test` say in one line which Node
 * they need instead of failing with ERR_UNKNOWN_FILE_EXTENSION. Run with the machine's older Node,
 * found on PATH outside node_modules; skipped where there is none.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PREFLIGHT = path.join(ROOT, 'scripts', 'preflight.cjs');
const NEEDS = /^Gradient Arena needs Node 22\.18 or newer \(this is Node (\d+\.\d+\.\d+), [^)]+\): run npm install so the project's own Node is used$/;

const tooOld = (version: string) => {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number) as [number, number];
  return major < 22 || (major === 22 && minor < 18);
};

/** A Node older than 22.18 on PATH outside any node_modules (Debian's /usr/bin/node here), or undefined. */
function oldNode(): string | undefined {
  let found: string[];
  try {
    found = execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n').filter((p) => p && !p.includes('node_modules'));
  } catch {
    return undefined;
  }
  return found.find((p) => {
    const v = spawnSync(p, ['--version'], { encoding: 'utf8' });
    return v.status === 0 && tooOld(v.stdout.trim());
  });
}

const OLD_NODE = oldNode();
if (!OLD_NODE) console.warn('skipping the Node preflight tests: no Node older than 22.18 on PATH outside node_modules');

describe.skipIf(!OLD_NODE)('the Node preflight', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('says in one line which Node it needs and exits 1 on an older one', () => {
    const r = spawnSync(OLD_NODE!, [PREFLIGHT], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(NEEDS);
    expect(lines[0]).toContain(OLD_NODE!);
  });

  it("is silent and exits 0 on the project's own Node", () => {
    const r = spawnSync(process.execPath, [PREFLIGHT], { encoding: 'utf8' });
    expect(r).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  // A copy of the project with no node_modules: npm then finds the machine's Node, as when the `node`
  // package's preinstall was skipped. package.json's own script lines are what run.
  it.each(['start', 'run worker', 'test'])('`npm %s` on the older Node prints that line, not ERR_UNKNOWN_FILE_EXTENSION', (command) => {
    const args = command.split(' ');
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-preflight-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'scripts'));
    copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    copyFileSync(PREFLIGHT, path.join(dir, 'scripts', 'preflight.cjs'));
    const PATH = [path.dirname(OLD_NODE!), ...(process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes('node_modules'))].join(path.delimiter);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
    const r = spawnSync('npm', args, { cwd: dir, env: { ...env, PATH }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    const said = `${r.stdout}${r.stderr}`;
    expect(said).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
    expect(said.split('\n').filter((l) => NEEDS.test(l))).toHaveLength(1);
  });
});
