/** A vertical axis of a chart panel: where a value goes (0 at the bottom, 1 at the top) and its tick values. */
export interface CurveScale {
  /** Position of `v` between the panel's bottom (0) and top (1), clamped. */
  at(v: number): number;
  ticks: number[];
  key: string;
}

function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** A linear axis from 0 to a round number at or above `highest`, five ticks. */
export function linearScale(highest: number): CurveScale {
  const max = niceMax(highest);
  return { at: (v) => Math.min(Math.max(v, 0), max) / max, ticks: [0, 1, 2, 3, 4].map((i) => (i / 4) * max), key: `lin${max}` };
}

/**
 * A log₁₀ axis over whole decades around the finite positive values (`lowest`..`highest`), a tick per decade;
 * zero and negative values sit at the bottom. Losses that fall by orders of magnitude stay readable on it.
 */
export function logScale(lowest: number, highest: number): CurveScale {
  const top = Number.isFinite(highest) && highest > 0 ? Math.ceil(Math.log10(highest)) : 0;
  let bottom = Number.isFinite(lowest) && lowest > 0 ? Math.floor(Math.log10(lowest)) : top - 1;
  if (bottom >= top) bottom = top - 1;
  const span = top - bottom;
  return {
    at: (v) => (v > 0 ? Math.min(Math.max((Math.log10(v) - bottom) / span, 0), 1) : 0),
    ticks: Array.from({ length: span + 1 }, (_, i) => 10 ** (bottom + i)),
    key: `log${bottom}:${top}`,
  };
}

/** Index of the point whose x is nearest `x` in ascending `xs` (-1 for none). */
export function nearestIndex(xs: readonly number[], x: number): number {
  if (xs.length === 0) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo]! - x) <= Math.abs(xs[hi]! - x) ? lo : hi;
}
