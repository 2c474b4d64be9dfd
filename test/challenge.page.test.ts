import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { openPlayground, pageArenaSuite, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';

describe.skipIf(!hasChromium())('a playground challenge in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('picks a challenge on the home page, shows it while the run trains, and gives the verdict in words', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await openPlayground(page, t.url, { name: 'katherine', budget: '50000', challenge: 'target-90' });
    await page.waitForSelector('#challenge:not([hidden])');
    expect(await page.locator('#challenge').innerText()).toMatch(/^Challenge: reach 90% on the held-out split within the budget\s+starts with your next run$/);

    await page.click('#start-run');
    await page.waitForFunction(() => document.querySelector('#challenge')?.getAttribute('data-status') === 'open');
    await page.waitForFunction(() => ['passed', 'failed'].includes(document.querySelector('#challenge')?.getAttribute('data-status') ?? ''), null, { timeout: 90_000 });
    const verdict = await page.locator('#challenge-status').innerText();
    expect(verdict).toMatch(/^(passed|missed): \d+(\.\d)?% on the held-out split against a target of 90%$/);
    const status = await page.locator('#challenge').getAttribute('data-status');
    expect(status).toBe(verdict.startsWith('passed') ? 'passed' : 'failed');
    await shot(page, 'playground-challenge', '#challenge', { colors: 3, ink: 0.01 });
    expect(errors).toEqual([]);
    await page.close();
  });
});
