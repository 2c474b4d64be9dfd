import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { NICED_CHROMIUM, watchErrors } from './support/browser.ts';
import { pageArenaSuite } from './support/page.ts';
import { hasChromium } from './support/services.ts';

/** Records every CSP violation the page reports, from the first script on. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
  });
  const console: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) console.push(msg.text());
  });
  return async () => [...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)), ...console];
}

/** Home page, then a playground that trains (Pixi draws the boundary) and its loss terrain (Babylon.js). */
async function drawEverything(page: Page, url: string): Promise<{ renderer: string | null; terrainEngine: string | null }> {
  await page.goto(url);
  await page.waitForSelector('#player-name');
  await page.fill('#player-name', 'csp');
  await page.selectOption('#playground-task', 'spiral');
  await page.selectOption('#playground-budget', '5000000');
  await page.selectOption('#playground-pace', '600'); // still training when it is paused (unpaced, a slow machine saw it end first)
  await page.click('#create-playground');
  await page.waitForSelector('#designer');
  await page.fill('#spec-layers', '8, 8');
  await page.click('#start-run');
  await page.waitForFunction(() => Number(document.querySelector('#boundary')?.getAttribute('data-step')) > 0, null, { timeout: 60_000 });
  await page.locator('#phase').click();
  await page.keyboard.press(' ');
  await page.waitForFunction(() => /^Paused at step \d+$/.test(document.querySelector('#phase')?.textContent ?? ''));
  await page.click('#open-terrain');
  await page.waitForFunction(() => document.querySelector('#terrain')?.hasAttribute('data-step'), null, { timeout: 60_000 });
  return { renderer: await page.locator('#renderer-badge').textContent(), terrainEngine: await page.locator('#terrain').getAttribute('data-engine') };
}

/** Opens the pages in `browser` and draws everything; a failure says which violations and page errors came first. */
async function drawUnderCsp(browser: Browser, url: string): Promise<{ drawn: Awaited<ReturnType<typeof drawEverything>>; violations: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  const violations = await watchCsp(page);
  try {
    const drawn = await drawEverything(page, url).catch(async (err: Error) => {
      throw new Error(`${err.message}\nCSP violations: ${JSON.stringify(await violations())}\npage errors: ${JSON.stringify(errors)}`);
    });
    return { drawn, violations: await violations(), errors };
  } finally {
    await page.close();
  }
}

describe.skipIf(!hasChromium())('the page under its Content-Security-Policy, in headless Chromium', () => {
  const suite = pageArenaSuite();
  let webgpu: Browser | undefined;
  afterAll(async () => {
    await webgpu?.close();
  });

  it('is served with a CSP that the page, Pixi (WebGL) and Babylon (WebGL) pass without a violation', async () => {
    const { arena: t, browser } = suite;
    const home = await fetch(t.url);
    const csp = home.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).not.toMatch(/'unsafe-eval'/);

    const { drawn, violations, errors } = await drawUnderCsp(browser, t.url);
    expect(drawn).toEqual({ renderer: 'WebGL', terrainEngine: 'WebGL' });
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  }, 180_000);

  it('passes with WebGPU too (Pixi and Babylon on SwiftShader\'s Vulkan adapter)', async () => {
    webgpu = await chromium.launch({
      executablePath: NICED_CHROMIUM,
      args: ['--headless', '--no-sandbox', '--no-first-run', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    });
    // WebGPU needs a secure context: http://localhost is one, http://127.0.0.1 may not be.
    const url = suite.arena.url.replace('127.0.0.1', 'localhost');
    const { drawn, violations, errors } = await drawUnderCsp(webgpu, url);
    expect(drawn).toEqual({ renderer: 'WebGPU', terrainEngine: 'WebGPU' });
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  }, 180_000);
});
