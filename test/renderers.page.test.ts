/**
 * The main journeys on both renderers: a playground that trains and a race
 * against an SDK player, in Chromium drawing with WebGPU (SwiftShader's
 * Vulkan adapter) and with WebGL. Each checks the renderer badge, that the
 * canvases changed as data came in (pixels, not just the DOM) and that the
 * console stayed free of errors. Short on purpose: the long journeys run
 * once, on WebGL, in their own tests.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import type { RaceState } from '../shared/race.state.ts';
import { guestClient, waitFor } from './support/arena.ts';
import { launchChromium, onLocalhost, watchErrors, type BrowserRenderer } from './support/browser.ts';
import { signedInContext } from './support/page-fixtures.ts';
import { pageArenaSuite, shot } from './support/page.ts';
import { changedFraction } from './support/pixels.ts';
import { BADGE, drawn, expectBadge } from './support/renderers.ts';
import { hasChromium } from './support/services.ts';

describe.skipIf(!hasChromium())('the playground and a race on WebGPU and on WebGL', () => {
  const suite = pageArenaSuite();
  const browsers = new Map<BrowserRenderer, Browser>();
  beforeAll(async () => {
    browsers.set('webgpu', await launchChromium('webgpu'));
    browsers.set('webgl', suite.browser);
  });
  afterAll(async () => {
    await browsers.get('webgpu')?.close();
  });

  /** A page in a browser drawing with `renderer`, on localhost, signed in as `name`. */
  const open = async (renderer: BrowserRenderer, name: string) => {
    const { context } = await signedInContext(browsers.get(renderer)!, suite.arena.url, name, { viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(onLocalhost(suite.arena.url));
    await page.locator('#lobby').waitFor();
    await expectBadge(page, renderer); // the lobby can show before the browser probe has decided
    return { page, errors, close: () => context.close() };
  };

  for (const renderer of ['webgpu', 'webgl'] as const) {
    it(`trains a playground and draws its curve and boundary (${renderer})`, async () => {
      const { page, errors, close } = await open(renderer, `pg-${renderer}`);
      await page.selectOption('#playground-task', 'spiral');
      await page.selectOption('#playground-budget', '50000'); // a short run, unpaced: the boundary drawn is its last probe
      await page.click('#create-playground');
      await page.locator('#boundary canvas').waitFor();
      await page.locator('#chart canvas').waitFor();
      await drawn(page);
      expect(await page.locator('#renderer-badge').textContent()).toBe(BADGE[renderer]);
      const chartBefore = await shot(page, `renderer-${renderer}-playground-chart-before`, '#chart canvas');
      const boundaryBefore = await shot(page, `renderer-${renderer}-playground-boundary-before`, '#boundary canvas');

      await page.click('#start-run');
      await page.waitForFunction(() => Number(document.querySelector('#boundary')?.getAttribute('data-step')) > 0, null, { timeout: 60_000 });
      await drawn(page);
      const chartAfter = await shot(page, `renderer-${renderer}-playground-chart`, '#chart canvas');
      const boundaryAfter = await shot(page, `renderer-${renderer}-playground-boundary`, '#boundary canvas');
      expect(changedFraction(chartBefore, chartAfter), 'the learning curve was drawn').toBeGreaterThan(0.002);
      expect(changedFraction(boundaryBefore, boundaryAfter), 'the boundary was painted under the points').toBeGreaterThan(0.05);
      expect(errors).toEqual([]);
      await close();
    });

    it(`races an SDK player and draws the curves (${renderer})`, async () => {
      const { page, errors, close } = await open(renderer, `racer-${renderer}`);
      await page.selectOption('#budget', '5000');
      await page.selectOption('#countdown', '5');
      await page.click('#create-race');
      await page.locator('#chart canvas').waitFor();
      await page.click('#submit-spec');
      await page.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
      await drawn(page);
      const before = await shot(page, `renderer-${renderer}-race-chart-before`, '#chart canvas');

      const roomId = new URL(page.url()).searchParams.get('room')!;
      const bot = await (await guestClient(suite.arena.url, `bot-${renderer}`)).client.joinById<RaceState>(roomId, {});
      bot.onMessage('*', () => {});
      bot.send('spec', { spec: DEFAULT_SPEC });
      await waitFor(() => bot.state.entries?.get(bot.sessionId)?.summary, 'the bot to enter its network');
      bot.send('ready', { ready: true });
      await page.click('#ready');
      await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', null, { timeout: 90_000 });
      await drawn(page);
      const after = await shot(page, `renderer-${renderer}-race-chart`, '#chart canvas');
      expect(changedFraction(before, after), 'the curves were drawn').toBeGreaterThan(0.002);
      expect(await page.locator('#standings tbody tr').count()).toBe(2);
      expect(await page.locator('#renderer-badge').textContent()).toBe(BADGE[renderer]);
      expect(errors).toEqual([]);
      await bot.leave();
      await close();
    });
  }
});
