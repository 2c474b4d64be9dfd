/**
 * How a training run is going, from what a watcher can see: the time left
 * (from the samples/s over a recent window and the budget left), the best
 * validation accuracy so far and at which samples, and the trend of
 * validation accuracy over the recent part of the curve. Pure: the clock
 * and the curve are passed in, so the CLI, the pages and the tests share it.
 */

/** One look at a run's progress: when (ms, any monotonic clock) and how many samples it had spent. */
export interface ProgressLook {
  atMs: number;
  samples: number;
}

/** The time left, or why there is none: not measured yet, paused, or over. */
export type Eta = { kind: 'measuring' } | { kind: 'paused' } | { kind: 'done' } | { kind: 'eta'; seconds: number; samplesPerSec: number };

/** Options of {@link RateWindow}. */
export interface RateWindowOptions {
  /** How far back the rate looks, in ms (default 10,000). */
  windowMs?: number;
  /** The shortest span of looks the rate is trusted on, in ms (default 2,000): before it, "measuring". */
  minSpanMs?: number;
}

/**
 * The samples/s over a recent window of looks. A look with fewer samples
 * than the last (a new run) starts the window afresh; so does `reset()`
 * (after a pause, whose idle time must not count).
 */
export class RateWindow {
  private looks: ProgressLook[] = [];
  private readonly windowMs: number;
  private readonly minSpanMs: number;

  constructor(options: RateWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 10_000;
    this.minSpanMs = options.minSpanMs ?? 2_000;
    if (!(this.windowMs > 0) || !(this.minSpanMs >= 0) || this.minSpanMs > this.windowMs) throw new Error(`a rate window needs 0 ≤ minSpanMs ≤ windowMs and windowMs > 0 (got windowMs ${this.windowMs}, minSpanMs ${this.minSpanMs})`);
  }

  observe(atMs: number, samples: number): void {
    const last = this.looks.at(-1);
    if (last && (samples < last.samples || atMs < last.atMs)) this.looks = [];
    this.looks.push({ atMs, samples });
    // keep the newest look older than the window, so the window is always covered when looks are sparse
    while (this.looks.length > 2 && this.looks[1]!.atMs <= atMs - this.windowMs) this.looks.shift();
  }

  reset(): void {
    this.looks = [];
  }

  /** Samples per second over the window, or null while the looks span less than `minSpanMs` or show no progress. */
  samplesPerSec(): number | null {
    const first = this.looks[0];
    const last = this.looks.at(-1);
    if (!first || !last) return null;
    const spanMs = last.atMs - first.atMs;
    const gained = last.samples - first.samples;
    if (spanMs < this.minSpanMs || spanMs <= 0 || gained <= 0) return null;
    return (gained * 1000) / spanMs;
  }
}

/** A run as the ETA sees it: where it stands and whether it moves. */
export interface RunStanding {
  samples: number;
  budget: number;
  paused?: boolean;
  /** Over (finished, stopped or failed): no time left to show. */
  over?: boolean;
}

/** The time left of a run, at the rate of `window`. */
export function etaOf(window: RateWindow, run: RunStanding): Eta {
  if (run.over || (run.budget > 0 && run.samples >= run.budget)) return { kind: 'done' };
  if (run.paused) return { kind: 'paused' };
  const rate = window.samplesPerSec();
  if (rate === null) return { kind: 'measuring' };
  return { kind: 'eta', seconds: Math.max(0, run.budget - run.samples) / rate, samplesPerSec: rate };
}

/** A point of a learning curve: samples seen and the figure watched (validation accuracy). */
export interface CurvePoint {
  samples: number;
  value: number;
}

/** Zips a curve's columns into points, dropping any that is not a finite number. */
export function curvePoints(samples: ArrayLike<number>, values: ArrayLike<number>): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (let i = 0; i < Math.min(samples.length, values.length); i++) {
    const s = samples[i]!;
    const v = values[i]!;
    if (Number.isFinite(s) && Number.isFinite(v)) points.push({ samples: s, value: v });
  }
  return points;
}

/** The highest value of the curve and the samples it was reached at (the first time), or null for no point. */
export function bestSoFar(points: readonly CurvePoint[]): CurvePoint | null {
  let best: CurvePoint | null = null;
  for (const p of points) if (!best || p.value > best.value) best = p;
  return best ? { ...best } : null;
}

export type TrendDirection = 'improving' | 'flat' | 'worsening';

/** The direction of the recent part of a curve, and how much it moved over it. */
export interface Trend {
  direction: TrendDirection;
  /** Change of the fitted line over the window (accuracy: 0.02 is two points). */
  change: number;
  /** Samples the window spans. */
  overSamples: number;
}

/** Options of {@link trendOf}. */
export interface TrendOptions {
  /** The recent window: the last fraction of the samples seen (default 0.25). */
  fraction?: number;
  /** The fewest points a trend is drawn from (default 4): fewer, and there is none yet. */
  minPoints?: number;
  /** A change smaller than this over the window is flat (default 0.005, half a point of accuracy). */
  tolerance?: number;
  /** Whether a higher value is better (default true: accuracy; false for a loss). */
  higherIsBetter?: boolean;
}

/**
 * The trend over the recent window of a curve: a least-squares line through
 * the points in the last `fraction` of the samples seen (at least `minPoints`
 * of them), and whether it rises, stays flat or falls by more than
 * `tolerance` across the window. Null until the curve has `minPoints` points.
 */
export function trendOf(points: readonly CurvePoint[], options: TrendOptions = {}): Trend | null {
  const { fraction = 0.25, minPoints = 4, tolerance = 0.005, higherIsBetter = true } = options;
  if (points.length < Math.max(2, minPoints)) return null;
  const last = points.at(-1)!;
  const from = last.samples - fraction * last.samples;
  let start = points.length - minPoints;
  while (start > 0 && points[start - 1]!.samples >= from) start--;
  const recent = points.slice(start);
  const n = recent.length;
  const meanX = recent.reduce((a, p) => a + p.samples, 0) / n;
  const meanY = recent.reduce((a, p) => a + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of recent) {
    sxy += (p.samples - meanX) * (p.value - meanY);
    sxx += (p.samples - meanX) ** 2;
  }
  const overSamples = last.samples - recent[0]!.samples;
  if (sxx === 0 || overSamples <= 0) return null;
  const change = (sxy / sxx) * overSamples;
  const better = higherIsBetter ? change : -change;
  const direction: TrendDirection = Math.abs(change) < tolerance ? 'flat' : better > 0 ? 'improving' : 'worsening';
  return { direction, change, overSamples };
}

/** "42s", "3m 05s", "1h 02m": a duration for people. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The ETA in words: "measuring…", "paused", "done", "under 1s left", "3m 05s left". */
export function etaText(eta: Eta): string {
  switch (eta.kind) {
    case 'measuring':
      return 'measuring…';
    case 'paused':
      return 'paused';
    case 'done':
      return 'done';
    case 'eta':
      return eta.seconds < 0.5 ? 'under 1s left' : `${formatDuration(eta.seconds)} left`;
  }
}

/** The arrow drawn for a trend. */
export const TREND_ARROW: Readonly<Record<TrendDirection, string>> = { improving: '↗', flat: '→', worsening: '↘' };

/** A trend in words, for a screen reader and a tooltip: "improving: +2.1 points over the last 4,000 samples". */
export function trendText(trend: Trend | null, what = 'validation accuracy'): string {
  if (!trend) return `${what} trend: not enough points yet`;
  const points = `${trend.change >= 0 ? '+' : '−'}${Math.abs(trend.change * 100).toFixed(1)} points`;
  return `${what} ${trend.direction}: ${points} over the last ${Math.round(trend.overSamples).toLocaleString('en')} samples`;
}
