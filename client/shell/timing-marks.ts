/**
 * User Timing marks along a page's way from its navigation to the first curve point drawn, so that
 * `npm run bench -- client` can say where a spectator's wait goes (each mark's `startTime` counts from the
 * navigation's start). Set once per page load; plain strings, so the bench can import them without the client.
 */
export const TIMING_MARKS = {
  /** The page's script starts running: the HTML, the bundle and its imports are loaded. */
  scriptStart: 'arena:script-start',
  /** The browser was probed and a renderer chosen (WebGPU, WebGL or a 2D canvas). */
  rendererChosen: 'arena:renderer-chosen',
  /** A room was joined (the SDK's join resolved). */
  roomJoined: 'arena:room-joined',
  /** A chart's renderer started (Pixi's init resolved). */
  chartReady: 'arena:chart-ready',
  /** A chart drew its first curve point (`firstCurveMs`). */
  firstCurve: 'arena:first-curve-point',
} as const;

export type TimingMark = (typeof TIMING_MARKS)[keyof typeof TIMING_MARKS];

/** Sets `name` unless this page load has set it already (the first time is the one that counts). */
export function markOnce(name: TimingMark): void {
  if (typeof performance === 'undefined' || performance.getEntriesByName(name, 'mark').length > 0) return;
  performance.mark(name);
}
