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
