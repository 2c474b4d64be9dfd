/**
 * `firstCurveMs` of `npm run bench -- client`: how long a spectator waits, from opening a live playground's
 * watch link to the first curve point drawn, in headless Chromium against a real arena that trains for real.
 * The chart sets a User Timing mark when it first draws a point (FIRST_CURVE_MARK); its startTime counts from
 * the navigation's start, so page load, the room join, the state and the renderer's start are all inside.
 * Baseline, the same run: the home page's load to its first control (`pageReadyMs`), the part every page pays.
 * Also measured: a spectator on the home page pressing Watch in the open rooms list (`fromLobbyMs`, from the click),
 * and once, the owner's wait from pressing Train to the first point (`startToCurveMs`).
 * Where a join's time goes (`phasesMs`, medians over the joins, each counted from the navigation's start): the
 * page's other User Timing marks (client/shell/timing-marks.ts): the script running, the renderer chosen, the
 * room joined, the chart's renderer started.
 * The server logs at LOG_LEVEL, which `npm run bench` sets to warn unless told: its request lines stay off the output.
 */
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { TIMING_MARKS } from '../client/shell/timing-marks.ts';
import type { PlaygroundState } from '../shared/playground.state.ts';
import { guestClient, nextMessage, startTestArena } from '../test/support/arena.ts';

export interface FirstCurveFigures {
  firstCurveMs: number;
  /** Every join timed, in order. */
  joinsMs: number[];
  /** Median time of each mark on the way, from the navigation's start (responseEnd: the HTML has arrived). */
  phasesMs: Record<string, number>;
  /**
   * The same wait for a spectator already on the home page who presses Watch on the playground's row in the open
   * rooms list: from the click to the first curve point (the page does not reload), median and every join.
   */
  fromLobbyMs: number;
  lobbyJoinsMs: number[];
  startToCurveMs: number;
  pageReadyMs: number;
  vsBaseline: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;
/**
 * When the page drew its first curve point (its mark's time). The page is left alone while it loads: Playwright's
 * first call into a page injects its own scripts (tens of milliseconds on the page's main thread), and polling every
 * few milliseconds would be timed with the page; the mark keeps its time however late it is read.
 */
async function markTime(page: Page): Promise<number> {
  const read = () => page.evaluate((name) => performance.getEntriesByName(name)[0]?.startTime, TIMING_MARKS.firstCurve);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const giveUp = Date.now() + 120_000;
  await sleep(1500);
  for (let t = await read(); ; t = await read()) {
    if (t !== undefined) return t;
    if (Date.now() > giveUp) throw new Error('no curve point drawn within 120 s');
    await sleep(250);
  }
}
/** The time of every mark the page set, and when the HTML had arrived. */
const marksOf = (page: Page) =>
  page.evaluate((names) => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const times: Record<string, number> = { responseEnd: nav?.responseEnd ?? NaN };
    for (const [key, name] of Object.entries(names)) times[key] = performance.getEntriesByName(name, 'mark')[0]?.startTime ?? NaN;
    return times;
  }, TIMING_MARKS);

/**
 * Builds the real client, starts an arena serving it, has an SDK player train a playground, and times `joins`
 * spectators joining it in `browser`; then times an owner's page from pressing Train to its first point.
 */
export async function firstCurveBench(browser: Browser, joins: number): Promise<FirstCurveFigures> {
  const clientDir = mkdtempSync(path.join(tmpdir(), 'arena-first-curve-'));
  const root = fileURLToPath(new URL('..', import.meta.url));
  await build({ configFile: path.join(root, 'client', 'vite.config.ts'), logLevel: 'warn', build: { outDir: clientDir, emptyOutDir: true } });
  // The server as it ships: its training threads at the default niceness (TRAINER_NICE 10), so the thread that answers
  // joins gets the CPU first, as on a player's server (the test arenas train at 0 to finish sooner beside browsers).
  const arena = await startTestArena({ CLIENT_DIR: clientDir, TRAINER_NICE: '10' });
  try {
    const home = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await home.goto(arena.url);
    await home.waitForSelector('#create-playground');
    const pageReadyMs = await home.evaluate(() => performance.now());
    await home.close();

    // The playground's owner plays from another machine (the SDK, here in this process): the spectators' browser has
    // the machine to itself but for the server, which trains the run on one of the two cores.
    const ownerClient = (await guestClient(arena.url, 'bench-owner')).client;
    // Paced over two minutes, as the home page offers a run to watch ("Over 2 minutes"): it trains all through the
    // joins (an unpaced 5M-sample run is over within seconds here).
    const live = await ownerClient.create<PlaygroundState>('playground', { budget: 5_000_000, paceSeconds: 120 });
    for (const type of ['points', 'probe', 'welcome', 'notice', 'result', 'error']) live.onMessage(type, () => {});
    const probed = nextMessage(live, 'probe');
    live.send('start', {});
    await probed; // training, and probed: what a spectator joins is fully live
    const watchLink = `${arena.url}/?room=${live.roomId}&spectate=1`;
    const joinsMs: number[] = [];
    const phases: Array<Record<string, number>> = [];
    for (let i = 0; i < joins; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(watchLink);
      joinsMs.push(round(await markTime(page)));
      phases.push(await marksOf(page));
      await page.close();
    }
    const lobbyJoinsMs: number[] = [];
    for (let i = 0; i < joins; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(arena.url);
      const watch = page.locator(`#lobby tr[data-room="${live.roomId}"] button`, { hasText: 'Watch' });
      await watch.waitFor();
      const clicked = await page.evaluate(() => performance.now());
      await watch.click();
      lobbyJoinsMs.push(round((await markTime(page)) - clicked));
      await page.close();
    }
    if (live.state.phase !== 'training') throw new Error(`the playground stopped training before the last join (${live.state.phase}): the figure would not be a live one`);
    await live.leave();

    // The owner's own wait: a page of its own playground, Train pressed once its views have started.
    const owner = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await owner.goto(arena.url);
    await owner.fill('#player-name', 'bench-owner-page');
    await owner.selectOption('#playground-budget', '5000000');
    await owner.click('#create-playground');
    await owner.waitForSelector('#start-run:not([disabled])');
    await owner.waitForSelector('#boundary canvas'); // its renderers have started (the chart's, then the boundary's)
    const pressed = await owner.evaluate(() => performance.now());
    await owner.click('#start-run');
    const startToCurveMs = (await markTime(owner)) - pressed;
    await owner.close();

    const firstCurveMs = median(joinsMs);
    const phasesMs = Object.fromEntries(Object.keys(phases[0]!).map((k) => [k, round(median(phases.map((p) => p[k]!)))]));
    return { firstCurveMs, joinsMs, phasesMs, fromLobbyMs: median(lobbyJoinsMs), lobbyJoinsMs, startToCurveMs: round(startToCurveMs), pageReadyMs: round(pageReadyMs), vsBaseline: Math.round((firstCurveMs / pageReadyMs) * 100) / 100 };
  } finally {
    await arena.stop();
    rmSync(clientDir, { recursive: true, force: true });
  }
}
