/**
 * `firstCurveMs` of `npm run bench -- client`: how long a spectator waits, from opening a live playground's
 * watch link to the first curve point drawn, in headless Chromium against a real arena that trains for real.
 * The chart sets a User Timing mark when it first draws a point (FIRST_CURVE_MARK); its startTime counts from
 * the navigation's start, so page load, the room join, the state and the renderer's start are all inside.
 * Baseline, the same run: the home page's load to its first control (`pageReadyMs`), the part every page pays.
 * Also measured once: the owner's wait from pressing Train to the first point (`startToCurveMs`).
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
import { startTestArena, TEST_TRAINER_NICE } from '../test/support/arena.ts';

export interface FirstCurveFigures {
  firstCurveMs: number;
  /** Every join timed, in order. */
  joinsMs: number[];
  /** Median time of each mark on the way, from the navigation's start (responseEnd: the HTML has arrived). */
  phasesMs: Record<string, number>;
  startToCurveMs: number;
  pageReadyMs: number;
  vsBaseline: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;
const markTime = (page: Page) =>
  page.waitForFunction((name) => performance.getEntriesByName(name)[0]?.startTime, TIMING_MARKS.firstCurve, { timeout: 120_000, polling: 20 }).then((h) => h.jsonValue() as Promise<number>);
/** The time of every mark the page set, and when the HTML had arrived. */
const marksOf = (page: Page) =>
  page.evaluate((names) => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const times: Record<string, number> = { responseEnd: nav?.responseEnd ?? NaN };
    for (const [key, name] of Object.entries(names)) times[key] = performance.getEntriesByName(name, 'mark')[0]?.startTime ?? NaN;
    return times;
  }, TIMING_MARKS);

/** Builds the real client, starts an arena serving it, opens a playground, trains, and times `joins` spectators joining. */
export async function firstCurveBench(browser: Browser, joins: number): Promise<FirstCurveFigures> {
  const clientDir = mkdtempSync(path.join(tmpdir(), 'arena-first-curve-'));
  const root = fileURLToPath(new URL('..', import.meta.url));
  await build({ configFile: path.join(root, 'client', 'vite.config.ts'), logLevel: 'warn', build: { outDir: clientDir, emptyOutDir: true } });
  const arena = await startTestArena({ CLIENT_DIR: clientDir, ...TEST_TRAINER_NICE });
  try {
    const owner = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await owner.goto(arena.url);
    await owner.waitForSelector('#create-playground');
    const pageReadyMs = await owner.evaluate(() => performance.now());
    await owner.fill('#player-name', 'bench-owner');
    await owner.selectOption('#playground-budget', '5000000'); // still training while the spectators join
    await owner.click('#create-playground');
    await owner.waitForSelector('#start-run:not([disabled])');
    const pressed = await owner.evaluate(() => performance.now());
    await owner.click('#start-run');
    const startToCurveMs = (await markTime(owner)) - pressed;
    const watchLink = await owner.inputValue('#watch-link');
    const joinsMs: number[] = [];
    const phases: Array<Record<string, number>> = [];
    for (let i = 0; i < joins; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(watchLink);
      joinsMs.push(round(await markTime(page)));
      phases.push(await marksOf(page));
      await page.close();
    }
    await owner.close();
    const firstCurveMs = median(joinsMs);
    const phasesMs = Object.fromEntries(Object.keys(phases[0]!).map((k) => [k, round(median(phases.map((p) => p[k]!)))]));
    return { firstCurveMs, joinsMs, phasesMs, startToCurveMs: round(startToCurveMs), pageReadyMs: round(pageReadyMs), vsBaseline: Math.round((firstCurveMs / pageReadyMs) * 100) / 100 };
  } finally {
    await arena.stop();
    rmSync(clientDir, { recursive: true, force: true });
  }
}
