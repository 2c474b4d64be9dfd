import { describe, expect, it } from 'vitest';
import { bestSoFar, curvePoints, etaOf, etaText, formatDuration, RateWindow, trendOf, trendText, type CurvePoint } from './run-outlook.ts';

/** Looks every `everyMs` from `fromMs` to `toMs`, samples growing at `perSec` from `samples`; returns the samples at the end. */
function feed(w: RateWindow, fromMs: number, toMs: number, everyMs: number, samples: number, perSec: number): number {
  let s = samples;
  for (let t = fromMs; t <= toMs; t += everyMs) {
    s = samples + ((t - fromMs) / 1000) * perSec;
    w.observe(t, s);
  }
  return s;
}

describe('RateWindow and etaOf', () => {
  it('measures until the looks span the minimum, then gives the time left at the recent rate', () => {
    const w = new RateWindow({ windowMs: 10_000, minSpanMs: 2_000 });
    expect(etaOf(w, { samples: 0, budget: 10_000 })).toEqual({ kind: 'measuring' });
    w.observe(0, 500);
    w.observe(1_000, 700);
    expect(etaOf(w, { samples: 700, budget: 10_000 })).toEqual({ kind: 'measuring' });
    w.observe(2_000, 900);
    const eta = etaOf(w, { samples: 900, budget: 10_000 });
    expect(eta.kind).toBe('eta');
    if (eta.kind === 'eta') {
      expect(eta.samplesPerSec).toBeCloseTo(200);
      expect(eta.seconds).toBeCloseTo((10_000 - 900) / 200);
    }
  });

  it('follows a change of speed within its window, not the average since the start', () => {
    const w = new RateWindow({ windowMs: 5_000 });
    const s = feed(w, 0, 20_000, 250, 0, 1_000); // fast for 20 s
    const end = feed(w, 20_250, 32_000, 250, s + 25, 100); // then slow for 12 s
    const eta = etaOf(w, { samples: end, budget: 100_000 });
    expect(eta.kind).toBe('eta');
    if (eta.kind === 'eta') expect(eta.samplesPerSec).toBeCloseTo(100, 0);
  });

  it('says paused while paused and done once the budget is spent or the run is over', () => {
    const w = new RateWindow();
    feed(w, 0, 5_000, 500, 0, 100);
    expect(etaOf(w, { samples: 500, budget: 1_000, paused: true })).toEqual({ kind: 'paused' });
    expect(etaOf(w, { samples: 1_000, budget: 1_000 })).toEqual({ kind: 'done' });
    expect(etaOf(w, { samples: 500, budget: 1_000, over: true })).toEqual({ kind: 'done' });
  });

  it('starts afresh after reset, on a new run (fewer samples) and when nothing moved', () => {
    const w = new RateWindow();
    feed(w, 0, 5_000, 500, 0, 100);
    expect(w.samplesPerSec()).not.toBeNull();
    w.reset();
    expect(w.samplesPerSec()).toBeNull();
    feed(w, 6_000, 11_000, 500, 0, 100);
    w.observe(11_500, 10); // a new run
    expect(w.samplesPerSec()).toBeNull();
    feed(w, 12_000, 20_000, 500, 10, 0); // stalled
    expect(etaOf(w, { samples: 10, budget: 1_000 })).toEqual({ kind: 'measuring' });
  });

  it('refuses a window shorter than its minimum span', () => {
    expect(() => new RateWindow({ windowMs: 1_000, minSpanMs: 2_000 })).toThrow(/minSpanMs/);
  });
});

describe('bestSoFar', () => {
  it('is the highest value and the samples it was first reached at', () => {
    expect(bestSoFar([])).toBeNull();
    expect(bestSoFar(curvePoints([100, 200, 300, 400], [0.5, 0.8, 0.8, 0.7]))).toEqual({ samples: 200, value: 0.8 });
  });

  it('skips points that are not numbers', () => {
    expect(curvePoints([100, 200, 300], [0.4, Number.NaN, 0.6])).toEqual([
      { samples: 100, value: 0.4 },
      { samples: 300, value: 0.6 },
    ]);
  });
});

/** A curve of `n` points every 100 samples, its value given by `f(samples)`. */
const curve = (n: number, f: (x: number) => number): CurvePoint[] => Array.from({ length: n }, (_, i) => ({ samples: (i + 1) * 100, value: f((i + 1) * 100) }));
/** A small deterministic wobble, ±0.002. */
const wobble = (x: number) => 0.002 * Math.sin(x / 37);

describe('trendOf', () => {
  it('has no trend before it has enough points', () => {
    expect(trendOf(curve(3, (x) => x / 1000))).toBeNull();
    expect(trendOf(curve(4, (x) => x / 1000))?.direction).toBe('improving');
  });

  it('tells improving, flat and worsening apart over the recent window', () => {
    expect(trendOf(curve(40, (x) => 0.5 + x / 20_000 + wobble(x)))?.direction).toBe('improving');
    expect(trendOf(curve(40, (x) => 0.8 + wobble(x)))?.direction).toBe('flat');
    expect(trendOf(curve(40, (x) => 0.9 - x / 20_000 + wobble(x)))?.direction).toBe('worsening');
  });

  it('looks only at the recent part: a curve that rose and then levelled off is flat', () => {
    const t = trendOf(curve(40, (x) => Math.min(0.9, 0.3 + x / 2_000) + wobble(x)));
    expect(t?.direction).toBe('flat');
    expect(t?.overSamples).toBe(1_000); // the last quarter of 4,000 samples
  });

  it('reads a loss the other way round', () => {
    expect(trendOf(curve(20, (x) => 1 - x / 4_000), { higherIsBetter: false })?.direction).toBe('improving');
  });

  it('gives a spectator who joins midway, from the downsampled curve, the same reading as the full curve', () => {
    const full = curve(256, (x) => 0.5 + 0.4 * (1 - Math.exp(-x / 30_000)) + wobble(x));
    const downsampled = full.filter((_, i) => i % 8 === 0);
    const a = trendOf(full)!;
    const b = trendOf(downsampled)!;
    expect(b.direction).toBe(a.direction);
    expect(b.change).toBeCloseTo(a.change, 2);
    expect(bestSoFar(downsampled)!.value).toBeLessThanOrEqual(bestSoFar(full)!.value);
  });
});

describe('words', () => {
  it('formats durations and ETAs', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3_720)).toBe('1h 02m');
    expect(etaText({ kind: 'eta', seconds: 185, samplesPerSec: 10 })).toBe('3m 05s left');
    expect(etaText({ kind: 'eta', seconds: 0.2, samplesPerSec: 10 })).toBe('under 1s left');
    expect(etaText({ kind: 'measuring' })).toBe('measuring…');
    expect(etaText({ kind: 'paused' })).toBe('paused');
  });

  it('describes a trend with its size and window', () => {
    expect(trendText({ direction: 'improving', change: 0.0213, overSamples: 4_000 })).toBe('validation accuracy improving: +2.1 points over the last 4,000 samples');
    expect(trendText(null)).toMatch(/not enough points/);
  });
});
