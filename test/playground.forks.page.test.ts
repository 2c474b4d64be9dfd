import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { DOCS, openPlayground, pageArenaSuite, shot } from './support/page.ts';
import { changedFraction } from './support/pixels.ts';
import { hasChromium } from './support/services.ts';

/** Two animation frames: the chart redraws on the next tick after a change. */
const settle = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100)))));
const text = (page: Page, selector: string) => page.locator(selector).textContent();

describe.skipIf(!hasChromium())('the playground: checkpoint timeline, fork anywhere and kept runs, in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('forks a chosen checkpoint from the keyboard, keeps ended runs on the chart to compare, forks a kept stored run, removes one; moving-average smoothing', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchErrors(page);
    await openPlayground(page, t.url, { name: 'ada', task: 'spiral', budget: '50000' });
    expect(await page.locator('#timeline-panel').isHidden(), 'no timeline before a run').toBe(true);
    await page.click('#start-run');
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', undefined, { timeout: 90_000 });
    await page.locator('#phase').click();
    await settle(page);

    // Moving average next to the EMA: the same slider, the window its weight stands for.
    const raw = await shot(page, 'playground-forks-raw', '#chart');
    await page.locator('#curve-smoothing').fill('0.9');
    await page.selectOption('#curve-smoothing-kind', 'mean');
    await settle(page);
    expect(await page.locator('#chart').getAttribute('data-smoothing')).toBe('mean of 10');
    expect(await text(page, '#smoothing-value')).toBe('mean of 10 points');
    const mean = await shot(page, 'playground-forks-mean', '#chart');
    expect(changedFraction(raw, mean), 'the moving average redraws the curves').toBeGreaterThan(0.002);
    await page.selectOption('#curve-smoothing-kind', 'ema');
    await settle(page);
    expect(await page.locator('#chart').getAttribute('data-smoothing')).toBe('ema 0.9');
    const ema = await shot(page, 'playground-forks-ema', '#chart');
    expect(changedFraction(mean, ema), 'EMA and moving average draw differently').toBeGreaterThan(0.0005);
    await page.locator('#curve-smoothing').fill('0');

    // The timeline of the ended run: every checkpoint it had. Chosen with the keyboard, forked with Enter.
    await page.waitForSelector('#timeline-panel:not([hidden])');
    const checkpoints = Number(await page.locator('#timeline').getAttribute('max')) + 1;
    expect(checkpoints, 'a checkpoint every 50 steps of ~1,560').toBeGreaterThan(20);
    expect(await text(page, '#timeline-step')).toMatch(new RegExp(`checkpoint ${checkpoints} of ${checkpoints}$`));
    await page.focus('#timeline');
    await page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    expect(await text(page, '#timeline-step')).toBe(`step 150 · checkpoint 4 of ${checkpoints}`);
    expect(await page.locator('#timeline').getAttribute('aria-valuetext')).toBe(`step 150 · checkpoint 4 of ${checkpoints}`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#ab-compare:not([hidden]) tr[data-run="B"]');
    expect(await text(page, '#ab-compare tr[data-run="B"] td:nth-child(2)')).toBe('A at step 150');
    await page.waitForFunction(() => document.querySelector('#ab-compare tr[data-run="B"] td:nth-child(3)')?.textContent === 'finished', undefined, { timeout: 90_000 });

    // Both ended runs are kept; drawn once the room shows other runs. Train again: run 1 and fork 1 stay on the chart.
    await page.waitForFunction(() => document.querySelectorAll('#kept-runs li').length === 2, undefined, { timeout: 30_000 });
    expect(await page.locator('#kept-runs li').allTextContents()).toEqual([expect.stringMatching(/^Run 1 · [\d.]+% held out×$/), expect.stringMatching(/^Fork 1 \(Run 1 @ step 150\) · [\d.]+% held out×$/)]);
    expect(await page.locator('#chart').getAttribute('data-series')).toBe('A|B');
    // A smaller network this time (the same one would train the same curve: a run is a value).
    await page.fill('#spec-layers', '4');
    await page.click('#start-run');
    await page.waitForFunction(() => document.querySelector('#chart')?.getAttribute('data-series') === 'Run 1|Fork 1 (Run 1 @ step 150)|A', undefined, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', undefined, { timeout: 90_000 });
    await page.locator('#phase').click();
    await settle(page);
    const withKept = await shot(page, 'playground-forks-kept', '#chart', { alsoTo: path.join(DOCS, 'playground-forks.png') });

    // Fork the stored run 1 (it is only in the database now) at a checkpoint picked on its timeline.
    await page.selectOption('#timeline-run', { label: 'Run 1' });
    await page.focus('#timeline');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    expect(await text(page, '#timeline-step')).toBe(`step 50 · checkpoint 2 of ${checkpoints}`);
    await page.click('#fork-at');
    await page.waitForFunction(() => document.querySelector('#ab-compare tr[data-run="B"] td:nth-child(2)')?.textContent === 'Run 1 at step 50', undefined, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#ab-compare tr[data-run="B"] td:nth-child(3)')?.textContent === 'finished', undefined, { timeout: 90_000 });

    // Removing a kept run takes it off the chart and the legend (at most four are kept).
    await page.click('#kept-runs li:first-child button');
    await page.waitForFunction(() => !document.querySelector('#chart')?.getAttribute('data-series')?.includes('Run 1|'));
    expect(await page.locator('#kept-runs li').allTextContents()).not.toContainEqual(expect.stringMatching(/^Run 1 ·/));
    expect(await page.locator('#chart').getAttribute('data-series')).toMatch(/^Fork 1 \(Run 1 @ step 150\)\|.*A\|B$/);
    await settle(page);
    const fewer = await shot(page, 'playground-forks-removed', '#chart');
    expect(changedFraction(withKept, fewer), 'the removed run is no longer drawn').toBeGreaterThan(0.001);

    // Dark theme, then a phone: the timeline and the legend fit 390 px.
    await page.locator('#phase').click();
    await page.keyboard.press('t');
    await shot(page, 'playground-forks-timeline-dark', '#timeline-panel');
    await page.setViewportSize({ width: 390, height: 844 });
    await settle(page);
    const overflow = await page.evaluate(() => ['#timeline-panel', '#kept-runs-box'].filter((s) => document.querySelector(s)!.getBoundingClientRect().right > window.innerWidth + 1));
    expect(overflow).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
    await page.close();
  });
});
