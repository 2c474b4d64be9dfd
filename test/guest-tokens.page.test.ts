import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signGuestToken, verifyGuestToken, type GuestTokenPolicy } from '../server/identity/guest-token.ts';
import type { RaceState } from '../shared/race.state.ts';
import { guestClient, TEST_SECRET, waitFor } from './support/arena.ts';
import { watchErrors } from './support/browser.ts';
import { pageArenaSuite, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';

/** The arena rotated its secret: TEST_SECRET is now the previous one. */
const CURRENT = 'the-secret-after-rotation-for-the-page-test';
const DAY = 86_400_000;
const current: GuestTokenPolicy = { keys: { current: CURRENT }, ttlSeconds: 30 * 86_400 };
const beforeRotation: GuestTokenPolicy = { keys: { current: TEST_SECRET }, ttlSeconds: 30 * 86_400 };

/** What the page keeps between visits, as an earlier visit left it. */
async function remember(page: Page, url: string, saved: { name: string; token: string; playerId: string }): Promise<void> {
  await page.goto(url);
  await page.evaluate((s) => {
    localStorage.setItem('arena.name', s.name);
    localStorage.setItem('arena.token', s.token);
    localStorage.setItem('arena.playerId', s.playerId);
  }, saved);
  await page.reload();
}

const saved = (page: Page) => page.evaluate(() => ({ token: localStorage.getItem('arena.token')!, playerId: localStorage.getItem('arena.playerId')! }));

/**
 * Errors that are not this test's business: the refused token's 401, which the browser logs by itself,
 * and Content Security Policy reports about the pages' own styles, which the other page tests watch.
 */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401|Content Security Policy/.test(e));

describe.skipIf(!hasChromium())('guest sign-in on the page when the saved token is old, rotated or expired (headless Chromium)', () => {
  const suite = pageArenaSuite({ ARENA_SECRET: CURRENT, ARENA_SECRET_PREVIOUS: TEST_SECRET });

  it('signs a returning player back in to the same account from a 20-day-old token signed with the previous secret, and keeps a fresh one', async () => {
    const { arena: t, browser } = suite;
    const { playerId } = await guestClient(t.url, 'ada');
    const stale = signGuestToken(beforeRotation, playerId, 'ada', Date.now() - 20 * DAY);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await remember(page, t.url, { name: 'ada', token: stale, playerId });
    expect(await page.inputValue('#player-name')).toBe('ada');
    await page.click('#create-race');
    await page.waitForSelector('#designer');

    const kept = await saved(page);
    expect(kept.playerId).toBe(playerId);
    expect(kept.token).not.toBe(stale);
    const fresh = verifyGuestToken(current, kept.token); // signed with the current secret alone, young again
    expect(fresh).toMatchObject({ claims: { sub: playerId }, stale: false });

    const roomId = new URL(page.url()).searchParams.get('room')!;
    const referee = await t.client.joinById<RaceState>(roomId, { role: 'spectator', name: 'referee' });
    referee.onMessage('welcome', () => {});
    await waitFor(() => [...(referee.state.entries?.values() ?? [])].some((e) => e.player === 'ada'), 'ada to have a seat');
    await referee.leave();
    expect(unexpected(errors)).toEqual([]);
    await page.close();
  });

  it('explains an expired token in words, and continues as a new guest with the same name when asked', async () => {
    const { arena: t, browser } = suite;
    const { playerId } = await guestClient(t.url, 'bob');
    const expired = signGuestToken(current, playerId, 'bob', Date.now() - 31 * DAY);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await remember(page, t.url, { name: 'bob', token: expired, playerId });
    await page.click('#create-race');
    await page.waitForSelector('#signed-out');

    expect(await page.getAttribute('#signed-out', 'data-code')).toBe('TOKEN_EXPIRED');
    expect(await page.locator('#signed-out-why').innerText()).toMatch(/guest sign-in has expired/);
    expect(await page.locator('#signed-out').innerText()).toMatch(/progress stay on the server/);
    expect(await page.locator('#signed-out-detail').innerText()).toMatch(/the token expired on \d{4}-\d\d-\d\d.*30 days/);
    expect(await page.locator('#continue-as-new-guest').innerText()).toBe('Continue as a new guest named “bob”');
    expect((await saved(page)).token, 'nothing is thrown away before the player chooses').toBe(expired);
    await shot(page, 'guest-signed-out', undefined, { colors: 8, ink: 0.005 });

    await page.click('#continue-as-new-guest');
    await page.waitForSelector('#designer');
    const kept = await saved(page);
    expect(kept.playerId).not.toBe(playerId);
    // The old account still holds "bob" (names are unique per arena): the new one gets a free #tag of it.
    const newName = verifyGuestToken(current, kept.token).claims.name;
    expect(verifyGuestToken(current, kept.token).claims.sub).toBe(kept.playerId);
    expect(newName).toMatch(/^bob#\d{4}$/);
    const roomId = new URL(page.url()).searchParams.get('room')!;
    const referee = await t.client.joinById<RaceState>(roomId, { role: 'spectator', name: 'referee' });
    referee.onMessage('welcome', () => {});
    await waitFor(() => [...(referee.state.entries?.values() ?? [])].some((e) => e.player === newName), 'the new bob to have a seat');
    await referee.leave();
    expect(unexpected(errors)).toEqual([]);
    await page.close();
  });
});
