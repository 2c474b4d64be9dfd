/**
 * Navigating lets go: a visitor goes round every page ten times (home, a race
 * and a tournament as a player, a GAN battle and a playground as a spectator
 * with its 3D graph open, a match, the leaderboard, a profile) by in-app
 * links, and back on the home page each time the document's and window's
 * listeners, all JS listeners, canvases and live WebGL/WebGPU contexts are
 * counted after a garbage collection. None may pile up.
 */
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { openRooms, signedInContext, storeMatchWithCurves, type OpenRooms } from './support/page-fixtures.ts';
import { pageArenaSuite } from './support/page.ts';
import { hasChromium } from './support/services.ts';

const ROUNDS = 10;

/** Counts the WebGL and WebGPU contexts the page makes; live: not lost and not yet collected. */
const COUNT_CONTEXTS = `(() => {
  const made = [];
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
    const ctx = getContext.call(this, type, ...rest);
    if (ctx && /^(webgl2?|experimental-webgl|webgpu)$/.test(type)) made.push(new WeakRef(ctx));
    return ctx;
  };
  const live = () => made.map((r) => r.deref()).filter((c) => c && !(typeof c.isContextLost === 'function' && c.isContextLost()));
  globalThis.__contexts = () => ({
    made: made.length,
    live: live().length,
    which: live().map((c) => (c.canvas.getAttribute('aria-label') || c.canvas.id || 'unnamed').slice(0, 40)),
  });
})();`;

interface Counts {
  documentListeners: number;
  windowListeners: number;
  jsListeners: number;
  canvases: number;
  liveContexts: number;
  contextsMade: number;
  /** The live contexts' canvases, by label. */
  liveCanvases: string[];
}

async function listenersOn(cdp: CDPSession, expression: string): Promise<number> {
  const { result } = await cdp.send('Runtime.evaluate', { expression });
  const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
  await cdp.send('Runtime.releaseObject', { objectId: result.objectId! });
  return listeners.length;
}

async function counts(page: Page, cdp: CDPSession): Promise<Counts> {
  await cdp.send('HeapProfiler.collectGarbage');
  const dom = await cdp.send('Memory.getDOMCounters');
  const contexts = await page.evaluate(() => (globalThis as unknown as { __contexts(): { made: number; live: number; which: string[] } }).__contexts());
  return {
    documentListeners: await listenersOn(cdp, 'document'),
    windowListeners: await listenersOn(cdp, 'window'),
    jsListeners: dom.jsEventListeners,
    canvases: await page.locator('canvas').count(),
    liveContexts: contexts.live,
    contextsMade: contexts.made,
    liveCanvases: contexts.which,
  };
}

describe.skipIf(!hasChromium())('pages let go of what they started', () => {
  const suite = pageArenaSuite();
  let rooms: OpenRooms;
  beforeAll(async () => {
    rooms = await openRooms(suite.arena.url);
  });
  afterAll(async () => {
    await rooms?.leave();
  });

  it(`goes round every page ${ROUNDS} times without piling up listeners, canvases or GPU contexts`, async () => {
    const { arena: t, browser } = suite;
    const match = await storeMatchWithCurves(t.arena.database.db);
    const { context } = await signedInContext(browser, t.url, 'rounder', { viewport: { width: 1280, height: 900 } });
    await context.addInitScript(COUNT_CONTEXTS);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const said: string[] = [];
    page.on('console', (m) => said.push(m.text()));
    await page.exposeFunction('__toast', (t: string) => said.push(`toast: ${t}`));
    await context.addInitScript(() => {
      new MutationObserver((ms) => {
        for (const m of ms) for (const n of m.addedNodes) if (n.parentElement?.id === 'toasts') (window as unknown as { __toast(t: string | null): void }).__toast(n.textContent);
      }).observe(document, { childList: true, subtree: true });
    });
    const cdp = await context.newCDPSession(page);

    /** Follows an in-app link, as a click on the top bar or a match link does. */
    const go = (href: string) =>
      page.evaluate((h) => {
        const a = document.createElement('a');
        a.href = h;
        document.body.append(a);
        a.click();
        a.remove();
      }, href);
    /** Waits for `selector`; a page that never shows it is described in the failure. */
    const shown = async (selector: string) => {
      try {
        // a locator, not waitForSelector: the element handle that returns would keep the page's old DOM alive
        await page.locator(selector).first().waitFor({ timeout: 30_000 });
      } catch (err) {
        const text = (await page.locator('#toasts').innerText().catch(() => '')) + ' / ' + (await page.locator('#app').innerText().catch(() => ''));
        const canvases = await page.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => `${c.parentElement?.id}:${c.width}x${c.height}`).join(', '));
        throw new Error(`${selector} never showed at ${page.url()}: ${String(err).split('\n')[0]}\npage: ${text.slice(0, 400)}\ncanvases: ${canvases}\nround ${seen.length + 1}, errors: ${errors.join(' | ')}\nsaid: ${said.slice(-15).join('\n')}`);
      }
    };
    const home = async () => {
      await go('/');
      // the open-rooms list has joined the lobby once it lists the four rooms
      await page.waitForFunction(() => document.querySelectorAll('#lobby tbody tr').length >= 4, undefined, { timeout: 30_000 });
    };
    const room = async (id: string, spectate: boolean, ready: string) => {
      await go(`/?room=${id}${spectate ? '&spectate=1' : ''}`);
      await shown(ready);
    };

    const seen: Counts[] = [];
    await page.goto(`${t.url}/`);
    await page.waitForFunction(() => document.querySelectorAll('#lobby tbody tr').length >= 4, undefined, { timeout: 30_000 });
    const timing = new Map<string, number>();
    const timed = async (what: string, step: () => Promise<void>) => {
      const t0 = Date.now();
      await step();
      timing.set(what, (timing.get(what) ?? 0) + Date.now() - t0);
    };
    for (let round = 0; round < ROUNDS; round++) {
      await timed('race', async () => {
        await room(rooms.race.roomId, false, '#chart canvas');
        await shown('#designer');
      });
      await timed('tournament', () => room(rooms.tournament.roomId, false, '#t-players tbody tr'));
      await timed('gan', () => room(rooms.gan.roomId, true, '#gan-curves canvas'));
      await timed('playground', () => room(rooms.playground.roomId, true, '#boundary canvas'));
      await timed('graph', async () => {
        await page.keyboard.press('g'); // the 3D network graph: Babylon
        await shown('#network-graph[data-engine] canvas');
      });
      await timed('match', async () => {
        await go(`/#/matches/${match.id}`);
        await shown('#match-chart canvas');
      });
      await timed('leaderboard', async () => {
        await go('/#/leaderboard');
        await shown('#leaderboard');
      });
      await timed('profile', async () => {
        await go(`/#/players/${rooms.hostId}`);
        await shown('#profile');
      });
      await timed('home', home);
      await timed('counting', async () => void seen.push(await counts(page, cdp)));
    }
    console.log('time on each page over all rounds (ms):', JSON.stringify(Object.fromEntries(timing)));
    console.log('counts on the home page after each round:', JSON.stringify(seen));

    const first = seen[0]!;
    const last = seen.at(-1)!;
    // The page went round: every round made new contexts (charts, planes, the 3D graph).
    expect(last.contextsMade).toBeGreaterThan(first.contextsMade);
    for (const [i, c] of seen.entries()) {
      expect(c.canvases, `round ${i + 1}: canvases left on the home page`).toBe(0);
      expect(c.documentListeners, `round ${i + 1}: listeners on the document`).toBe(first.documentListeners);
      expect(c.windowListeners, `round ${i + 1}: listeners on the window`).toBe(first.windowListeners);
      expect(c.liveContexts, `round ${i + 1}: live WebGL/WebGPU contexts (${c.liveCanvases.join(' | ')})`).toBeLessThanOrEqual(first.liveContexts);
    }
    // A page that kept its listeners would add dozens a round; collected garbage may differ by a few.
    expect(last.jsListeners - seen[1]!.jsListeners, 'JS listeners gained over the last rounds').toBeLessThan(ROUNDS * 4);
    expect(errors).toEqual([]);
    await context.close();
  });
});
