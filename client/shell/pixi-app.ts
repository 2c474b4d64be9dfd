import type { Application } from 'pixi.js';
import { loadPixi } from './pixi-module.ts';
import type { RendererKind } from './renderer-choice.ts';

/**
 * Starts a Pixi application that fills `host` (transparent, antialiased, at
 * the screen's density up to 2×), labels its canvas for screen readers and
 * puts it in the host. Returns the renderer Pixi actually used. Its ticker does not
 * run: Pixi would render every animation frame, changed or not; each view renders on
 * demand instead (RenderScheduler in client/widgets/render-scheduler.ts).
 */
export async function startPixiApp(app: Application, host: HTMLElement, preference: RendererKind, label: string): Promise<string> {
  await loadPixi(); // with its eval-free uniform uploads (see loadPixi)
  await app.init({ autoStart: false, preference, resizeTo: host, antialias: true, backgroundAlpha: 0, resolution: Math.min(window.devicePixelRatio || 1, 2), autoDensity: true });
  app.canvas.setAttribute('role', 'img');
  app.canvas.setAttribute('aria-label', label);
  host.append(app.canvas);
  return app.renderer.name;
}
