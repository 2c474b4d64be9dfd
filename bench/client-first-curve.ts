/**
 * `firstCurveMs` of `npm run bench -- client`: how long a spectator waits, from opening a live playground's
 * watch link to the first curve point drawn, in headless Chromium against a real arena that trains for real.
 * The chart sets a User Timing mark when it first draws a point (FIRST_CURVE_MARK); its startTime counts from
 * the navigation's start, so page load, the room join, the state and the renderer's start are all inside.
 * Baseline, the same run: the home page's load to its first control (`pageReadyMs`), the part every page pays.
 * Also measured once: the owner's wait from pressing Train to the first point (`startToCurveMs`).
 * The server logs at LOG_LEVEL, which `npm run bench` sets to warn unless told: its request lines stay off the output.
 */
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { FIRST_CURVE_MARK } from '../client/widgets/curve-chart.ts';
import { startTestArena, TEST_TRAINER_NICE } from '../test/support/arena.ts';

export interface FirstCurveFigures {
  firstCurveMs: number;
  /** Every join timed, in order. */
  joinsMs: number[];
  startToCurveMs: number;
  pageReadyMs: number;
  vsBaseline: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;
const markTime = (page: Page) =>
  page.waitForFunction((name) => performance.getEntriesByName(name)[0]?.startTime, FIRST_CURVE_MARK, { timeout: 120_000, polling: 20 }).then((h) => h.jsonValue() as Promise<number>);

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
    for (let i = 0; i < joins; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(watchLink);
      joinsMs.push(round(await markTime(page)));
      await page.close();
    }
    await owner.close();
    const firstCurveMs = median(joinsMs);
    return { firstCurveMs, joinsMs, startToCurveMs: round(startToCurveMs), pageReadyMs: round(pageReadyMs), vsBaseline: Math.round((firstCurveMs / pageReadyMs) * 100) / 100 };
  } finally {
    await arena.stop();
    rmSync(clientDir, { recursive: true, force: true });
  }
}
