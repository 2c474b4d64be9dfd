import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { onLocalhost, watchErrors } from './support/browser.ts';
import { DOCS, shot, pageArenaSuite } from './support/page.ts';
import { changedFraction } from './support/pixels.ts';
import { BADGE, expectBadge, onRenderer, RENDERERS } from './support/renderers.ts';
import { hasChromium } from './support/services.ts';

const probeStep = (page: Page) => page.locator('#boundary').getAttribute('data-step').then(Number);

// The whole journey on WebGL. On WebGPU (SwiftShader: every frame of the Pixi views costs hundreds of milliseconds
// of CPU there) a trimmed one, to keep CI's browser tests short: the same run, boundary, curve, steering, loss
// terrain (Babylon on WebGPU) and spectator, with the badge, the pixels and the console checked, but no dark theme
// and no fork.
for (const renderer of RENDERERS) {
  const full = renderer === 'webgl';
  const shotName = (s: string) => onRenderer(s, renderer);

  describe.skipIf(!hasChromium())(`the playground page in headless Chromium (${renderer})`, () => {
    const suite = pageArenaSuite({}, renderer);

    it(`creates a playground, trains for real, redraws the boundary, steers, opens the loss terrain, and shows a read-only spectator view (${renderer}${full ? '' : ', trimmed'})`, async () => {
      const { arena: t, browser } = suite;
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const errors = watchErrors(page);
      await page.goto(onLocalhost(t.url)); // WebGPU needs a secure context
      await page.fill('#player-name', 'ada');
      await page.selectOption('#playground-task', 'spiral');
      await page.selectOption('#playground-budget', '5000000');
      await page.selectOption('#playground-pace', '600'); // still training at the end of the test, however fast the engine
      await page.click('#create-playground');
      await page.waitForSelector('#designer');
      await expectBadge(page, renderer);
      // Babylon is loaded only when the terrain is opened.
      expect(await page.evaluate(() => performance.getEntriesByType('resource').some((r) => /terrain\.view/.test(r.name)))).toBe(false);

      // A spec: the designer explains a bad one, and the good one trains.
      await page.fill('#spec-layers', '24, 0');
      expect(await page.locator('#spec-problem').textContent()).toContain('layer width: units must be at least 1');
      expect(await page.locator('#start-run').isDisabled()).toBe(true);
      await page.fill('#spec-layers', '24, 24');
      await page.selectOption('#spec-activation', 'relu');
      expect(await page.locator('#spec-stats').textContent()).toContain('722 parameters');
      expect(await page.locator('#lr-slider').isDisabled(), 'controls wait for a live run').toBe(true);
      await page.click('#start-run');
      await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Training');
      expect(await page.locator('#run-meta').textContent()).toContain('2-24-24-2 relu');

      // The boundary arrives, and a later probe redraws it; a new learning rate from the slider comes back as the
      // applied one; space pauses. On WebGPU the screenshots are taken while the run is paused: on SwiftShader a
      // chart redrawn for every patch of a running run kept a screenshot waiting past its timeout.
      const boundaryShot = async (when: string) => {
        await page.waitForTimeout(200);
        return shot(page, shotName(`playground-boundary-${when}`), '#boundary canvas');
      };
      const space = async () => {
        await page.locator('#phase').click();
        await page.keyboard.press(' ');
      };
      const paused = () => page.waitForFunction(() => /^Paused at step \d+$/.test(document.querySelector('#phase')?.textContent ?? ''));
      const steerLearningRate = async () => {
        expect(await page.locator('#lr-slider').isDisabled()).toBe(false);
        await page.locator('#lr-slider').fill('-2.5');
        await page.waitForFunction(() => document.querySelector('#applied-lr')?.textContent === '0.0032');
        expect(await page.locator('#last-control').textContent()).toMatch(/^Last: learning rate → 0\.0032 \(step \d+\)$/);
      };
      const laterProbe = (after: number) => page.waitForFunction((s) => Number(document.querySelector('#boundary')?.getAttribute('data-step')) > s + 300, after, { timeout: 90_000 });
      await page.waitForFunction(() => Number(document.querySelector('#boundary')?.getAttribute('data-step')) > 0);
      let first: Buffer;
      let second: Buffer;
      if (full) {
        first = await boundaryShot('early');
        await laterProbe(await probeStep(page));
        second = await boundaryShot('later');
        await steerLearningRate();
        await space();
        await paused();
      } else {
        await steerLearningRate();
        await space();
        await paused();
        first = await boundaryShot('early');
        const firstStep = await probeStep(page);
        await space();
        await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Training');
        await laterProbe(firstStep);
        await space();
        await paused();
        second = await boundaryShot('later');
      }
      expect(changedFraction(first, second), 'the boundary moved between two probes').toBeGreaterThan(0.05);
      await shot(page, shotName('playground-curve'), '#chart');
      expect(Number(await page.locator('#confusion tbody td.diag').first().textContent())).toBeGreaterThan(0);
      expect(await page.locator('#pause').textContent()).toBe('Resume');

      // The loss terrain, computed around the paused run's weights.
      await page.click('#open-terrain');
      await page.waitForFunction(() => document.querySelector('#terrain')?.hasAttribute('data-step'), null, { timeout: 60_000 });
      expect(await page.locator('#terrain').getAttribute('data-engine'), 'Babylon draws with the page\'s renderer').toBe(BADGE[renderer]);
      expect(await page.locator('#terrain-status').textContent()).toMatch(/^at step \d+ · \d+ checkpoints on the path/);
      // data-step is set once a frame showed the terrain whole. Its surface covers about a fifth of the canvas (less
      // when the landscape is flat, 0.197 seen); the path and marker alone would be a few per cent.
      await shot(page, shotName('playground-terrain'), '#terrain canvas', { colors: 200, ink: 0.12, ...(full ? { alsoTo: path.join(DOCS, 'terrain.png') } : {}) });
      await page.locator('#boundary').scrollIntoViewIfNeeded();
      await shot(page, shotName('playground'), undefined, { fullPage: false, ...(full ? { alsoTo: path.join(DOCS, 'playground.png') } : {}) });

      // A spectator follows the link: everything is there, nothing can be steered.
      const spectator = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const spectatorErrors = watchErrors(spectator);
      await spectator.goto(await page.inputValue('#watch-link'));
      await spectator.waitForSelector('#spectating');
      expect(await spectator.locator('#designer').count()).toBe(0);
      for (const id of ['#lr-slider', '#pause', '#rewind', '#checkpoint', '#inject-noise', '#optimizer-select']) expect(await spectator.locator(id).isDisabled(), id).toBe(true);
      await spectator.waitForFunction(() => Number(document.querySelector('#boundary')?.getAttribute('data-step')) > 0);
      await spectator.waitForFunction(() => /^Paused at step/.test(document.querySelector('#phase')?.textContent ?? ''));
      await spectator.waitForTimeout(300);
      await shot(spectator, shotName('playground-spectator-boundary'), '#boundary canvas');
      await expectBadge(spectator, renderer);
      await page.waitForFunction(() => /1 watching$/.test(document.querySelector('#run-meta')?.textContent ?? ''));
      if (!full) {
        expect(spectatorErrors).toEqual([]);
        expect(errors).toEqual([]);
        await Promise.all([page.close(), spectator.close()]);
        return;
      }

      // Resume from the keyboard; the dark theme redraws everything.
      await page.locator('#phase').click();
      await page.keyboard.press(' ');
      await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Training');
      await page.click('#theme-toggle');
      await page.waitForTimeout(400);
      await shot(page, 'playground-dark', undefined, { fullPage: false });

      // Fork: B starts from A's latest checkpoint, trains beside it and takes a learning rate and a pause of its own.
      const cell = (run: string, col: number) => `#ab-compare tr[data-run="${run}"] td:nth-child(${col})`;
      await page.click('#theme-toggle');
      await page.click('#fork');
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'training', cell('B', 3));
      expect(await page.locator(cell('B', 2)).textContent()).toMatch(/^A at step \d+$/);
      expect(await page.locator('#steer-target').inputValue()).toBe('b');
      await page.locator('#lr-slider').fill('-3');
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '0.001', cell('B', 8));
      expect(await page.locator(cell('A', 8)).textContent()).toBe('0.0032');
      // The controls show the run they steer: B's rate and pause; b switches back to A's.
      expect(await page.locator('#applied-lr').textContent()).toBe('0.001');
      await page.click('#pause');
      await page.waitForFunction(() => document.querySelector('#pause')?.textContent === 'Resume');
      expect(await page.locator('#phase').textContent(), 'A trains on').toBe('Training');
      await page.locator('#phase').click();
      await page.keyboard.press('b');
      expect(await page.locator('#steer-target').inputValue()).toBe('a');
      await page.waitForFunction(() => document.querySelector('#applied-lr')?.textContent === '0.0032' && document.querySelector('#pause')?.textContent === 'Pause');
      await page.keyboard.press('b');
      await page.keyboard.press(' ');
      await page.waitForFunction(() => document.querySelector('#pause')?.textContent === 'Pause' && document.querySelector('#last-control')?.textContent?.startsWith('Last on B: resumed'));
      await page.waitForFunction((sel) => Number(document.querySelector(sel)?.textContent?.replace(/,/g, '')) > 0, cell('B', 5));
      await page.waitForTimeout(1500);
      await shot(page, 'playground-fork', 'section:has(#chart)', { alsoTo: path.join(DOCS, 'fork.png') });
      await spectator.waitForSelector('#ab-compare:not([hidden])');
      expect(await spectator.locator('#fork').isDisabled()).toBe(true);
      expect(await spectator.locator('#steer-target-row').isHidden()).toBe(true);
      expect(spectatorErrors).toEqual([]);
      expect(errors).toEqual([]);
    }, 240_000); // a long run steered, paused, surveyed, watched and forked, on two shared cores
  });
}
