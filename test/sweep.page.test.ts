/**
 * The playground's sweep in headless Chromium: the form says how many trials it makes or what is wrong
 * in words, a 4-trial grid trains in the background with its progress on the page, the results table
 * sorts from the keyboard, the parallel-coordinates plot draws a line per trial, "Train the best" starts
 * a run with the best trial's network, and the panel fits 390 px in both themes.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { DOCS, openPlayground, pageArenaSuite, shot } from './support/page.ts';
import { hasChromium } from './support/services.ts';

describe.skipIf(!hasChromium())('the playground sweep panel, in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('runs a 4-trial grid, sorts its table by keyboard, plots it, trains the best; fits 390 px, light and dark', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchErrors(page);
    await openPlayground(page, t.url, { name: 'ada', task: 'spiral', budget: '50000' });
    await page.waitForSelector('#sweep-panel');

    // The form counts trials, and explains a grid that is too large before anything is sent.
    await page.fill('#sweep-lrs', '0.1, 0.01');
    await page.fill('#sweep-batches', '8 16');
    await page.fill('#sweep-widths', '4, 8, 12, 16, 20');
    expect(await page.locator('#sweep-preview').textContent()).toMatch(/the grid has 20 trials \(2 learning rates × 2 batch sizes × 5 widths\): at most 16/);
    expect(await page.locator('#sweep-start').isDisabled()).toBe(true);
    await page.fill('#sweep-lrs', '0.003, 0.03');
    await page.fill('#sweep-batches', '16');
    await page.fill('#sweep-widths', '4, 12');
    await page.fill('#sweep-budget', '8000');
    expect(await page.locator('#sweep-preview').textContent()).toBe('4 trials × 8,000 samples');
    await page.click('#sweep-start');
    await page.waitForFunction(() => document.querySelector('#sweep-status')?.getAttribute('data-phase') === 'running');
    expect(await page.locator('#sweep-progress').getAttribute('max')).toBe('4');
    await page.waitForFunction(() => document.querySelector('#sweep-status')?.getAttribute('data-phase') === 'finished', undefined, { timeout: 180_000 });
    expect(await page.locator('#sweep-status').textContent()).toMatch(/^4 of 4 trials done · finished · grid, 8,000 samples each, seed \d+ · .* · best so far: trial \d, \d+\.\d% on validation$/);
    expect(await page.locator('#sweep-table tbody tr').count()).toBe(4);
    for (const cell of await page.locator('#sweep-table tbody tr td:nth-child(6)').allTextContents()) expect(cell).toMatch(/^\d+\.\d%$/);
    for (const cell of await page.locator('#sweep-table tbody tr td:nth-child(8)').allTextContents()) expect(cell).toMatch(/^\d+\.\d%$/);
    expect(await page.locator('#sweep-plot').getAttribute('data-lines')).toBe('4');
    expect(await page.locator('#sweep-plot polyline.pc-line.best').count()).toBe(1);

    // Sorting from the keyboard: focus the learning-rate header, Tab on to validation accuracy, Enter.
    const values = () => page.locator('#sweep-table tbody tr td:nth-child(6)').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    await page.focus('#sweep-table button.sort[data-sort="status"]');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.locator('#sweep-table').getAttribute('data-sort')).toBe('valAccuracy:desc');
    const desc = await values();
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    expect(await page.locator('#sweep-table tbody tr').first().getAttribute('class')).toBe('best');
    await page.keyboard.press('Enter');
    expect(await page.locator('#sweep-table').getAttribute('data-sort')).toBe('valAccuracy:asc');
    const asc = await values();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(await page.locator('#sweep-table th[aria-sort="ascending"] button').getAttribute('data-sort')).toBe('valAccuracy');
    // Enter on the sort button sorted and did nothing else: the page's Enter (start a run) is not also taken.
    expect(await page.locator('#phase').textContent()).toBe('Designing');
    expect(await page.locator('#run-log').textContent()).not.toMatch(/finished|validation accuracy reached/);

    // Train the best: the next run is the best trial's network (its width in the summary, its learning rate applied).
    const bestRow = page.locator('#sweep-table tbody tr.best');
    const width = (await bestRow.locator('td:nth-child(4)').textContent())!;
    const lr = (await bestRow.locator('td:nth-child(2)').textContent())!;
    await page.click('#sweep-fork-best');
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', undefined, { timeout: 120_000 });
    expect(await page.locator('#run-log').textContent()).toMatch(/training sweep trial \d's network/);
    expect(await page.locator('#run-meta').textContent()).toContain(`2-${width}-${width}-2`);
    expect(await page.locator('#applied-lr').textContent()).toBe(lr);
    await page.setViewportSize({ width: 1280, height: 1600 }); // the whole panel in view: the sticky top bar stays clear of it
    await shot(page, 'sweep-1280', '#sweep-panel', { alsoTo: path.join(DOCS, 'sweep.png') });

    // 390 px, light and dark: nothing wider than the screen, and the plot keeps its lines.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => [...document.querySelectorAll('#sweep-panel, #sweep-panel *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll')).map((e) => e.id || e.tagName));
    expect(await overflow()).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'sweep-390', '#sweep-panel');
    await page.click('#theme-toggle');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    expect(await overflow()).toEqual([]);
    const stroke = await page.locator('#sweep-plot line.pc-axis').first().evaluate((l) => getComputedStyle(l).stroke);
    expect(stroke).toBe('rgb(154, 161, 181)'); // the dark theme's --muted
    await shot(page, 'sweep-390-dark', '#sweep-panel');
    expect(errors).toEqual([]);
    await page.close();
  });
});
