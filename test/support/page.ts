/**
 * What every browser test needs: the client built once (shared by every
 * test file and run until a client source changes), a real arena serving it,
 * headless Chromium, and screenshots that are checked for real content.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import { startTestArena, suiteResource } from './arena.ts';
import { launchChromium, type BrowserRenderer } from './browser.ts';
import { pixelStats } from './pixels.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'arena-test-client');
export const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
/** Screenshots the README shows. */
export const DOCS = path.join(ROOT, 'docs');

/** A hash of everything the client build reads. */
function clientSourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (!name.endsWith('.test.ts')) hash.update(file).update(readFileSync(file));
    }
  };
  walk(path.join(ROOT, 'client'));
  walk(path.join(ROOT, 'shared'));
  hash.update(readFileSync(path.join(ROOT, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The built client for these sources: built the first time, then reused.
 * Builds go to a temporary folder and are renamed into place, so two test
 * files building at once never see half a build.
 */
export async function builtClient(): Promise<string> {
  const dir = path.join(CACHE, clientSourceHash());
  if (existsSync(path.join(dir, 'index.html'))) return dir;
  const tmp = `${dir}.${process.pid}.${Date.now()}`;
  await build({ configFile: path.join(ROOT, 'client', 'vite.config.ts'), build: { outDir: tmp, emptyOutDir: true }, logLevel: 'warn' });
  mkdirSync(CACHE, { recursive: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test file finished the same build first
  }
  return dir;
}

/** A real arena serving the built client, and Chromium to open it, drawing with `renderer` (default WebGL). */
export async function startPageArena(env: Record<string, string> = {}, renderer: BrowserRenderer = 'webgl'): Promise<{ arena: Awaited<ReturnType<typeof startTestArena>>; browser: Browser; stop: () => Promise<void> }> {
  const arena = await startTestArena({ CLIENT_DIR: await builtClient(), ...env });
  const browser = await launchChromium(renderer);
  return {
    arena,
    browser,
    stop: async () => {
      await browser.close();
      await arena.stop();
    },
  };
}

/**
 * A page arena for a whole suite: started before its first test, stopped
 * after its last, its Chromium drawing with `renderer` (default WebGL; WebGPU
 * needs pages opened on localhost, see `onLocalhost`). Read `arena` and
 * `browser` inside the tests.
 */
export function pageArenaSuite(env: Record<string, string> = {}, renderer: BrowserRenderer = 'webgl'): { readonly arena: Awaited<ReturnType<typeof startTestArena>>; readonly browser: Browser } {
  const get = suiteResource(() => startPageArena(env, renderer), 'the page arena has not started (use it inside a test)');
  return {
    get arena() {
      return get().arena;
    },
    get browser() {
      return get().browser;
    },
  };
}

/**
 * Takes a screenshot (of `selector`, or the whole page), keeps it in
 * test-results/screenshots (and, when UPDATE_DOCS=1, in `alsoTo`, e.g. docs/:
 * README pictures are refreshed only when asked, so a test run leaves the
 * working tree clean), and checks it holds real content: more than a handful of
 * colours and not one flat colour.
 */
export async function shot(page: Page, name: string, selector?: string, options: { colors?: number; ink?: number; alsoTo?: string; fullPage?: boolean } = {}): Promise<Buffer> {
  const fullPage = !selector && (options.fullPage ?? true);
  if (fullPage) {
    // From the top: a page captured while scrolled draws its sticky bar mid-page, and WebGL canvases
    // that were above the viewport come out half painted.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  const png = selector ? await page.locator(selector).screenshot() : await page.screenshot({ fullPage });
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(path.join(SHOTS, `${name}.png`), png);
  if (options.alsoTo && process.env.UPDATE_DOCS === '1') writeFileSync(options.alsoTo, png);
  const stats = pixelStats(png);
  expect(stats.distinctColors, `${name}: more than a handful of colours`).toBeGreaterThan(options.colors ?? 20);
  expect(stats.inkFraction, `${name}: not one flat colour`).toBeGreaterThan(options.ink ?? 0.01);
  return png;
}

/**
 * The rows a selector finds, each as its cells' text joined by single spaces. Unlike `innerText`, this does
 * not depend on the row being laid out at the moment it is read: Chromium gives a row it has not rendered
 * (a page mid-relayout after a route change, say) as its cells run together, "1ada1,13811–0new".
 */
export function rowTexts(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((rows) => rows.map((r) => Array.from((r as HTMLTableRowElement).cells, (c) => (c.textContent ?? '').trim()).join(' ')));
}

/** The home page's playground form as a test fills it: the player's name, and any select left unset keeps its default. */
export interface PlaygroundForm {
  name: string;
  task?: string;
  budget?: string;
  pace?: string;
  challenge?: string;
}

/**
 * Opens the home page at `url` and makes a playground through its form, as a player does; resolves once the
 * owner's page is up (its designer shown).
 */
export async function openPlayground(page: Page, url: string, form: PlaygroundForm): Promise<void> {
  await page.goto(url);
  await page.fill('#player-name', form.name);
  if (form.task) await page.selectOption('#playground-task', form.task);
  if (form.budget) await page.selectOption('#playground-budget', form.budget);
  if (form.pace) await page.selectOption('#playground-pace', form.pace);
  if (form.challenge) await page.selectOption('#playground-challenge', form.challenge);
  await page.click('#create-playground');
  await page.waitForSelector('#designer');
}
