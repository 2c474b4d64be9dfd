import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RaceState } from '../shared/race.state.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import { startTestArena, waitFor } from './support/arena.ts';
import { launchChromium, watchErrors } from './support/browser.ts';
import { changedFraction, pixelStats } from './support/pixels.ts';
import { hasChromium } from './support/services.ts';

const SHOTS = fileURLToPath(new URL('../test-results/screenshots', import.meta.url));

async function shot(page: Page, name: string, selector?: string): Promise<Buffer> {
  const png = selector ? await page.locator(selector).screenshot() : await page.screenshot({ fullPage: true });
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(path.join(SHOTS, `${name}.png`), png);
  const stats = pixelStats(png);
  expect(stats.distinctColors, `${name}: more than a handful of colours`).toBeGreaterThan(20);
  expect(stats.inkFraction, `${name}: not one flat colour`).toBeGreaterThan(0.01);
  return png;
}

describe.skipIf(!hasChromium())('the race page in headless Chromium', () => {
  let clientDir: string;
  let t: Awaited<ReturnType<typeof startTestArena>>;
  let browser: Browser;

  beforeAll(async () => {
    clientDir = mkdtempSync(path.join(tmpdir(), 'arena-client-'));
    await build({ configFile: fileURLToPath(new URL('../client/vite.config.ts', import.meta.url)), build: { outDir: clientDir, emptyOutDir: true }, logLevel: 'warn' });
    t = await startTestArena({ CLIENT_DIR: clientDir });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    if (clientDir) rmSync(clientDir, { recursive: true, force: true });
  });

  it('creates a race, enters a spec, shows moving curves, and opens a read-only spectator view', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(t.url);
    await expect(page.locator('#renderer-badge')).toBeDefined();
    await page.fill('#player-name', 'ada');
    await page.selectOption('#budget', '50000');
    await page.click('#create-race');
    await page.waitForSelector('#designer');
    expect(await page.locator('#renderer-badge').textContent()).toBe('WebGL');

    // The designer explains a bad value and shows live size figures for a good one.
    await page.fill('#spec-layers', '32, 0');
    expect(await page.locator('#spec-problem').textContent()).toContain('layer width: units must be at least 1');
    expect(await page.locator('#submit-spec').isDisabled()).toBe(true);
    await page.fill('#spec-layers', '32, 32, 32');
    expect(await page.locator('#spec-stats').textContent()).toContain('2.3k parameters');
    await page.click('#submit-spec');
    await page.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
    await shot(page, 'race-lobby');

    // A second player joins through the SDK and gets ready.
    const roomId = new URL(page.url()).searchParams.get('room')!;
    const bob = await t.client.joinById<RaceState>(roomId, { name: 'bob' });
    bob.onMessage('result', () => {});
    bob.send('spec', { spec: SPEC_TEMPLATES[3]!.spec });
    bob.send('ready', { ready: true });
    await page.click('#ready');

    // A spectator follows the link and sees the race read-only.
    const watchLink = await page.inputValue('#watch-link');
    const spectator = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const spectatorErrors = watchErrors(spectator);
    await spectator.goto(watchLink);
    await spectator.waitForSelector('#spectating');
    expect(await spectator.locator('#designer').count()).toBe(0);

    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Training');
    await waitFor(() => bob.state.entries && [...bob.state.entries.values()].every((e) => e.curveSamples.length >= 2), 'both curves to have points');
    const first = await shot(page, 'race-curve-early', '#chart');
    await waitFor(() => [...bob.state.entries.values()].every((e) => e.curveSamples.length >= 12), 'the curves to grow');
    const second = await shot(page, 'race-curve-later', '#chart');
    expect(changedFraction(first, second), 'the curve moved between the two screenshots').toBeGreaterThan(0.002);

    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', null, { timeout: 90_000 });
    await spectator.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished');
    await shot(page, 'race-finished');
    await shot(spectator, 'race-spectator');
    const rows = await spectator.locator('#standings tbody tr').count();
    expect(rows).toBe(2);
    expect(spectatorErrors).toEqual([]);
    await bob.leave();

    // The race put both players on the leaderboard; the page's player sees their own place.
    await page.click('#nav-leaderboard');
    await page.waitForSelector('#leaderboard tbody tr[data-player]');
    await page.click('[data-board="xp"]');
    await page.waitForFunction(() => document.querySelectorAll('#leaderboard tbody tr[data-player]').length === 2);
    expect(await page.locator('#own-rank').textContent()).toMatch(/^You are #[12] with \d+ XP\.$/);
    expect(await page.locator('#leaderboard tr.me').count()).toBe(1);
    await shot(page, 'leaderboard');

    // Their profile: level, XP bar, every achievement with progress, the rating after the race.
    await page.click('#leaderboard tr.me a');
    await page.waitForSelector('#achievements');
    expect(await page.locator('#achievements .achievement').count()).toBe(12);
    expect(await page.locator('#profile h2').textContent()).toBe('ada');
    expect(await page.locator('.rating-chart circle').count()).toBe(1);
    await shot(page, 'profile');
    await page.click('#theme-toggle');
    await shot(page, 'profile-dark');
    expect(errors).toEqual([]);
  });
});
