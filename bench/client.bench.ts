/**
 * `npm run bench -- client [--json] [--quick]`: frame times of what a
 * spectator sees, in headless Chromium (Debian's, software WebGL here), each
 * beside a baseline measured in the same run:
 * - view2d: 8 learning curves of 10,000 points each, a point added to every
 *   curve each frame (baseline: the same view with the 128 points a race's
 *   state holds);
 * - terrain: the loss terrain at 129×129 with the optimizer's path, orbiting
 *   (baseline: the engine's default 31×31 landscape).
 * A frame is timed from the data or camera change to the finished picture.
 * - firstCurveMs: a spectator's wait from opening a live playground to its first curve point drawn, against a
 *   real arena (bench/client-first-curve.ts; baseline: the home page's load to its first control).
 */
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium } from '../test/support/browser.ts';
import { pixelStats } from '../test/support/pixels.ts';
import { firstCurveBench } from './client-first-curve.ts';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;
/** Where the last frame of each view is saved, to look at what was timed. */
const SHOTS = fileURLToPath(new URL('../test-results/screenshots', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

export async function clientBench(json: boolean, quick = process.argv.includes('--quick')): Promise<void> {
  const out = mkdtempSync(path.join(tmpdir(), 'arena-client-bench-'));
  const root = fileURLToPath(new URL('./client/', import.meta.url));
  await build({ configFile: false, root, base: './', logLevel: 'warn', build: { outDir: out, emptyOutDir: true, chunkSizeWarningLimit: 4000 } });
  const server = createServer((req, res) => {
    const file = path.join(out, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const target = statSync(file).isDirectory() ? path.join(file, 'index.html') : file;
      res.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream' }).end(readFileSync(target));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
  const frames = quick ? 60 : 240;
  const measure = async (query: string) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/index.html?${query}&frames=${frames}`);
    const result = (await page.waitForFunction(() => window.benchResult, null, { timeout: 300_000 }).then((h) => h.jsonValue()))!;
    // A frame time means nothing if nothing was drawn: the view must show real content.
    const shot = await page.locator('#host').screenshot({ path: path.join(SHOTS, `bench-${query.replace(/[^a-z0-9]+/gi, '-')}.png`) });
    const ink = pixelStats(shot).inkFraction;
    await page.close();
    if (ink < 0.02) throw new Error(`client bench page (${query}) drew almost nothing (${(ink * 100).toFixed(2)}% of pixels)`);
    if ('error' in result || errors.length) throw new Error(`client bench page (${query}) failed: ${'error' in result ? result.error : errors.join('; ')}`);
    return { renderer: result.renderer, p50Ms: round(percentile(result.frames, 50)), p95Ms: round(percentile(result.frames, 95)) };
  };
  try {
    const log = (s: string) => !json && console.log(s);
    log(`client: headless Chromium, ${frames} frames per view`);
    const base2d = await measure('view=curves&points=128');
    const view2d = await measure('view=curves&points=10000');
    log(`  curves, 8 × 128 points (baseline): p50 ${base2d.p50Ms} ms, p95 ${base2d.p95Ms} ms (${base2d.renderer})`);
    log(`  curves, 8 × 10,000 points:        p50 ${view2d.p50Ms} ms, p95 ${view2d.p95Ms} ms (${(view2d.p95Ms / base2d.p95Ms).toFixed(2)}× the baseline; target p95 < 16.7 ms)`);
    const baseTerrain = await measure('view=terrain&resolution=31');
    const terrain = await measure('view=terrain&resolution=129');
    log(`  terrain 31×31 (baseline):          p50 ${baseTerrain.p50Ms} ms, p95 ${baseTerrain.p95Ms} ms (${baseTerrain.renderer})`);
    log(`  terrain 129×129:                   p50 ${terrain.p50Ms} ms, p95 ${terrain.p95Ms} ms (${(terrain.p95Ms / baseTerrain.p95Ms).toFixed(2)}× the baseline; target p95 < 33 ms)`);
    const first = await firstCurveBench(browser, quick ? 3 : 7);
    log(`  home page to its first control (baseline): ${first.pageReadyMs} ms`);
    log(`  first curve, spectator joining a live playground: ${first.firstCurveMs} ms median of ${first.joinsMs.length} joins (${first.joinsMs.join(', ')} ms; ${first.vsBaseline}× the baseline; target < 1000 ms on a quiet machine)`);
    log(`  first curve, owner pressing Train: ${first.startToCurveMs} ms`);
    console.log(
      JSON.stringify({
        firstCurveMs: first.firstCurveMs,
        firstCurve: first,
        view2d: { ...view2d, baselineP95Ms: base2d.p95Ms, vsBaseline: round(view2d.p95Ms / base2d.p95Ms) },
        terrain: { ...terrain, baselineP95Ms: baseTerrain.p95Ms, vsBaseline: round(terrain.p95Ms / baseTerrain.p95Ms) },
      }),
    );
  } finally {
    await browser.close();
    server.close();
    rmSync(out, { recursive: true, force: true });
  }
}
