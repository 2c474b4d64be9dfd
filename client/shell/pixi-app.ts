import type { Application } from 'pixi.js';
// Pixi compiles its uniform uploads with new Function(); this swaps in its eval-free versions, so the page runs
// under a CSP without 'unsafe-eval' (server/http/security-headers.ts).
import 'pixi.js/unsafe-eval';
import type { RendererKind } from './renderer-choice.ts';

/**
 * Starts a Pixi application that fills `host` (transparent, antialiased, at
 * the screen's density up to 2×), labels its canvas for screen readers and
 * puts it in the host. Returns the renderer Pixi actually used.
 */
export async function startPixiApp(app: Application, host: HTMLElement, preference: RendererKind, label: string): Promise<string> {
  await app.init({ preference, resizeTo: host, antialias: true, backgroundAlpha: 0, resolution: Math.min(window.devicePixelRatio || 1, 2), autoDensity: true });
  app.canvas.setAttribute('role', 'img');
  app.canvas.setAttribute('aria-label', label);
  host.append(app.canvas);
  return app.renderer.name;
}

let warming: Promise<unknown> | undefined;
/**
 * Starts loading the modules Pixi's first `init` imports on demand (its browser extensions: events, text,
 * graphics and the rest), so that a page which draws does not fetch and run them only after its room is joined.
 * Call it as soon as a drawing page is on its way; calling again does nothing.
 */
export function warmPixi(): void {
  // @ts-expect-error pixi.js exports ./browser (what its init imports) without a type declaration
  warming ??= import('pixi.js/browser').catch(() => undefined); // a failure here shows again, with its reason, in init
}
