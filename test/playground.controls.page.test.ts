import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import path from 'node:path';
import { DOCS, pageArenaSuite, shot } from './support/page.ts';
import { changedFraction } from './support/pixels.ts';
import { hasChromium } from './support/services.ts';

/** Where the plane's point (x1, x2) is drawn on the page (the boundary spans [-1.2, 1.2]², centred). */
const onPlane = (page: Page, x1: number, x2: number) =>
  page.evaluate(([a, b]) => {
    const box = document.querySelector('#boundary canvas')!.getBoundingClientRect();
    const size = Math.min(box.width, box.height);
    return { x: box.left + (box.width - size) / 2 + ((a! + 1.2) / 2.4) * size, y: box.top + ((1.2 - b!) / 2.4) * size };
  }, [x1, x2]);

const attr = (page: Page, selector: string, name: string) => page.locator(selector).getAttribute(name);
/** Waits for an attribute's value; on a timeout, says what the page showed (its toasts and run log). */
const waitAttr = (page: Page, selector: string, name: string, value: string) =>
  page.waitForFunction(([s, n, v]) => document.querySelector(s!)?.getAttribute(n!) === v, [selector, name, value], { timeout: 30_000 }).catch(async (err: Error) => {
    const seen = await page.evaluate(([s, n]) => ({ now: document.querySelector(s!)?.getAttribute(n!), toasts: document.querySelector('#toasts')?.textContent, log: document.querySelector('#run-log')?.textContent }), [selector, name]);
    throw new Error(`${selector}[${name}] never became ${value}: ${JSON.stringify(seen)} (${err.message.split('\n')[0]})`);
  });

/** Waits for `n` elements matching `selector`; on a timeout, says how many there were. */
const waitCount = (page: Page, selector: string, n: number) =>
  page.waitForFunction(([s, k]) => document.querySelectorAll(s as string).length === k, [selector, n] as const, { timeout: 30_000 }).catch(async (err: Error) => {
    const now = await page.evaluate((s) => document.querySelectorAll(s).length, selector);
    throw new Error(`${selector} never counted ${n}: ${now} (${err.message.split('\n')[0]})`);
  });

/** What of the controls panel reaches past the screen (as test/phone-layout.page.test.ts looks). */
const cutOff = (page: Page) =>
  page.evaluate(() => {
    const found: string[] = [];
    for (const el of document.querySelectorAll('#controls, #controls *')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.left < -0.5 || box.right > window.innerWidth + 0.5) found.push(`${el.tagName.toLowerCase()}#${el.id} spans ${Math.round(box.left)}–${Math.round(box.right)} px`);
    }
    return found.slice(0, 12);
  });

describe.skipIf(!hasChromium())('the playground page: data and architecture controls, in headless Chromium', () => {
  const suite = pageArenaSuite();

  for (const viewport of [
    { width: 1280, height: 1000 },
    { width: 390, height: 844 },
  ]) {
    it(`at ${viewport.width} px: a click adds a point, a drag removes it, the preview draws jittered points, augmentation, difficulty, samples and layers apply; spectators get none of it`, async () => {
      const { arena: t, browser } = suite;
      const page = await browser.newPage({ viewport });
      const errors = watchErrors(page);
      await page.goto(t.url);
      await page.fill('#player-name', 'grace');
      await page.selectOption('#playground-task', 'spiral');
      await page.selectOption('#playground-budget', '5000000');
      await page.selectOption('#playground-pace', '600'); // still training for the whole test
      await page.click('#create-playground');
      await page.waitForSelector('#designer');
      await page.fill('#spec-layers', '8, 6');
      await page.selectOption('#spec-activation', 'tanh');
      expect(await page.locator('#augment').isDisabled(), 'the controls wait for a live run').toBe(true);
      await page.click('#start-run');
      await page.waitForFunction(() => document.querySelector('#boundary')?.getAttribute('data-editable') === 'true' && Number(document.querySelector('#boundary')?.getAttribute('data-points')) > 0 && Number(document.querySelector('#boundary')?.getAttribute('data-step')) > 0, undefined, { timeout: 60_000 });
      expect(await attr(page, '#train-size', 'data-count'), 'the room reports the training set: 60% of 1000 points').toBe('600');
      expect(await cutOff(page)).toEqual([]);
      const drawn = Number(await attr(page, '#boundary', 'data-points'));

      // Paused: no probe repaints the plane while its pixels are compared.
      await page.click('#pause');
      await page.waitForFunction(() => /^Paused at step \d+$/.test(document.querySelector('#phase')?.textContent ?? ''));
      await page.waitForTimeout(600); // a probe already on its way lands first

      // Key 1 picks class 1; a click on an empty corner of the plane adds a point there, which everyone's points and the training set gain.
      await page.keyboard.press('1');
      expect(await page.locator('#point-class').inputValue()).toBe('1');
      await page.locator('#boundary').scrollIntoViewIfNeeded();
      const corner = await onPlane(page, 1, 1); // outside the spiral, inside the plane: a box of ±10 px around it stays on the canvas
      await page.mouse.click(corner.x, corner.y);
      await waitAttr(page, '#train-size', 'data-count', '601');
      await waitAttr(page, '#boundary', 'data-points', String(drawn + 1));
      expect(await page.locator('#run-log').textContent()).toMatch(/added a point of 1 at \((0\.9\d|1\.0\d), (0\.9\d|1\.0\d)\)/);

      // A box dragged around it removes it.
      await page.mouse.move(corner.x - 10, corner.y - 10);
      await page.mouse.down();
      await page.mouse.move(corner.x + 10, corner.y + 10, { steps: 6 });
      await page.mouse.up();
      await waitAttr(page, '#train-size', 'data-count', '600');
      await waitAttr(page, '#boundary', 'data-points', String(drawn));
      expect(await page.locator('#run-log').textContent()).toMatch(/removed the points in \[/);

      // The same box again holds no point: the engine's refusal is shown in words (a toast, and beside the controls).
      await page.mouse.move(corner.x - 10, corner.y - 10);
      await page.mouse.down();
      await page.mouse.move(corner.x + 10, corner.y + 10, { steps: 6 });
      await page.mouse.up();
      await page.waitForFunction(() => /refused: .*no training point lies in .*nothing to remove/.test(document.querySelector('#last-control')?.textContent ?? ''), undefined, { timeout: 30_000 });

      // p previews augmentation: jittered copies of every point, drawn on the plane.
      await page.waitForTimeout(300);
      const plain = await shot(page, `controls-${viewport.width}-plain`, '#boundary canvas', { colors: 20, ink: 0.1 });
      await page.keyboard.press('p');
      await waitAttr(page, '#boundary', 'data-preview', String(drawn * 4));
      await page.waitForTimeout(300);
      const preview = await shot(page, `controls-${viewport.width}-preview`, '#boundary canvas', { colors: 20, ink: 0.1, ...(viewport.width > 390 ? { alsoTo: path.join(DOCS, 'playground-augment-preview.png') } : {}) });
      expect(changedFraction(plain, preview), 'the preview draws points').toBeGreaterThan(0.01);
      await page.keyboard.press('p');
      await waitAttr(page, '#boundary', 'data-preview', '0');

      // u turns augmentation on: the button shows it once the room says it applied; a click turns it off.
      await page.keyboard.press('u');
      await waitAttr(page, '#augment', 'aria-pressed', 'true');
      expect(await page.locator('#augment').textContent()).toBe('Augmentation: on');
      await page.click('#augment');
      await waitAttr(page, '#augment', 'aria-pressed', 'false');

      // d raises the difficulty ramp, e lowers it, and the slider sets it.
      await page.locator('#phase').click();
      await page.keyboard.press('d');
      await waitAttr(page, '#difficulty-value', 'data-applied', '0.1');
      await page.keyboard.press('d');
      await waitAttr(page, '#difficulty-value', 'data-applied', '0.2');
      await page.keyboard.press('e');
      await waitAttr(page, '#difficulty-value', 'data-applied', '0.1');
      await page.locator('#difficulty').fill('0.5');
      await waitAttr(page, '#difficulty-value', 'data-applied', '0.5');

      // m adds 50 samples drawn from the task; the button removes 50.
      await page.locator('#phase').click();
      await page.keyboard.press('m');
      await waitAttr(page, '#train-size', 'data-count', '650');
      await page.click('#remove-samples');
      await waitAttr(page, '#train-size', 'data-count', '600');

      // Back to training: a layer added changes the network the engine probes (one more layer's figures); − removes one.
      await page.click('#pause');
      await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Training');
      await page.locator('#phase').click();
      await page.keyboard.press('w');
      await waitCount(page, '#layer-health li', 3);
      await page.click('#add-layer');
      await waitCount(page, '#layer-controls .layer-row', 3);
      await waitCount(page, '#layer-health li', 4);
      // Named from the room's state, which may come a patch after the probe that first shows the layer.
      await page.waitForFunction(() => /^Layer 3 · 6 linear/.test(document.querySelectorAll('#layer-health li')[2]?.textContent ?? ''), undefined, { timeout: 30_000 });
      await page.locator('#phase').click();
      await page.keyboard.press('-');
      await waitCount(page, '#layer-controls .layer-row', 2);
      await waitCount(page, '#layer-health li', 3);
      expect(await cutOff(page)).toEqual([]);
      await shot(page, `controls-${viewport.width}-panel`, '#controls', { colors: 10, ink: 0.05 });

      // A spectator sees the run but none of these controls.
      const watch = await page.locator('#watch-link').inputValue();
      const spectator = await browser.newPage({ viewport });
      const spectatorErrors = watchErrors(spectator);
      await spectator.goto(watch);
      await spectator.waitForSelector('#spectating');
      await spectator.waitForFunction(() => Number(document.querySelector('#boundary')?.getAttribute('data-points')) > 0, undefined, { timeout: 30_000 });
      expect(await spectator.locator('#augment, #add-layer, #difficulty, [id^="remove-layer-"]').count()).toBe(0);
      expect(await attr(spectator, '#boundary', 'data-editable')).not.toBe('true');
      expect(spectatorErrors).toEqual([]);
      await spectator.close();
      expect(errors).toEqual([]);
      await page.close();
    }, 240_000);
  }
});
