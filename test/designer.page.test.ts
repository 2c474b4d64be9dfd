import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAVED_SPECS_KEY } from '../client/designer/saved-specs.ts';
import { watchErrors } from './support/browser.ts';
import { DOCS, shot as pageShot, startPageArena } from './support/page.ts';
import { hasChromium } from './support/services.ts';

const shot = (page: Page, name: string, selector: string, alsoTo?: string) => pageShot(page, name, selector, { alsoTo });

describe.skipIf(!hasChromium())('the model designer in headless Chromium', () => {
  let t: Awaited<ReturnType<typeof startPageArena>>['arena'];
  let browser: Browser;
  let stop: () => Promise<void>;
  let context: BrowserContext;

  beforeAll(async () => {
    ({ arena: t, browser, stop } = await startPageArena());
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } }); // one context, so localStorage outlives the page
  });

  afterAll(async () => {
    await stop?.();
  });

  const openDesigner = async (page: Page) => {
    await page.goto(t.url);
    await page.fill('#player-name', 'ada');
    await page.click('#create-race');
    await page.waitForSelector('#designer #spec-blocks');
  };
  const text = (page: Page, selector: string) => page.locator(selector).textContent();
  const widths = (page: Page) => page.inputValue('#spec-layers');

  it('builds a spec from blocks with live figures, undoes and redoes, and saves and loads it', async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await openDesigner(page);

    // The default network, as blocks and as figures.
    expect(await page.locator('#spec-blocks li').count()).toBe(2);
    expect(await text(page, '#spec-stats')).toContain('354 parameters');
    expect(await page.locator('#spec-undo').isDisabled()).toBe(true);

    // Blocks: add a layer, widen it; the quick field and the figures follow.
    await page.click('#spec-add-layer');
    expect(await widths(page)).toBe('16, 16, 16');
    expect(await text(page, '#spec-stats')).toContain('626 parameters');
    await page.fill('#spec-blocks li[data-layer="2"] .block-units', '32');
    expect(await widths(page)).toBe('16, 16, 32');
    expect(await text(page, '#spec-stats')).toContain('930 parameters');
    expect(await page.locator('#spec-diagram rect').count()).toBe(5);

    // A bad dropout is named in words, and Ctrl+Z takes it back.
    await page.fill('#spec-blocks li[data-layer="0"] .block-dropout', '0.95');
    expect(await text(page, '#spec-problem')).toBe('layer dropout: dropout must be at most 0.9 (layer 1)');
    expect(await page.locator('#submit-spec').isDisabled()).toBe(true);
    await page.keyboard.press('Control+z');
    expect(await page.inputValue('#spec-blocks li[data-layer="0"] .block-dropout')).toBe('0');
    expect(await text(page, '#spec-problem')).toBe('');

    // Undo twice more back to the start; redo with the button and with Ctrl+Y.
    await page.keyboard.press('Control+z');
    expect(await widths(page)).toBe('16, 16, 16');
    await page.click('#spec-undo');
    expect(await widths(page)).toBe('16, 16');
    expect(await page.locator('#spec-blocks li').count()).toBe(2);
    expect(await page.locator('#spec-undo').isDisabled()).toBe(true);
    await page.click('#spec-redo');
    expect(await widths(page)).toBe('16, 16, 16');
    await page.keyboard.press('Control+y');
    expect(await widths(page)).toBe('16, 16, 32');
    expect(await text(page, '#spec-stats')).toContain('930 parameters');

    // Reorder, type in the quick field, change the activation of one block and an input feature.
    await page.click('#spec-blocks li[data-layer="2"] .block-up');
    expect(await widths(page)).toBe('16, 32, 16');
    await page.fill('#spec-layers', '24, 24');
    expect(await page.locator('#spec-blocks li').count()).toBe(2);
    await page.selectOption('#spec-blocks li[data-layer="1"] .block-activation', 'tanh');
    expect(await page.inputValue('#spec-activation')).toBe('mixed');
    await page.check('#spec-feature-x1sq');
    await page.fill('#spec-l2', '0.001');
    expect(await text(page, '#spec-stats')).toContain('746 parameters'); // 3·24+24 + 24·24+24 + 24·2+2
    expect(await text(page, '#spec-problem')).toBe('');

    // Save it by name; Enter in the name field saves (and does not enter the spec in the race).
    await page.fill('#spec-save-name', 'wide tanh');
    await page.press('#spec-save-name', 'Enter');
    await page.waitForSelector('#spec-saved li[data-name="wide tanh"]');
    expect(await text(page, '#spec-saved-note')).toBe('Saved "wide tanh" to your account.');
    await page.locator('#designer').scrollIntoViewIfNeeded();
    await shot(page, 'designer', '#designer', path.join(DOCS, 'designer.png'));
    await page.click('#theme-toggle');
    await shot(page, 'designer-dark', '#designer');
    await page.click('#theme-toggle');

    // A corrupted entry beside it is skipped with a message, never a crash.
    await page.evaluate((key) => {
      const list = JSON.parse(localStorage.getItem(key)!);
      list.push({ name: 'broken', spec: { layers: [] }, savedAt: 1 }, 'junk');
      localStorage.setItem(key, JSON.stringify(list));
    }, SAVED_SPECS_KEY);

    // A fresh page: the saved spec is there and loads into the designer.
    await openDesigner(page);
    await page.waitForSelector('#spec-saved[data-synced="true"]', { state: 'attached' }); // merged with the account's copy
    expect(await widths(page)).toBe('16, 16');
    expect(await page.locator('#spec-saved li').count()).toBe(1);
    expect(await text(page, '#spec-saved-note')).toContain('saved spec "broken" was skipped');
    await page.click('#spec-saved li[data-name="wide tanh"] button.load');
    expect(await widths(page)).toBe('24, 24');
    expect(await page.inputValue('#spec-blocks li[data-layer="1"] .block-activation')).toBe('tanh');
    expect(await page.isChecked('#spec-feature-x1sq')).toBe(true);
    expect(await page.inputValue('#spec-l2')).toBe('0.001');
    expect(await text(page, '#spec-stats')).toContain('746 parameters');
    await page.keyboard.press('Control+z'); // loading is one undoable step
    expect(await widths(page)).toBe('16, 16');
    await page.click('#spec-redo');

    // The loaded spec is accepted by the race; then delete it.
    await page.click('#submit-spec');
    await page.waitForFunction(() => !(document.querySelector('#ready') as HTMLButtonElement).disabled);
    await page.click('#spec-saved li[data-name="wide tanh"] button.delete');
    await page.waitForFunction(() => document.querySelectorAll('#spec-saved li').length === 0); // the account's copy is deleted too: a round trip
    expect(await page.evaluate((key) => JSON.parse(localStorage.getItem(key)!), SAVED_SPECS_KEY)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
