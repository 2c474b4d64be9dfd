import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { openPlayground, pageArenaSuite, shot } from './support/page.ts';
import { changedFraction } from './support/pixels.ts';
import { hasChromium } from './support/services.ts';

describe.skipIf(!hasChromium())('an empty chart and the loss terrain say what they wait for, in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('shows the waiting text in the empty chart, replaces it with the curve, and names the terrain being computed', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchErrors(page);
    // Paced over 600 s: still training when the terrain is asked for.
    await openPlayground(page, t.url, { name: 'wanda', budget: '5000000', pace: '600' });

    const note = page.locator('#chart .waiting-note');
    await expect.poll(() => note.textContent(), { timeout: 30_000 }).toMatch(/^waiting for the run to start: the curves appear once it trains · \d+ s$/);
    expect(await note.isVisible()).toBe(true);
    const empty = await shot(page, 'waiting-empty-chart', '#chart');

    await page.click('#start-run');
    await page.waitForSelector('#chart .waiting-note', { state: 'hidden', timeout: 60_000 });
    expect(await page.evaluate(() => document.querySelector('#run-meta')?.textContent ?? '')).toMatch(/step \d+/);
    // the curve is drawn where the note stood: let the chart's next frames land
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 200)))));
    const drawn = await shot(page, 'waiting-first-curve', '#chart');
    expect(changedFraction(empty, drawn), 'the curve replaced the waiting text').toBeGreaterThan(0.002);

    // The loss terrain: the engine reports no progress, so the note names the grid and counts seconds, indeterminate.
    await page.keyboard.press(' '); // paused, the run stays live and leaves the CPU to the landscape
    await page.waitForFunction(() => /^Paused at step/.test(document.querySelector('#phase')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.click('#open-terrain');
    const terrainNote = page.locator('#terrain .waiting-note');
    await expect.poll(() => terrainNote.textContent(), { timeout: 10_000 }).toMatch(/^computing the 31×31 loss terrain around the current weights… · \d+ s$/);
    expect(await terrainNote.locator('progress').getAttribute('value'), 'no made-up fraction').toBeNull();
    await page.waitForSelector('#terrain[data-step]', { timeout: 60_000 });
    expect(await terrainNote.isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });
});
