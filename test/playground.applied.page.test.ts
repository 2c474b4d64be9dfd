import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { openPlayground, pageArenaSuite } from './support/page.ts';
import { hasChromium } from './support/services.ts';

const controls = (page: Page) =>
  page.evaluate(() => ({
    shown: document.querySelector('#lr-value')?.textContent,
    applied: document.querySelector('#applied-lr')?.textContent,
    slider: Number((document.querySelector('#lr-slider') as HTMLInputElement).value),
  }));

describe.skipIf(!hasChromium())('the playground controls show what the engine applied', () => {
  const suite = pageArenaSuite();

  it('the learning-rate slider reads the rate the run trains with, from the spec and after steering', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await openPlayground(page, t.url, { name: 'ada', task: 'spiral', budget: '5000000' });
    // A rate the slider's range holds but no default shows: the run starts with it.
    await page.fill('#spec-lr', '0.005');
    await page.click('#start-run');
    await page.waitForFunction(() => document.querySelector('#applied-lr')?.textContent === '0.005', undefined, { timeout: 60_000 });
    const started = await controls(page);
    expect(started.shown).toBe('0.005');
    expect(started.slider, 'within one slider step').toBeCloseTo(Math.log10(0.005), 1);

    // Steered from the slider, it reads the confirmed rate.
    await page.locator('#lr-slider').fill('-3');
    await page.waitForFunction(() => document.querySelector('#applied-lr')?.textContent === '0.001');
    const steered = await controls(page);
    expect(steered.shown).toBe('0.001');
    expect(steered.slider).toBeCloseTo(-3, 1);
    await page.click('#stop-run');
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent !== 'Training', undefined, { timeout: 60_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
