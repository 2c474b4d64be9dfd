import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACHIEVEMENTS } from '../server/progression/achievements.ts';
import type { RaceState } from '../shared/race.state.ts';
import { waitFor } from './support/arena.ts';
import { onLocalhost, watchErrors } from './support/browser.ts';
import { DOCS, pageArenaSuite, shot } from './support/page.ts';
import { changedFraction } from './support/pixels.ts';
import { drawn, expectBadge, onRenderer, RENDERERS } from './support/renderers.ts';
import { hasChromium } from './support/services.ts';

// The whole journey on WebGL. On WebGPU (SwiftShader: a frame of the curves costs hundreds of milliseconds of CPU
// there) a trimmed one, to keep CI's browser tests short: the same race with a quick-joining player, a spectator and
// the match replay, with the badge, the pixels and the console checked, but a short unpaced race with no looks or
// steering while it runs, and no leaderboard, profile or dark theme (DOM and SVG, drawn the same on either).
for (const renderer of RENDERERS) {
  const full = renderer === 'webgl';
  const shotName = (s: string) => onRenderer(s, renderer);

  describe.skipIf(!hasChromium())(`the race page in headless Chromium (${renderer})`, () => {
    const suite = pageArenaSuite({}, renderer);

    it(`creates a race, enters a spec, shows moving curves, and opens a read-only spectator view (${renderer}${full ? '' : ', trimmed'})`, async () => {
      const { arena: t, browser } = suite;
      const url = onLocalhost(t.url); // WebGPU needs a secure context
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors = watchErrors(page);
      await page.goto(url);
      await page.fill('#player-name', 'ada');
      // Paced long enough to steer on a loaded machine before the runs end (over 30 s, a full CI run once saw the run
      // end between the check and the click). The trimmed journey neither steers nor looks during the race (on
      // SwiftShader's WebGPU a chart redrawn for every patch of a running race kept a screenshot waiting past its
      // timeout): a short unpaced race, its chart compared before and after.
      await page.selectOption('#budget', full ? '50000' : '5000');
      if (full) await page.selectOption('#pace', '60');
      await page.click('#create-race');
      await page.waitForSelector('#designer');
      await expectBadge(page, renderer);

      // The designer explains a bad value and shows live size figures for a good one.
      await page.fill('#spec-layers', '32, 0');
      expect(await page.locator('#spec-problem').textContent()).toContain('layer width: units must be at least 1');
      expect(await page.locator('#submit-spec').isDisabled()).toBe(true);
      await page.fill('#spec-layers', '32, 32, 32');
      expect(await page.locator('#spec-stats').textContent()).toContain('2.3k parameters');
      await page.click('#submit-spec');
      await page.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
      await shot(page, shotName('race-lobby'));
      const lobbyChart = full ? undefined : await shot(page, shotName('race-chart-lobby'), '#chart canvas');

      // A second player finds the race in the home page's list of open rooms and quick-joins it.
      const roomId = new URL(page.url()).searchParams.get('room')!;
      const bobPage = await browser.newPage({ viewport: { width: 1100, height: 800 } });
      const bobErrors = watchErrors(bobPage);
      await bobPage.goto(url);
      await bobPage.fill('#player-name', 'bob');
      await bobPage.waitForSelector(`#lobby tr[data-room="${roomId}"]`);
      expect(await bobPage.locator(`#lobby tr[data-room="${roomId}"]`).innerText()).toMatch(/Race[\s\S]*spiral[\s\S]*lobby[\s\S]*1\/8/);
      await shot(bobPage, shotName('home-lobby'));
      await bobPage.click('#quick-join');
      await bobPage.waitForSelector('#designer');
      await bobPage.selectOption('#spec-template', { index: 4 });
      await bobPage.click('#submit-spec');
      await bobPage.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
      await bobPage.click('#ready');
      const bob = await t.client.joinById<RaceState>(roomId, { role: 'spectator', name: 'referee' }); // an SDK observer for the checks below
      await waitFor(() => [...(bob.state.entries?.values() ?? [])].some((e) => e.player === 'bob' && e.status === 'ready'), 'bob to be ready');
      await page.click('#ready');

      // A spectator follows the link and sees the race read-only.
      const watchLink = await page.inputValue('#watch-link');
      const spectator = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const spectatorErrors = watchErrors(spectator);
      await spectator.goto(watchLink);
      await spectator.waitForSelector('#spectating');
      expect(await spectator.locator('#designer').count()).toBe(0);

      expect(await spectator.locator('#steer').count(), 'a spectator has no steering panel').toBe(0);
      if (full) {
        await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Training');
        await waitFor(() => bob.state.entries && [...bob.state.entries.values()].every((e) => e.curveSamples.length >= 2), 'both curves to have points');
        const first = await shot(page, 'race-curve-early', '#chart');
        // Every entry trains another tenth of the budget (5,000 samples) before the second look.
        const seen = new Map([...bob.state.entries.values()].map((e) => [e.seat, e.samples]));
        await waitFor(() => [...bob.state.entries.values()].every((e) => e.samples >= seen.get(e.seat)! + 5_000 && e.curveSamples.length >= 12), 'the curves to grow');
        await page.waitForTimeout(200); // the page draws on its next frame
        const second = await shot(page, 'race-curve-later', '#chart');
        expect(changedFraction(first, second), 'the curve moved between the two screenshots').toBeGreaterThan(0.002);

        // The player steers during the race: one intervention, paid for in samples.
        await page.waitForSelector('#steer:not([hidden])');
        expect(await page.locator('#steer-status').textContent()).toContain('3 of 3 interventions left');
        await page.fill('#steer-lr', '0.003');
        await page.click('#steer button[data-key="l"]');
        await page.waitForFunction(() => document.querySelector('#steer-status')?.textContent?.includes('2 of 3'));
        await shot(page, 'race-steer', '#steer');
      }

      await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', null, { timeout: 90_000 });
      await spectator.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished');
      if (lobbyChart) {
        await drawn(page);
        const finished = await shot(page, shotName('race-chart-finished'), '#chart canvas');
        expect(changedFraction(lobbyChart, finished), 'the curves were drawn').toBeGreaterThan(0.002);
      }
      await shot(page, shotName('race-finished'), undefined, full ? { alsoTo: path.join(DOCS, 'race.png') } : {});
      await shot(spectator, shotName('race-spectator'));
      await expectBadge(spectator, renderer);
      const rows = await spectator.locator('#standings tbody tr').count();
      expect(rows).toBe(2);
      expect(spectatorErrors).toEqual([]);
      expect(bobErrors).toEqual([]);
      await bob.leave();
      await bobPage.close();
      await spectator.close();

      // The match page: the stored ranking, and the race replayed from its stored curves.
      await page.click('#match-link');
      await page.waitForSelector('#match-ranking tbody tr');
      expect(await page.locator('#match-ranking tbody tr').count()).toBe(2);
      await page.waitForSelector('#match-chart canvas');
      await page.waitForTimeout(300);
      const whole = await shot(page, shotName('match'), '#match-chart', full ? { alsoTo: path.join(DOCS, 'match.png') } : {});
      await page.click('#replay');
      await page.waitForTimeout(1500);
      const replaying = await shot(page, shotName('match-replay'), '#match-chart');
      expect(changedFraction(whole, replaying), 'the replay redraws the curves from the start').toBeGreaterThan(0.002);
      await expectBadge(page, renderer);
      if (!full) {
        expect(errors).toEqual([]);
        return;
      }

      // The race put both players on the leaderboard; the page's player sees their own place.
      await page.click('#nav-leaderboard');
      await page.waitForSelector('#leaderboard tbody tr[data-player]');
      await page.click('[data-board="xp"]');
      await page.waitForFunction(() => document.querySelectorAll('#leaderboard tbody tr[data-player]').length === 2).catch(async (err) => {
        throw new Error(`${err}: the board shows ${await page.locator('#leaderboard').innerText()}`);
      });
      expect(await page.locator('#own-rank').textContent()).toMatch(/^You are #[12] with \d+ XP\.$/);
      expect(await page.locator('#leaderboard tr.me').count()).toBe(1);
      await shot(page, 'leaderboard', undefined, { alsoTo: path.join(DOCS, 'leaderboard.png') });

      // Their profile: level, XP bar, every achievement with progress, the rating after the race.
      await page.click('#leaderboard tr.me a');
      await page.waitForSelector('#achievements');
      expect(await page.locator('#achievements .achievement').count()).toBe(ACHIEVEMENTS.length);
      expect(await page.locator('#profile h2').textContent()).toBe('ada');
      expect(await page.locator('.rating-chart circle').count()).toBe(1);
      await shot(page, 'profile', undefined, { alsoTo: path.join(DOCS, 'profile.png') });
      await page.click('#theme-toggle');
      await shot(page, 'profile-dark');
      expect(errors).toEqual([]);
    }, full ? 120_000 : 180_000);
  });
}
