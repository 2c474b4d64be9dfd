/** Pixi's module, as the views that draw with it get it from `loadPixi`. */
export type Pixi = typeof import('pixi.js');

let loading: Promise<Pixi> | undefined;
/**
 * Loads Pixi (once) for a view about to draw with it. No page imports Pixi statically: a room's page mounts, shows
 * its state and sketches its curves on a Canvas 2D while Pixi loads and starts, so Pixi's own start-up is not part
 * of a player's or a spectator's wait for the first picture. Pixi compiles its uniform uploads with new Function();
 * 'pixi.js/unsafe-eval' swaps in its eval-free versions, so the page runs under a CSP without 'unsafe-eval'
 * (server/http/security-headers.ts): it is loaded with Pixi, before any view starts an application.
 */
export function loadPixi(): Promise<Pixi> {
  // @ts-expect-error pixi.js exports ./unsafe-eval (a module run for its effect) without a type declaration
  loading ??= Promise.all([import('pixi.js'), import('pixi.js/unsafe-eval')]).then(([pixi]) => pixi);
  return loading;
}
