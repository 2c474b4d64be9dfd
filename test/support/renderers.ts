/**
 * What a journey needs to run on both renderers: the list (WebGL first, the
 * full journeys; WebGPU second, trimmed where a journey is long), the badge
 * each shows, a wait for the page's next frames, and screenshot names that
 * keep WebGL's as they were (the README's pictures come from those).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { BrowserRenderer } from './browser.ts';

/**
 * Every renderer the main journeys run on, in the order the suites run them: WebGL, then WebGPU (SwiftShader's, see
 * launchChromium). JOURNEYS_ON_WEBGPU=0 leaves WebGPU out (WebGL only, e.g. for a quick local run).
 */
export const RENDERERS: readonly BrowserRenderer[] = process.env.JOURNEYS_ON_WEBGPU === '0' ? ['webgl'] : ['webgl', 'webgpu'];

/** What the page's renderer badge says for each. */
export const BADGE: Record<BrowserRenderer, string> = { webgpu: 'WebGPU', webgl: 'WebGL' };

/**
 * Checks that the page draws with `renderer`: waits until the badge has
 * decided (the page probes the browser while it loads, so it reads "…" for a
 * moment), then expects the renderer's name.
 */
export async function expectBadge(page: Page, renderer: BrowserRenderer): Promise<void> {
  await page.waitForFunction(() => document.querySelector('#renderer-badge')?.textContent !== '…');
  expect(await page.locator('#renderer-badge').textContent(), `the page draws with ${BADGE[renderer]}`).toBe(BADGE[renderer]);
}

/** Waits for the page to draw what it was given (two frames). */
export function drawn(page: Page): Promise<unknown> {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** A screenshot's or a player's name on `renderer`: WebGL's as it always was, WebGPU's with a suffix. */
export function onRenderer(name: string, renderer: BrowserRenderer): string {
  return renderer === 'webgl' ? name : `${name}-${renderer}`;
}
