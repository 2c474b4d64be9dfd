/**
 * Every page fits a phone: at 360×740 and 390×844 the home page (and its open
 * rooms), a race as a player and as a spectator, a tournament and a GAN battle
 * as a player, a playground as its owner and as a spectator, a match, the
 * leaderboard and a profile are loaded, and each fails if the document is
 * wider than the screen or a visible control or canvas reaches past either
 * edge. A screenshot of each is kept in test-results/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { openRooms, signedInContext, storeMatchWithCurves } from './support/page-fixtures.ts';
import { pageArenaSuite, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';

const SIZES = [
  { width: 360, height: 740 },
  { width: 390, height: 844 },
] as const;

/** What reaches past the screen: the document's own width, then each visible control or canvas that does. */
function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const found: string[] = [];
    if (document.documentElement.scrollWidth > width) found.push(`the document is ${document.documentElement.scrollWidth} px wide`);
    for (const el of document.querySelectorAll('button, input, select, textarea, canvas')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue; // not shown
      if (box.left < -0.5 || box.right > width + 0.5) {
        const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.textContent?.trim() ? ` "${el.textContent.trim().slice(0, 24)}"` : ''}`;
        found.push(`${name} spans ${Math.round(box.left)}–${Math.round(box.right)} px`);
      }
    }
    return found;
  });
}

describe.skipIf(!hasChromium())('every page fits a phone', () => {
  const suite = pageArenaSuite();

  it('fits 360 and 390 px wide screens with nothing cut off, as a player and as a spectator', async () => {
    const { arena: t, browser } = suite;
    const match = await storeMatchWithCurves(t.arena.database.db);
    const problems: string[] = [];
    for (const size of SIZES) problems.push(...(await checkAt(browser, t.url, size, match.id)));
    expect(problems).toEqual([]);
  });
});

/** Loads every page at one size in a browser of its own (its own guest) and lists what does not fit. */
async function checkAt(browser: Browser, url: string, size: { width: number; height: number }, matchId: string): Promise<string[]> {
  const rooms = await openRooms(url); // rooms of its own: a seat this size's player takes is not the other size's
  // Not isMobile: Chromium's mobile emulation would widen the layout viewport to fit a page that overflows.
  const { context } = await signedInContext(browser, url, `phone-${size.width}`, { viewport: size, hasTouch: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const problems: string[] = [];
  /** Follows an in-app link (the page is not reloaded, as on a phone). */
  const go = (href: string) =>
    page.evaluate((h) => {
      const a = document.createElement('a');
      a.href = h;
      document.body.append(a);
      a.click();
      a.remove();
    }, href);
  const check = async (name: string, ready: string, selector?: string) => {
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))); // laid out and drawn
    for (const p of await cutOff(page)) problems.push(`${name} at ${size.width}×${size.height}: ${p}`);
    await shot(page, `phone-${name}-${size.width}`, selector);
  };
  try {
    await page.goto(`${url}/`);
    await check('home', '#lobby tbody tr');
    await check('lobby', '#lobby tbody tr', '#open-rooms');
    await go(`/?room=${rooms.race.roomId}`);
    await check('race-player', '#designer');
    await go(`/?room=${rooms.race.roomId}&spectate=1`);
    await check('race-spectator', '#spectating');
    await go(`/?room=${rooms.tournament.roomId}`);
    await check('tournament', '#t-players tbody tr');
    await go(`/?room=${rooms.gan.roomId}`);
    await check('gan', '#gan-designer');
    await go(`/?room=${rooms.playground.roomId}&spectate=1`);
    await check('playground-spectator', '#boundary canvas');
    await go('/');
    await page.locator('#create-playground').click();
    await check('playground', '#boundary canvas');
    await go('/');
    await page.selectOption('#playground-task', 'mnist');
    await page.locator('#create-playground').click();
    await check('playground-mnist', '#designer li.layer-block.image');
    await go(`/#/matches/${matchId}`);
    await check('match', '#match-chart canvas');
    await go('/#/leaderboard');
    await check('leaderboard', '#leaderboard tbody tr');
    await go(`/#/players/${rooms.hostId}`);
    await check('profile', '#profile');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    await rooms.leave();
  }
  return problems;
}
