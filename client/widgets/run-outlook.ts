import { bestSoFar, curvePoints, etaOf, etaText, RateWindow, TREND_ARROW, trendOf, trendText, type CurvePoint, type Eta, type TrendDirection } from '../../shared/run-outlook.ts';
import { h } from '../shell/dom.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** A live run as a read-out needs it: where it stands, and its (downsampled) validation curve. */
export interface OutlookRun {
  /** Names the run: a new key (a new run, a new match) starts the rate and the best afresh. */
  key: string;
  samples: number;
  budget: number;
  valAccuracy: number;
  paused?: boolean;
  /** Finished, stopped or failed. */
  over?: boolean;
  curveSamples: ArrayLike<number>;
  curveValAccuracy: ArrayLike<number>;
}

interface Followed {
  window: RateWindow;
  best: CurvePoint | null;
  /** The render pass it was last shown in. */
  pass: number;
}

/**
 * The read-outs of a page's live runs: time left (the samples/s of the last
 * 10 s against the budget left), the best validation accuracy so far and at
 * which samples, and the trend of the recent curve as an arrow with a label.
 * A spectator who joins midway gets the best and the trend from the
 * downsampled curve at once, and the time left once 2 s have been measured.
 * Call `begin()` before each render pass: runs not shown since are forgotten.
 */
export class RunOutlooks {
  private readonly runs = new Map<string, Followed>();
  private pass = 0;
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  begin(): void {
    for (const [key, run] of this.runs) if (run.pass < this.pass) this.runs.delete(key);
    this.pass += 1;
  }

  /** The read-out of one run, as one line (`id` and `label`, e.g. "A", optional). */
  element(run: OutlookRun, options: { id?: string; label?: string } = {}): HTMLElement {
    const { eta, best, trend, kind, direction } = this.parts(run);
    return h('div', { class: 'outlook', id: options.id, 'data-eta': kind, 'data-trend': direction }, options.label ? h('span', { class: 'outlook-label' }, options.label) : '', eta, best, trend);
  }

  /** The read-out's three parts, to place apart (a table's cells): time left, best so far, trend arrow. */
  parts(run: OutlookRun): { eta: HTMLElement; best: HTMLElement; trend: HTMLElement; kind: Eta['kind']; direction: TrendDirection | 'none' } {
    let followed = this.runs.get(run.key);
    if (!followed) {
      followed = { window: new RateWindow(), best: null, pass: this.pass };
      this.runs.set(run.key, followed);
    }
    followed.pass = this.pass;
    // a pause's idle time must not count in the rate after it
    if (run.paused || run.over) followed.window.reset();
    else followed.window.observe(this.now(), run.samples);
    const eta = etaOf(followed.window, run);

    const points = curvePoints(run.curveSamples, run.curveValAccuracy);
    const latest = run.samples > 0 && Number.isFinite(run.valAccuracy) ? [{ samples: run.samples, value: run.valAccuracy }] : [];
    // the best shown never drops: the downsampled curve may lose the point it came from
    const best = bestSoFar([...(followed.best ? [followed.best] : []), ...points, ...latest]);
    followed.best = best;
    const trend = trendOf(points);

    const etaLabel = eta.kind === 'eta' ? `time left at the pace of the last 10 s (${Math.round(eta.samplesPerSec).toLocaleString('en')} samples/s)` : eta.kind === 'measuring' ? 'measuring the pace: the time left comes after a few seconds of training' : eta.kind === 'paused' ? 'paused: the budget waits' : 'the run is over';
    const trendLabel = trendText(trend);
    const direction = trend?.direction ?? 'none';
    return {
      kind: eta.kind,
      direction,
      eta: h('span', { class: 'outlook-eta stat', 'data-eta': eta.kind, title: etaLabel }, etaText(eta)),
      best: h('span', { class: 'outlook-best stat', title: 'best validation accuracy so far, and the samples it was reached at' }, best ? `best\u00a0${pct(best.value)} at\u00a0${Math.round(best.samples).toLocaleString('en')}` : 'best\u00a0—'),
      trend: h('span', { class: `outlook-trend ${direction}`, 'data-trend': direction, role: 'img', 'aria-label': trendLabel, title: trendLabel }, trend ? TREND_ARROW[trend.direction] : '…'),
    };
  }
}
