import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { openPlayground, pageArenaSuite } from './support/page.ts';
import { hasChromium } from './support/services.ts';

describe.skipIf(!hasChromium())('conv layers in the designer, on an MNIST playground in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('offers conv layers with live figures and shape errors in words, and trains the conv net it builds', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchErrors(page);
    await openPlayground(page, t.url, { name: 'ada', task: 'mnist', budget: '50000' });
    await page.waitForSelector('#designer #spec-blocks');
    const text = (selector: string) => page.locator(selector).textContent();
    const row = (i: number) => `#spec-blocks li[data-layer="${i}"]`;

    // The small conv template: each block says what it outputs, the figures count the conv layer's positions.
    await page.selectOption('#spec-template', 'Small conv');
    expect(await page.locator('#spec-blocks li').count()).toBe(4);
    expect(await page.inputValue(`${row(0)} .block-type`)).toBe('conv2d');
    expect(await text(`${row(0)} .block-note`)).toBe('→ 26×26×8 · 80 parameters');
    expect(await text(`${row(1)} .block-note`)).toBe('→ 13×13×8');
    expect(await text(`${row(3)} .block-note`)).toBe('→ 64 · 86,592 parameters');
    expect(await text('#spec-stats')).toBe('87.3k parameters · 847.9k FLOPs per sample · 3.7MB while training');
    expect(await page.locator(`${row(0)} .block-units`).isHidden()).toBe(true);

    // Live: 16 filters double the conv's parameters and its share of the FLOPs.
    await page.fill(`${row(0)} .block-filters`, '16');
    expect(await text(`${row(0)} .block-note`)).toBe('→ 26×26×16 · 160 parameters');
    expect(await text('#spec-stats')).toContain('173.9k parameters');

    // Shape errors in words: a third conv block meets a 1×1 image; a dense layer before a conv is out of order.
    await page.click('#spec-add-conv');
    await page.click('#spec-add-conv');
    expect(await text('#spec-problem')).toBe('');
    await page.click('#spec-add-conv');
    expect(await text('#spec-problem')).toBe('layer 6 (conv2d): kernel 3 is larger than its 1×1 input');
    expect(await page.locator('#start-run').isDisabled()).toBe(true);
    expect(await page.locator(row(6)).getAttribute('class')).toContain('invalid');
    await page.keyboard.press('Control+z');
    expect(await text('#spec-problem')).toBe('');
    await page.selectOption(`${row(0)} .block-type`, 'dense');
    expect(await text('#spec-problem')).toBe('layer 1 (maxPool2d) comes after dense layer 0: maxPool2d works on images, so it must come before any dense layer');
    await page.keyboard.press('Control+z');

    // It trains: the room summarises the conv net, frames arrive, and Stop keeps the run.
    await page.click('#start-run');
    await page.waitForFunction(() => /784-conv16×3-pool2-conv8×3-pool2-conv8×3-pool2-flatten-64-10/.test(document.querySelector('#run-meta')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await page.waitForFunction(() => /step [1-9]\d* /.test(document.querySelector('#run-meta')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await page.waitForFunction(() => !(document.querySelector('#stop-run') as HTMLButtonElement).disabled);
    await page.click('#stop-run');
    await page.waitForFunction(() => document.querySelector('#phase')?.textContent === 'Finished', undefined, { timeout: 60_000 });
    await page.waitForSelector('#download-list li a[data-export="run.json"]', { timeout: 60_000 });
    const run = await page.evaluate(async () => (await fetch(document.querySelector<HTMLAnchorElement>('#download-list li a[data-export="run.json"]')!.href)).json());
    expect(run.spec.layers.map((l: { type?: string }) => l.type ?? 'dense')).toEqual(['conv2d', 'maxPool2d', 'conv2d', 'maxPool2d', 'conv2d', 'maxPool2d', 'flatten', 'dense']);
    expect(run.controls.at(-1).control.type).toBe('stop');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
