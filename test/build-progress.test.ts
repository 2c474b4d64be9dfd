import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgress } from '../scripts/build-progress.ts';

describe('the client build progress (npm start)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'build-progress-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the start, the modules transformed, the files written and the end of a real Vite build', async () => {
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.ts"></script>');
    writeFileSync(path.join(dir, 'main.ts'), "import { two } from './two.ts';\nimport { three } from './three.ts';\ndocument.title = String(two + three);\n");
    writeFileSync(path.join(dir, 'two.ts'), 'export const two = 2;\n');
    writeFileSync(path.join(dir, 'three.ts'), 'export const three = 3;\n');
    const lines: string[] = [];
    // everyMs 0: a line for every module, so the count is seen going up one by one
    await build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir: path.join(dir, 'dist') }, plugins: [buildProgress((l) => lines.push(l), 0)] });
    expect(lines[0]).toBe('client build: resolving and transforming modules…');
    const counts = lines.flatMap((l) => /^client build: (\d+) modules transformed \(/.exec(l)?.[1] ?? []).map(Number);
    expect(counts.length).toBeGreaterThanOrEqual(4); // index.html and the three modules, at least
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(lines.some((l) => new RegExp(`^client build: ${counts.at(-1)} modules transformed; rendering chunks`).test(l))).toBe(true);
    expect(lines.find((l) => /^client build: wrote /.test(l)), 'index.html and its script').toMatch(/^client build: wrote [2-9]\d* files \(/);
    expect(lines.at(-1)).toMatch(/^client build: done in \d+\.\d s$/);
  });
});
