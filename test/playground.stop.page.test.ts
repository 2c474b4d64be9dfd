import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { openPlayground, pageArenaSuite } from './support/page.ts';
import { hasChromium } from './support/services.ts';

describe.skipIf(!hasChromium())('the playground page: keep best, stop and downloads, in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('k keeps the best checkpoint, the Stop button ends the next run, and each stored run offers its CSV, JSON, run file and model', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchErrors(page);
    await openPlayground(page, t.url, { name: 'ada', task: 'spiral', budget: '5000000' });

    // Early stopping in the designer: a bad patience is explained, an empty one means none.
    await page.fill('#spec-patience', '0');
    expect(await page.locator('#spec-problem').textContent()).toContain('early stopping patience must be at least 1 sample');
    expect(await page.locator('#start-run').isDisabled()).toBe(true);
    await page.fill('#spec-patience', '');
    expect(await page.locator('#keep-best').isDisabled(), 'keep best waits for a live run').toBe(true);

    // Run 1: trains a while, then the k key keeps its best checkpoint and ends it.
    await page.click('#start-run');
    await page.waitForFunction(() => Number(document.querySelector('#boundary')?.getAttribute('data-step')) > 200, undefined, { timeout: 60_000 });
    await page.locator('#phase').click();
    await page.keyboard.press('k');
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', undefined, { timeout: 60_000 });
    expect(await page.locator('#run-log').textContent()).toMatch(/kept the best checkpoint \(step \d+\)/);
    await page.waitForSelector('#download-list li a[data-export="metrics.csv"]', { timeout: 60_000 });

    // Its downloads are the stored run's exports.
    const got = await page.evaluate(async () => {
      const link = (file: string) => document.querySelector<HTMLAnchorElement>(`#download-list li a[data-export="${file}"]`)!;
      const csv = await (await fetch(link('metrics.csv').href)).text();
      const model = await (await fetch(link('model.json').href)).json();
      const run = await (await fetch(link('run.json').href)).json();
      return { csvHeader: csv.split('\n')[0], preprocessing: model.userDefinedMetadata?.preprocessing, weightsPath: model.weightsManifest[0].paths[0], lastControl: run.controls.at(-1).control.type, download: link('model.json').getAttribute('download') };
    });
    expect(got).toMatchObject({ csvHeader: 'samples,loss,accuracy,valLoss,valAccuracy', weightsPath: 'weights.bin', lastControl: 'keepBest', download: 'model.json' });
    expect(got.preprocessing).toMatchObject({ task: 'spiral', input: { kind: 'point', range: [[-1, 1], [-1, 1]] }, output: { kind: 'logits', units: 2 } });

    // Run 2: the Stop button ends it now; it is listed above the first.
    await page.click('#start-run');
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Training');
    await page.waitForFunction(() => !(document.querySelector('#stop-run') as HTMLButtonElement).disabled);
    await page.click('#stop-run');
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', undefined, { timeout: 60_000 });
    expect(await page.locator('#run-log').textContent()).toMatch(/step \d+: stopped/);
    await page.waitForFunction(() => document.querySelectorAll('#download-list li').length === 2, undefined, { timeout: 60_000 });
    expect(await page.locator('#download-list li').first().textContent()).toMatch(/^Run 2/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
