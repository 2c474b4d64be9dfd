import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Chromium (CHROMIUM_PATH) started through a script that lowers its priority to the training threads' (see the script). */
export const NICED_CHROMIUM = fileURLToPath(new URL('./chromium-niced.sh', import.meta.url));

/** Debian's Chromium, headless, with WebGL on SwiftShader (there is no GPU here). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: NICED_CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

/** Collects console errors and uncaught page errors so a test can fail on any. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  return errors;
}
