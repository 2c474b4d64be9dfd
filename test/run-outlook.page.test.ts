/**
 * The time left, best so far and trend of every live run, in headless
 * Chromium: on the playground (run A, its fork B, paused, and a spectator who
 * joins midway), in a race's standings and on each side of a tournament's
 * running matches, at 390 px wide and in both themes. Runs are paced so they
 * are still training while the page is looked at.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import type { TournamentState } from '../shared/tournament.state.ts';
import { guestClient } from './support/arena.ts';
import { watchErrors } from './support/browser.ts';
import { openPlayground, pageArenaSuite, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';
import { quiet } from './support/sdk-players.ts';

const PHONE = { width: 390, height: 844 };

/** What a read-out shows now: its ETA kind and text, the best so far, the trend and its label. */
interface Reading {
  eta: string;
  etaText: string;
  best: string;
  trend: string;
  trendLabel: string;
}

/** Reads the read-out under `root` (an element holding one .outlook-eta, .outlook-best and .outlook-trend), or null while there is none. */
function reading(page: Page, root: string): Promise<Reading | null> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const eta = el?.querySelector<HTMLElement>('.outlook-eta');
    const best = el?.querySelector<HTMLElement>('.outlook-best');
    const trend = el?.querySelector<HTMLElement>('.outlook-trend');
    if (!eta || !best || !trend) return null;
    return { eta: eta.dataset.eta ?? '', etaText: eta.textContent ?? '', best: best.textContent ?? '', trend: trend.dataset.trend ?? '', trendLabel: trend.getAttribute('aria-label') ?? '' };
  }, root);
}

/** Waits until the read-out under `root` satisfies `ok`, and returns it. */
async function until(page: Page, root: string, ok: (r: Reading) => boolean, what: string, timeoutMs = 60_000): Promise<Reading> {
  const end = Date.now() + timeoutMs;
  let last: Reading | null = null;
  while (Date.now() < end) {
    last = await reading(page, root);
    if (last && ok(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`${root}: ${what} within ${timeoutMs / 1000}s; it last read ${JSON.stringify(last)}`);
}

/** "1m 45s left" → 105, "1h 02m left" → 3720, "under 1s left" → 0. */
function etaSeconds(text: string): number {
  if (!/^(under 1s|\d+h \d+m|(\d+m )?\d+s) left$/.test(text)) throw new Error(`not a time left: ${JSON.stringify(text)}`);
  const part = (unit: string) => Number(new RegExp(`(\\d+)${unit}`).exec(text)?.[1] ?? 0);
  return text.startsWith('under') ? 0 : part('h') * 3600 + part('m') * 60 + part('s');
}

const BEST = /^best\s\d{1,3}\.\d% at\s[\d,]+$/; // \s: the page keeps each figure with its word (no-break spaces)
const hasEta = (r: Reading) => r.eta === 'eta' && /left$/.test(r.etaText);
const hasTrend = (r: Reading) => ['improving', 'flat', 'worsening'].includes(r.trend) && new RegExp(`validation accuracy ${r.trend}: [+−]\\d+\\.\\d points over the last [\\d,]+ samples`).test(r.trendLabel);

/** Whether anything visible reaches past the screen's edges (the document, or the read-outs). */
function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    if (document.documentElement.scrollWidth > window.innerWidth) {
      // name the outermost elements that reach past the edge
      const past = [...document.querySelectorAll<HTMLElement>('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5);
      const outermost = past.filter((el) => !past.includes(el.parentElement!)).map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`);
      found.push(`the document is ${document.documentElement.scrollWidth} px wide: ${outermost.slice(0, 3).join(', ')}`);
    }
    for (const el of document.querySelectorAll('.outlook-eta, .outlook-best, .outlook-trend')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && (box.left < -0.5 || box.right > window.innerWidth + 0.5)) found.push(`${el.className} spans ${Math.round(box.left)}–${Math.round(box.right)} px`);
    }
    return found;
  });
}

describe.skipIf(!hasChromium())('time left, best so far and trend on the pages, in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('on the playground: measuring, then a time left that falls, paused while paused, for fork B too, and for a spectator who joins midway', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: PHONE });
    const errors = watchErrors(page);
    await openPlayground(page, t.url, { name: 'ada', task: 'spiral', budget: '50000', pace: '120' });
    expect(await page.locator('#outlooks').isHidden(), 'no read-out before the first run').toBe(true);
    await page.click('#start-run');

    // Nothing made up: first the pace is measured, then a time left comes and falls as the run trains.
    const first = await until(page, '#outlook-a', () => true, 'a read-out to appear');
    expect(first.eta).toBe('measuring');
    expect(first.etaText).toBe('measuring…');
    const early = await until(page, '#outlook-a', hasEta, 'a time left');
    // 50,000 samples paced over 120 s: about two minutes at the start, never more than the pace allows.
    expect(etaSeconds(early.etaText)).toBeGreaterThan(20);
    expect(etaSeconds(early.etaText)).toBeLessThan(400);
    const later = await until(page, '#outlook-a', (r) => hasEta(r) && etaSeconds(r.etaText) <= etaSeconds(early.etaText) - 5, 'the time left to fall by 5 s');
    expect(later.best).toMatch(BEST);
    const trended = await until(page, '#outlook-a', hasTrend, 'a trend with its label');
    expect(trended.best).toMatch(BEST);
    expect(await cutOff(page)).toEqual([]);

    // Paused: the read-out says so; resumed: measured afresh, then a time left again.
    await page.locator('#phase').click();
    await page.keyboard.press(' ');
    await until(page, '#outlook-a', (r) => r.eta === 'paused' && r.etaText === 'paused', 'paused');
    await page.keyboard.press(' ');
    await until(page, '#outlook-a', (r) => r.eta === 'measuring', 'measuring after the resume');
    await until(page, '#outlook-a', hasEta, 'a time left after the resume');

    // A spectator who joins midway gets the best and the trend from the downsampled curve at once.
    const watchLink = await page.inputValue('#watch-link');
    const spectator = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const spectatorErrors = watchErrors(spectator);
    await spectator.goto(watchLink);
    const joined = await until(spectator, '#outlook-a', () => true, "the spectator's read-out");
    expect(joined.eta).toBe('measuring');
    expect(joined.best).toMatch(BEST);
    expect(hasTrend(joined), `a trend at first sight: ${JSON.stringify(joined)}`).toBe(true);
    await until(spectator, '#outlook-a', hasEta, "the spectator's time left");

    // Fork B has a read-out of its own.
    await page.locator('#phase').click();
    await page.keyboard.press('f');
    const b = await until(page, '#outlook-b', hasEta, "B's time left");
    expect(await page.locator('#outlook-b .outlook-label').textContent()).toBe('B');
    expect(await page.locator('#outlook-a .outlook-label').textContent()).toBe('A');
    await until(page, '#outlook-b', (r) => hasEta(r) && r.etaText !== b.etaText && BEST.test(r.best), "B's time left to change");
    await until(spectator, '#outlook-b', (r) => BEST.test(r.best), "B's read-out for the spectator");

    // Both themes: the figures follow the theme's text colour.
    // read in one go: the read-out is rebuilt every frame, and a detached element has no computed colour
    const colour = () => page.evaluate(() => getComputedStyle(document.querySelector('#outlook-a .outlook-best')!).color);
    await shot(page, 'outlook-playground-light', '#outlooks', { colors: 2, ink: 0.001 });
    const light = await colour();
    await page.click('#theme-toggle');
    await shot(page, 'outlook-playground-dark', '#outlooks', { colors: 2, ink: 0.001 });
    expect(light).toMatch(/^rgb/);
    expect(await colour()).not.toBe(light);
    expect(await cutOff(page)).toEqual([]);

    // Stop both runs: the read-outs say done.
    await page.locator('#phase').click();
    await page.keyboard.press('s'); // B, steered since the fork
    await until(page, '#outlook-b', (r) => r.eta === 'done', 'B done');
    await page.keyboard.press('s');
    await until(page, '#outlook-a', (r) => r.eta === 'done' && r.etaText === 'done', 'A done');
    expect(errors).toEqual([]);
    expect(spectatorErrors).toEqual([]);
    await Promise.all([page.close(), spectator.close()]);
  }, 240_000);

  it('in a race: each entry of the standings, for a spectator on a phone who joins while it trains', async () => {
    const { arena: t, browser } = suite;
    const ada = quiet(await (await guestClient(t.url, 'race-ada')).client.create<RaceState>('race', { budget: 40_000, paceSeconds: 60, countdownSeconds: 0, minPlayers: 2 }));
    const bob = quiet(await (await guestClient(t.url, 'race-bob')).client.joinById<RaceState>(ada.roomId, {}));
    [ada, bob].forEach((room, i) => room.send('spec', { spec: SPEC_TEMPLATES[i]!.spec }));
    await new Promise((r) => setTimeout(r, 500));
    for (const room of [ada, bob]) room.send('ready', { ready: true });

    const page = await browser.newPage({ viewport: PHONE });
    const errors = watchErrors(page);
    await page.goto(`${t.url}/?room=${ada.roomId}&spectate=1`);
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Training', undefined, { timeout: 60_000 });
    for (const seat of [0, 1]) {
      const row = `#standings tr[data-seat="${seat}"]`;
      const early = await until(page, row, hasEta, `seat ${seat}'s time left`);
      await until(page, row, (r) => hasEta(r) && etaSeconds(r.etaText) <= etaSeconds(early.etaText) - 3 && BEST.test(r.best), `seat ${seat}'s time left to fall`);
      await until(page, row, hasTrend, `seat ${seat}'s trend`);
    }
    expect(await cutOff(page)).toEqual([]);
    await shot(page, 'outlook-race-phone', '#standings', { colors: 10 });
    expect(errors).toEqual([]);
    await Promise.all([ada.leave(), bob.leave()]);
    await page.close();
  }, 180_000);

  it("in a tournament: each side of each running match, in the bracket a spectator watches", async () => {
    const { arena: t, browser } = suite;
    const names = ['to-ann', 'to-ben', 'to-cat', 'to-dan'];
    const first = quiet(await (await guestClient(t.url, names[0]!)).client.create<TournamentState>('tournament', { title: 'Outlook cup', format: 'single_elimination', budget: 40_000, paceSeconds: 60, countdownSeconds: 0, task: { name: 'moons' } }));
    const players = [first];
    for (const name of names.slice(1)) players.push(quiet(await (await guestClient(t.url, name)).client.joinById<TournamentState>(first.roomId, {})));
    players.forEach((p, i) => p.send('spec', { spec: SPEC_TEMPLATES[i]!.spec }));
    await new Promise((r) => setTimeout(r, 500));
    for (const p of players) p.send('ready', { ready: true });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${t.url}/?room=${first.roomId}&spectate=1`);
    await page.waitForSelector('#bracket .match[data-status="racing"] .side .outlook', { timeout: 60_000 });
    for (const index of [0, 1]) {
      for (const side of [1, 2]) {
        const root = `#bracket .match[data-round="1"][data-index="${index}"] .side:nth-child(${side})`;
        const early = await until(page, root, hasEta, `match ${index + 1}, side ${side}: a time left`);
        await until(page, root, (r) => hasEta(r) && etaSeconds(r.etaText) <= etaSeconds(early.etaText) - 3 && BEST.test(r.best), `match ${index + 1}, side ${side}: the time left to fall`);
        await until(page, root, hasTrend, `match ${index + 1}, side ${side}: a trend`);
      }
    }
    await shot(page, 'outlook-tournament', '#bracket');
    expect(errors).toEqual([]);
    await Promise.all(players.map((p) => p.leave()));
    await page.close();
  }, 180_000);
});
