/**
 * Speed for watchers, in headless Chromium: a playground's spectator slows to
 * 0.5× and falls behind live (and the page says by how much), catches up at 8×
 * and jumps back with `l`, while the owner, who steers, has no such control;
 * a stored match replays sooner at 8× than at 1×; a tournament created with a
 * pace says so, and only its spectators get the speed control; a GAN battle's
 * spectator falls behind at 0.5× and jumps back with `l`.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import type { GanState } from '../shared/gan.state.ts';
import { guestClient, waitFor } from './support/arena.ts';
import { storeMatchWithCurves } from './support/page-fixtures.ts';
import { quiet } from './support/sdk-players.ts';
import { DOCS, openPlayground, pageArenaSuite, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';

/** How far behind live the spectator's view is, in ms, as the panel reports it. */
const behindMs = (page: Page) => page.locator('#playback').getAttribute('data-behind-ms').then(Number);
/** The step the page shows in its run figures ("… · step 123 · …"). */
const shownStep = (page: Page) => page.locator('#run-meta').textContent().then((t) => Number(/step (\d+)/.exec(t ?? '')?.[1] ?? 0));

describe.skipIf(!hasChromium())('speed for watchers in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('a playground spectator falls behind live at 0.5×, catches up at 8×, and l jumps to live; the owner always sees live', async () => {
    const { arena: t, browser } = suite;
    const owner = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const ownerErrors = watchErrors(owner);
    // Paced over 120 s: a run that lasts long enough to watch it at every speed.
    await openPlayground(owner, t.url, { name: 'ada', task: 'spiral', pace: '120' });
    await owner.click('#start-run');
    await owner.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Training');
    expect(await owner.locator('#playback').count(), 'the owner steers: no playback control').toBe(0);

    const spectator = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(spectator);
    await spectator.goto(await owner.inputValue('#watch-link'));
    await spectator.waitForSelector('#spectating');
    // Joining midway starts live, with the run so far drawn at once.
    await spectator.waitForFunction(() => /step \d+/.test(document.querySelector('#run-meta')?.textContent ?? ''));
    expect(await spectator.locator('#playback-lag').textContent()).toBe('Live');
    expect(await spectator.locator('#playback').getAttribute('data-rate')).toBe('1');

    await spectator.click('#playback [data-rate="0.5"]');
    await spectator.waitForFunction(() => Number(document.querySelector('#playback')?.getAttribute('data-behind-ms')) >= 3_000, undefined, { timeout: 30_000 });
    expect(await spectator.locator('#playback-lag').textContent()).toMatch(/^\d+ s behind$/);
    await expect.poll(() => spectator.locator('#playback-live').isVisible()).toBe(true);
    // The view shows the run as it was: an earlier step than the owner's live one.
    expect(await shownStep(spectator)).toBeLessThan(await shownStep(owner));
    await shot(spectator, 'playback-behind', 'section.panel:has(#playback)', { alsoTo: path.join(DOCS, 'playback.png') });

    // 8× catches up and stops at live.
    await spectator.click('#playback [data-rate="8"]');
    await spectator.waitForFunction(() => document.querySelector('#playback')?.getAttribute('data-behind-ms') === '0', undefined, { timeout: 30_000 });
    expect(await spectator.locator('#playback-lag').textContent()).toBe('Live');
    expect(await spectator.locator('#playback-live').isVisible()).toBe(false);

    // Keys: four steps slower from 8× is 0.5×; l goes back to live at 1×.
    await spectator.locator('#phase').click();
    for (let i = 0; i < 5; i += 1) await spectator.keyboard.press(','); // one more than needed: 0.5× is the slowest
    expect(await spectator.locator('#playback').getAttribute('data-rate')).toBe('0.5');
    await spectator.waitForFunction(() => Number(document.querySelector('#playback')?.getAttribute('data-behind-ms')) >= 1_500, undefined, { timeout: 30_000 });
    await spectator.keyboard.press('l');
    expect(await behindMs(spectator)).toBe(0);
    expect(await spectator.locator('#playback').getAttribute('data-rate')).toBe('1');
    expect(await spectator.locator('#terrain').isHidden(), "a spectator's l is live, not the loss terrain").toBe(true);
    await spectator.keyboard.press('.');
    expect(await spectator.locator('#playback').getAttribute('data-rate')).toBe('2');

    // The dark theme draws the panel too.
    await spectator.keyboard.press(',');
    await spectator.click('#playback [data-rate="0.5"]');
    await spectator.waitForFunction(() => Number(document.querySelector('#playback')?.getAttribute('data-behind-ms')) >= 1_500, undefined, { timeout: 30_000 });
    await spectator.keyboard.press('t');
    await spectator.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await shot(spectator, 'playback-behind-dark', '#playback', { colors: 4 });
    expect(errors).toEqual([]);
    expect(ownerErrors).toEqual([]);
    await spectator.close();
    await owner.close();
  });

  it('a stored match replays sooner at 8× than at 1×, and End jumps to the end', async () => {
    const { arena: t, browser } = suite;
    const match = await storeMatchWithCurves(t.arena.database.db);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${t.url}/#/matches/${match.id}`);
    await page.waitForSelector('#match-chart canvas');
    expect(await page.locator('#playback-live').isDisabled(), 'nothing to skip before a replay').toBe(true);
    /** Replays at `rate` and returns how long it took on screen, in ms. */
    const replay = (rate: number) =>
      page.evaluate(async (r) => {
        document.querySelector<HTMLButtonElement>(`#playback [data-rate="${r}"]`)!.click();
        const start = performance.now();
        document.querySelector<HTMLButtonElement>('#replay')!.click();
        await new Promise<void>((done) => {
          const look = () => (document.querySelector<HTMLElement>('#replay-progress')!.dataset.state === 'done' ? done() : requestAnimationFrame(look));
          look();
        });
        return performance.now() - start;
      }, rate);
    const atOne = await replay(1);
    const atEight = await replay(8);
    expect(atOne).toBeGreaterThanOrEqual(7_900); // 8 s at 1×
    expect(atEight).toBeLessThan(atOne / 2);

    // End during a slow replay draws the whole race at once.
    await page.click('#playback [data-rate="0.5"]');
    await page.click('#replay');
    await page.waitForFunction(() => !(document.querySelector('#playback-live') as HTMLButtonElement).disabled);
    await page.click('#playback-live');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#replay-progress')?.dataset.state === 'done', undefined, { timeout: 2_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a tournament created with a pace says so, and only its spectators get the speed control', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(t.url);
    await page.fill('#player-name', 'cyd');
    await page.selectOption('#t-pace', '60');
    await page.click('#create-tournament');
    await page.waitForSelector('#t-players tbody tr');
    await page.waitForFunction(() => document.querySelector('#t-meta')?.textContent?.includes('paced over 60 s'));
    expect(await page.locator('#playback').count()).toBe(0);
    const spectator = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const spectatorErrors = watchErrors(spectator);
    await spectator.goto(await page.inputValue('#watch-link'));
    await spectator.waitForSelector('#spectating');
    await spectator.waitForSelector('#playback');
    expect(await spectator.locator('#t-meta').textContent()).toContain('paced over 60 s');
    expect(await spectator.locator('#playback-lag').textContent()).toBe('Live');
    expect([...errors, ...spectatorErrors]).toEqual([]);
    await spectator.close();
    await page.close();
  });
  it('a GAN battle spectator falls behind live at 0.5× and l jumps back to live', async () => {
    const { arena: t, browser } = suite;
    const forger = quiet(await (await guestClient(t.url, 'pb-gen')).client.create<GanState>('gan', { side: 'generator', distribution: 'ring', rounds: 1, iterationsPerRound: 4000, frameEveryIterations: 10, heatmapResolution: 16 }));
    const judge = quiet(await (await guestClient(t.url, 'pb-disc')).client.joinById<GanState>(forger.roomId, {}));
    const spectator = await browser.newPage({ viewport: { width: 390, height: 900 } });
    const errors = watchErrors(spectator);
    await spectator.goto(`${t.url}/?room=${forger.roomId}&spectate=1`);
    await spectator.waitForSelector('#spectating #playback');
    expect(await spectator.locator('#playback-lag').textContent()).toBe('Live');
    forger.send('ready', { ready: true });
    judge.send('ready', { ready: true });
    await waitFor(() => forger.state.curveIteration.length >= 2, 'live frames of the round', 60_000);

    const liveIteration = () => forger.state.curveIteration.at(-1) ?? 0;
    const shownIteration = () => spectator.locator('#gan-curves').getAttribute('data-iteration').then(Number);
    await spectator.waitForFunction(() => Number(document.querySelector('#gan-curves')?.getAttribute('data-iteration')) > 0);
    await spectator.click('#playback [data-rate="0.5"]');
    await spectator.waitForFunction(() => Number(document.querySelector('#playback')?.getAttribute('data-behind-ms')) >= 2_000, undefined, { timeout: 30_000 });
    expect(await spectator.locator('#playback-lag').textContent()).toMatch(/^\d+ s behind$/);
    const [shown, live] = [await shownIteration(), liveIteration()];
    expect(shown, 'the spectator sees the round as it was').toBeLessThan(live);

    await spectator.locator('#phase').click();
    await spectator.keyboard.press('l');
    expect(await behindMs(spectator)).toBe(0);
    await expect.poll(async () => (await shownIteration()) >= live, { timeout: 10_000 }).toBe(true);
    expect(errors).toEqual([]);
    await spectator.close();

    await Promise.all([forger.leave(), judge.leave()]);
  });
});
