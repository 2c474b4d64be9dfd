import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { watchErrors } from './support/browser.ts';
import { DOCS, openPlayground, pageArenaSuite, shot } from './support/page.ts';
import { changedFraction } from './support/pixels.ts';
import { hasChromium } from './support/services.ts';

const stepOf = (page: Page, selector: string) => page.locator(selector).getAttribute('data-step').then(Number);
/** Waits until `selector` has drawn a probe at least `after` + 200 steps later. */
const laterProbe = (page: Page, selector: string, after: number) =>
  page.waitForFunction(([sel, s]) => Number(document.querySelector(sel as string)?.getAttribute('data-step')) > (s as number) + 200, [selector, after] as const, { timeout: 90_000 });

describe.skipIf(!hasChromium())('the playground’s inside views in headless Chromium', () => {
  const suite = pageArenaSuite();

  it('shows layer heatmaps with health in words, per-unit activation maps and the 3D network graph, each changing as training goes on', async () => {
    const { arena: t, browser } = suite;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchErrors(page);
    // Paced over 600 s: early training, where every probe differs, for the whole test.
    await openPlayground(page, t.url, { name: 'grace', task: 'spiral', budget: '5000000', pace: '600' });
    await page.fill('#spec-layers', '16, 12');
    await page.selectOption('#spec-activation', 'tanh');
    await page.click('#start-run');
    await page.waitForFunction(() => Number(document.querySelector('#insight-panel')?.getAttribute('data-step')) > 0);
    expect(await page.evaluate(() => performance.getEntriesByType('resource').some((r) => /network-graph\.view/.test(r.name))), 'Babylon waits for the graph tab').toBe(false);

    // Layers, from the keyboard: a strip per layer and a health row per layer.
    await page.locator('#phase').click();
    await page.keyboard.press('w');
    expect(await page.locator('#insight-tab-layers').getAttribute('aria-selected')).toBe('true');
    await page.waitForFunction(() => document.querySelectorAll('#layer-health li').length === 3);
    await page.waitForFunction(() => /‖grad‖/.test(document.querySelector('#layer-health li')?.textContent ?? ''));
    expect(await page.locator('#layer-health li').first().textContent()).toMatch(/^Layer 1 · 16 tanh‖grad‖ \S+ · update \S+ · dead \d+%/);
    await page.waitForTimeout(300);
    const step0 = Number(await page.locator('#insight-panel').getAttribute('data-step'));
    await page.locator('#layer-heatmaps').scrollIntoViewIfNeeded();
    const layersEarly = await shot(page, 'insight-layers-early', '#layer-heatmaps canvas', { colors: 30, ink: 0.1 });
    await laterProbe(page, '#insight-panel', step0);
    await page.waitForTimeout(300);
    const layersLater = await shot(page, 'insight-layers-later', '#layer-heatmaps canvas', { colors: 30, ink: 0.1 });
    expect(changedFraction(layersEarly, layersLater), 'the strips grew').toBeGreaterThan(0.01);

    // Neurons: arrow key from the Layers tab; one map per unit of the chosen layer.
    await page.locator('#insight-tab-layers').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#insight-tab-neurons').getAttribute('aria-selected')).toBe('true');
    await page.waitForFunction(() => Number(document.querySelector('#activation-maps')?.getAttribute('data-step')) > 0);
    expect(await page.locator('#neuron-layer option').count()).toBe(2);
    await page.waitForTimeout(300);
    const n0 = await stepOf(page, '#activation-maps');
    const neuronsEarly = await shot(page, 'insight-neurons-early', '#activation-maps canvas', { colors: 30, ink: 0.2 });
    await laterProbe(page, '#activation-maps', n0);
    await page.waitForTimeout(300);
    const neuronsLater = await shot(page, 'insight-neurons-later', '#activation-maps canvas', { colors: 30, ink: 0.2 });
    expect(changedFraction(neuronsEarly, neuronsLater), 'the units changed what they compute').toBeGreaterThan(0.01);
    await page.selectOption('#neuron-layer', '1');
    await page.waitForTimeout(500);
    await shot(page, 'insight-neurons-layer2', '#activation-maps canvas', { colors: 30, ink: 0.2 });

    // The 3D graph: Babylon loads now, on WebGL here.
    await page.locator('#phase').click();
    await page.keyboard.press('g');
    await page.waitForFunction(() => Number(document.querySelector('#network-graph')?.getAttribute('data-step')) > 0, null, { timeout: 60_000 });
    expect(await page.locator('#network-graph').getAttribute('data-engine')).toBe('WebGL');
    expect(Number(await page.locator('#network-graph').getAttribute('data-edges'))).toBeGreaterThan(50);
    await page.locator('#network-graph').scrollIntoViewIfNeeded();
    await page.waitForTimeout(800);
    const g0 = await stepOf(page, '#network-graph');
    const graphEarly = await shot(page, 'insight-graph-early', '#network-graph canvas', { colors: 100, ink: 0.05, alsoTo: path.join(DOCS, 'network.png') });
    await laterProbe(page, '#network-graph', g0);
    await page.waitForTimeout(800);
    const graphLater = await shot(page, 'insight-graph-later', '#network-graph canvas', { colors: 100, ink: 0.05 });
    expect(changedFraction(graphEarly, graphLater), 'edges and nodes moved with training').toBeGreaterThan(0.005);

    // Dark theme: every view repaints.
    await page.click('#theme-toggle');
    await page.waitForTimeout(500);
    await shot(page, 'insight-graph-dark', '#network-graph canvas', { colors: 100, ink: 0.05 });
    await page.keyboard.press('w');
    await page.waitForTimeout(500);
    await shot(page, 'insight-layers-dark', '#insight-panel', { colors: 30, ink: 0.1 });
    expect(errors).toEqual([]);
  }, 240_000); // three views, each waiting for later probes on two shared cores
});
