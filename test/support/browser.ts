import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Chromium (CHROMIUM_PATH) started through a script that lowers its priority to the training threads' (see the script). */
export const NICED_CHROMIUM = fileURLToPath(new URL('./chromium-niced.sh', import.meta.url));

/** How the browser draws: WebGL on SwiftShader (no GPU here), or WebGPU on SwiftShader's Vulkan adapter. */
export type BrowserRenderer = 'webgl' | 'webgpu';

const COMMON_ARGS = ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--enable-unsafe-swiftshader'];

/** The flags of each renderer. WebGPU needs a secure context: open pages on http://localhost (`onLocalhost`). */
const RENDERER_ARGS: Record<BrowserRenderer, string[]> = {
  webgl: ['--disable-gpu', '--use-angle=swiftshader'],
  webgpu: ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader'],
};

/** Debian's Chromium, headless, drawing with WebGL (the default) or WebGPU, both on SwiftShader. */
export function launchChromium(renderer: BrowserRenderer = 'webgl'): Promise<Browser> {
  return chromium.launch({ executablePath: NICED_CHROMIUM, args: [...COMMON_ARGS, ...RENDERER_ARGS[renderer]] });
}

/** The same server's address on localhost: a secure context, as WebGPU requires (127.0.0.1 may not be one). */
export function onLocalhost(url: string): string {
  return url.replace('://127.0.0.1', '://localhost');
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
