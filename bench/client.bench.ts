/**
 * `npm run bench -- client [--json] [--quick]`: frame times of what a
 * spectator sees, in headless Chromium (Debian's, software rendering here), each
 * beside a baseline measured in the same run:
 * - view2d: 8 learning curves of 10,000 points each, a point added to every
 *   curve each frame (baseline: the same view with the 128 points a race's
 *   state holds);
 * - terrain: the loss terrain at 129×129 with the optimizer's path, orbiting
 *   (baseline: the engine's default 31×31 landscape).
 * Each view and its baseline run on WebGL and on WebGPU (both SwiftShader here), reported side by side.
 * A frame is timed from the data or camera change to the finished picture.
 * - firstCurveMs: a spectator's wait from opening a live playground to its first curve point drawn, against a
 *   real arena (bench/client-first-curve.ts; baseline: the home page's load to its first control), with where
 *   the time goes; `--first-curve` runs only this part.
 */
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium, type BrowserRenderer } from '../test/support/browser.ts';
import { pixelStats } from '../test/support/pixels.ts';
import { firstCurveBench, type FirstCurveFigures } from './client-first-curve.ts';

// The browser stands for a player's machine: at normal priority, where the browser tests run it at the training
// threads' niceness (test/support/chromium-niced.sh) so that a page waiting on training does not starve it. The arena
// the first curve is timed against trains at its shipped niceness (client-first-curve.ts), as a server would.
process.env.CHROMIUM_NICE ??= '0';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;
/** Where the last frame of each view is saved, to look at what was timed. */
const SHOTS = fileURLToPath(new URL('../test-results/screenshots', import.meta.url));
/** Prints what firstCurveBench measured. */
function logFirstCurve(log: (s: string) => void, first: FirstCurveFigures): void {
  log(`  home page to its first control (baseline): ${first.pageReadyMs} ms`);
  log(`  first curve, spectator joining a live playground: ${first.firstCurveMs} ms median of ${first.joinsMs.length} joins (${first.joinsMs.join(', ')} ms; ${first.vsBaseline}× the baseline; target < 1000 ms on a quiet machine)`);
  log(`  first curve, spectator pressing Watch on the home page's open rooms list: ${first.fromLobbyMs} ms median from the click (${first.lobbyJoinsMs.join(', ')} ms)`);
  log(`  where a join's time goes (medians, from the navigation's start): ${Object.entries(first.phasesMs).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
  log(`  first curve, owner pressing Train: ${first.startToCurveMs} ms`);
}

/** `--first-curve`: only firstCurveMs (on WebGL), without the frame-time views. */
async function firstCurveOnly(json: boolean, quick: boolean): Promise<void> {
  const browser = await launchChromium('webgl');
  try {
    const first = await firstCurveBench(browser, quick ? 3 : 7);
    if (!json) logFirstCurve((s) => console.log(s), first);
    console.log(JSON.stringify({ firstCurveMs: first.firstCurveMs, firstCurve: first }));
  } finally {
    await browser.close();
  }
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

export async function clientBench(json: boolean, quick = process.argv.includes('--quick')): Promise<void> {
  if (process.argv.includes('--first-curve')) return firstCurveOnly(json, quick);
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
  const browsers = { webgl: await launchChromium('webgl'), webgpu: await launchChromium('webgpu') };
  mkdirSync(SHOTS, { recursive: true });
  const frames = quick ? 60 : 240;
  const measure = async (kind: BrowserRenderer, query: string) => {
    const page = await browsers[kind].newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // WebGPU needs a secure context: localhost is one, 127.0.0.1 may not be
    await page.goto(`http://${kind === 'webgpu' ? 'localhost' : '127.0.0.1'}:${port}/index.html?${query}&renderer=${kind}&frames=${frames}`);
    const result = (await page.waitForFunction(() => window.benchResult, null, { timeout: 300_000 }).then((h) => h.jsonValue()))!;
    // A frame time means nothing if nothing was drawn: the view must show real content.
    const shot = await page.locator('#host').screenshot({ path: path.join(SHOTS, `bench-${kind}-${query.replace(/[^a-z0-9]+/gi, '-')}.png`) });
    const ink = pixelStats(shot).inkFraction;
    await page.close();
    if (ink < 0.02) throw new Error(`client bench page (${kind}, ${query}) drew almost nothing (${(ink * 100).toFixed(2)}% of pixels)`);
    if ('error' in result || errors.length) throw new Error(`client bench page (${kind}, ${query}) failed: ${'error' in result ? result.error : errors.join('; ')}`);
    if (result.renderer.toLowerCase() !== kind) throw new Error(`client bench page (${query}) asked for ${kind} and drew with ${result.renderer}`);
    return { renderer: result.renderer, p50Ms: round(percentile(result.frames, 50)), p95Ms: round(percentile(result.frames, 95)) };
  };
  /** One view against its baseline, on one renderer. */
  const compare = async (kind: BrowserRenderer, baseQuery: string, query: string) => {
    const base = await measure(kind, baseQuery);
    const view = await measure(kind, query);
    return { ...view, baselineP50Ms: base.p50Ms, baselineP95Ms: base.p95Ms, vsBaseline: round(view.p95Ms / base.p95Ms) };
  };
  try {
    const log = (s: string) => !json && console.log(s);
    log(`client: headless Chromium, ${frames} frames per view, each on WebGL and on WebGPU (both SwiftShader)`);
    const views = { view2d: { base: 'view=curves&points=128', query: 'view=curves&points=10000', name: 'curves, 8 × 10,000 points', baseName: '8 × 128 points', target: 16.7 }, terrain: { base: 'view=terrain&resolution=31', query: 'view=terrain&resolution=129', name: 'terrain 129×129', baseName: '31×31', target: 33 } };
    const report: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(views)) {
      const webgl = await compare('webgl', v.base, v.query);
      const webgpu = await compare('webgpu', v.base, v.query);
      for (const [kind, r] of [['WebGL ', webgl], ['WebGPU', webgpu]] as const) log(`  ${v.name}, ${kind}: p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms (baseline ${v.baseName}: p95 ${r.baselineP95Ms} ms; ${r.vsBaseline}× the baseline; target p95 < ${v.target} ms)`);
      log(`  ${v.name}: WebGPU p95 ${round(webgpu.p95Ms / webgl.p95Ms)}× WebGL's`);
      // the WebGL figures stay at the top level, as before both renderers were measured
      report[key] = { ...webgl, webgl, webgpu };
    }
    const first = await firstCurveBench(browsers.webgl, quick ? 3 : 7);
    logFirstCurve(log, first);
    console.log(JSON.stringify({ firstCurveMs: first.firstCurveMs, firstCurve: first, ...report }));
  } finally {
    await Promise.all(Object.values(browsers).map((b) => b.close()));
    server.close();
    rmSync(out, { recursive: true, force: true });
  }
}
