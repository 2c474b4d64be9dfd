import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { DOCS, openPlayground, pageArenaSuite, shot } from './support/page.ts';
import { changedFraction } from './support/pixels.ts';
import { hasChromium } from './support/services.ts';

/** Two animation frames: the chart redraws on the next tick after a change. */
const settle = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100)))));

describe.skipIf(!hasChromium())('the playground learning curves in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('draws training and validation on the same axes with the gap shaded, a log-scale loss, smoothing, and a hover read-out', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchErrors(page);
    // The checkerboard with a wide network: training pulls away from validation, so there is a gap to shade.
    await openPlayground(page, t.url, { name: 'ada', task: 'checkerboard', budget: '50000' });
    await page.fill('#spec-layers', '64, 64');
    await page.click('#start-run');
    // Finished, the curve holds still, so every difference below is the view's.
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', undefined, { timeout: 90_000 });
    await page.locator('#phase').click();
    await settle(page);

    const both = await shot(page, 'playground-curves-train-val', '#chart', { alsoTo: path.join(DOCS, 'playground-curves.png') });
    await page.keyboard.press('v'); // validation accuracy and training loss alone, as before
    await settle(page);
    const single = await shot(page, 'playground-curves-single', '#chart');
    expect(changedFraction(both, single), 'the training accuracy, validation loss and shaded gap go away').toBeGreaterThan(0.005);
    await page.keyboard.press('v');
    expect(await page.locator('#curve-trainval').isChecked()).toBe(true);

    await page.check('#curve-log');
    await settle(page);
    const log = await shot(page, 'playground-curves-log', '#chart');
    expect(changedFraction(both, log), 'the loss panel is redrawn on a log axis').toBeGreaterThan(0.005);
    await page.uncheck('#curve-log');

    await page.locator('#curve-smoothing').fill('0.9');
    await settle(page);
    const smooth = await shot(page, 'playground-curves-smoothed', '#chart');
    expect(changedFraction(both, smooth), 'smoothing redraws the curves').toBeGreaterThan(0.002);

    // Hovering over the chart reads out every figure of the run at the nearest point.
    const box = (await page.locator('#chart').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await page.waitForSelector('.curve-readout:not([hidden])');
    const readout = await page.locator('.curve-readout').textContent();
    expect(readout).toMatch(/^[\d,]+ samplesA: loss [\d.e-]+ · val\. loss [\d.e-]+ · acc\. [\d.]+% · val\. acc\. [\d.]+%$/);
    await page.mouse.move(box.x + box.width + 40, box.y - 40);
    await page.waitForSelector('.curve-readout', { state: 'hidden' });
    expect(errors).toEqual([]);
    await page.close();
  });
});
