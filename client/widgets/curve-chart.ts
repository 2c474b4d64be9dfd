import type { Application, Container, Graphics } from 'pixi.js';
import { ColumnLine } from './column-line.ts';
import { columnSpans, debiasedEma, movingAverage, windowOfWeight } from './curve-resample.ts';
import { CurveReadout, type Readout } from './curve-readout.ts';
import { linearScale, logScale, nearestIndex, type CurveScale } from './curve-scale.ts';
import { seatColor, seatCss } from './palette.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { cssColor, onThemeChange } from '../shell/theme.ts';
import { startPixiApp } from '../shell/pixi-app.ts';
import { loadPixi, type Pixi } from '../shell/pixi-module.ts';
import { WaitingNote } from './waiting-note.ts';
import { markOnce, TIMING_MARKS } from '../shell/timing-marks.ts';
import { RenderScheduler } from './render-scheduler.ts';
import { CurveSketch } from './curve-sketch.ts';

/** One entry's learning curve, as the chart draws it. */
export interface CurveSeries {
  seat: number;
  label: string;
  samples: readonly number[];
  loss: readonly number[];
  valAccuracy: readonly number[];
  /** Training accuracy and validation loss at the same points, where the run reports them. */
  accuracy?: readonly number[];
  valLoss?: readonly number[];
  /** A kept run drawn for comparison: thinner, under the live curves, its gap not shaded. */
  overlay?: boolean;
}

/** How curves are smoothed: debiased exponential moving average, or a trailing mean over a window of points. */
export type SmoothingKind = 'ema' | 'mean';

/**
 * The performance mark (User Timing) a chart sets when it first draws a curve point; its `startTime` is the time
 * since the page's navigation began (`npm run bench -- client` reads it as `firstCurveMs`).
 */
export const FIRST_CURVE_MARK = TIMING_MARKS.firstCurve;

/** How the chart shows the curves. */
export interface CurveView {
  /** Training and validation of each metric on the same axes, the gap between them shaded (default on). */
  trainAndVal: boolean;
  /** Loss on a log₁₀ axis (default off). */
  logLoss: boolean;
}

/** One panel: its title, axis, and which figures it draws (the main line, and its companion on the same axes). */
interface Panel {
  title: string;
  top: number;
  scale: CurveScale;
  fmt: (v: number) => string;
  main: (s: CurveSeries) => readonly number[];
  companion: (s: CurveSeries) => readonly number[] | undefined;
  /** Overfitting shows as the companion above the main line (training accuracy over validation) or below it (training loss under validation). */
  gapWhen: (main: number, companion: number) => boolean;
}

const PAD = { left: 48, right: 14, top: 26, bottom: 26, gap: 34 };

function formatSamples(n: number): string {
  return n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : `${n}`;
}

const fmtLoss = (v: number) => (Number.isFinite(v) ? `${+v.toPrecision(3)}` : String(v));
const fmtPct = (v: number) => `${(v * 100).toFixed(1)}%`;

/**
 * Learning curves of every entry in two stacked panels (accuracy on top, loss below) against samples seen,
 * drawn with Pixi.js. Where a run reports both, training and validation share each panel's axes (validation
 * bold, training thin) with the overfitting gap between them shaded; loss can go on a log axis; curves can be
 * smoothed (debiased EMA); hovering shows every curve's figures at that point.
 */
export class CurveChart {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  // Pixi and what the chart draws with it, from `init` on (Pixi loads then: see loadPixi).
  private pixi!: Pixi;
  private app?: Application;
  private grid!: Graphics;
  private lines!: Graphics;
  private guide!: Graphics;
  private guideX: number | undefined;
  private view: CurveView = { trainAndVal: true, logLoss: false };
  private plot = { w: 0, panelH: 0 };
  /** Dense curves (more points than pixel columns), one bar mesh per line drawn. */
  private dense!: Container;
  private columnLines: ColumnLine[] = [];
  private spanLo = new Float32Array(0);
  private spanHi = new Float32Array(0);
  private labels!: Container;
  private series: CurveSeries[] = [];
  private budget = 1;
  private smoothing = 0;
  private smoothingKind: SmoothingKind = 'ema';
  private themeVersion = 0;
  private dirty = true;
  /** Renders on the next animation frame when something shown changed, and never otherwise. */
  private readonly frames = new RenderScheduler(() => {
    if (this.dirty) this.draw();
    this.app!.render();
  });
  private readonly host: HTMLElement;
  /** Over the empty chart: what it waits for, until the first point comes. */
  private readonly note: WaitingNote;
  private waitingFor = 'waiting for the first curve point…';
  private markedFirstPoint = false;
  /** The renderer has started (init resolved). */
  private ready = false;
  /** The curves on a Canvas 2D until the renderer has started (see CurveSketch); gone once it has. */
  private sketch?: CurveSketch;
  private static readonly LABEL = 'Learning curves: validation accuracy and training loss against samples seen';

  constructor(host: HTMLElement) {
    this.host = host;
    this.note = new WaitingNote(host);
    this.note.show(this.waitingFor);
  }

  /** Says what the chart waits for while it has no point (shown until one comes, and again if the curves are cleared). */
  waitFor(what: string, progress?: number): void {
    this.waitingFor = what;
    if (!this.hasPoints()) this.note.show(what, progress);
  }

  private hasPoints(): boolean {
    return this.series.some((s) => s.samples.length > 0);
  }

  /** Starts the renderer; returns the one Pixi actually used. */
  async init(preference: RendererKind): Promise<string> {
    const pixi = (this.pixi = await loadPixi());
    this.app = new pixi.Application();
    [this.grid, this.lines, this.guide] = [new pixi.Graphics(), new pixi.Graphics(), new pixi.Graphics()];
    [this.dense, this.labels] = [new pixi.Container(), new pixi.Container()];
    const used = await startPixiApp(this.app, this.host, preference, CurveChart.LABEL);
    this.sketch?.destroy();
    this.sketch = undefined;
    this.app.stage.addChild(this.grid, this.dense, this.lines, this.guide, this.labels);
    new CurveReadout(this.host, (x) => this.readAt(x), (x) => {
      this.guideX = x;
      this.drawGuide();
    });
    this.app.renderer.on('resize', () => this.invalidate());
    this.offTheme = onThemeChange(() => {
      this.themeVersion++;
      this.invalidate();
    });
    this.frames.start();
    this.ready = true;
    markOnce(TIMING_MARKS.chartReady);
    return used;
  }

  /** Replaces the data; the next frame redraws. */
  update(series: CurveSeries[], budget: number): void {
    // Kept runs first: the live curves are drawn over them.
    this.series = [...series.filter((s) => s.overlay), ...series.filter((s) => !s.overlay)];
    this.host.dataset.series = this.series.map((s) => s.label).join('|');
    this.budget = Math.max(1, budget);
    this.invalidate();
    if (this.hasPoints()) this.note.hide();
    else this.note.show(this.waitingFor);
    // The first points are drawn at once rather than on the next animation frame: a spectator is waiting for them.
    if (this.ready && !this.markedFirstPoint && this.hasPoints()) this.renderNow();
    else if (!this.ready && this.hasPoints()) this.drawSketch();
  }

  /** Until the renderer has started, the curves as a Canvas 2D sketch (the first one sets the first-curve mark). */
  private drawSketch(): void {
    if (this.host.clientWidth === 0) return; // not laid out yet: the chart draws them when it starts
    this.sketch ??= new CurveSketch(this.host, CurveChart.LABEL);
    const live = this.series.filter((s) => !s.overlay);
    if (this.sketch.draw(live, this.budget, PAD) && !this.markedFirstPoint) {
      this.markedFirstPoint = true;
      this.host.dataset.sketched = 'true';
      markOnce(FIRST_CURVE_MARK);
    }
  }

  /** Draws now and renders the frame, without waiting for the next animation frame (benchmarks time this). */
  renderNow(): void {
    this.frames.flush();
  }

  /** Changes how the curves are shown (see CurveView). */
  setView(view: Partial<CurveView>): void {
    this.view = { ...this.view, ...view };
    this.invalidate();
  }

  /**
   * Smoothing of the curves (0: raw; the raw curve stays as a faint line when smoothed): `a` is the debiased
   * EMA's weight, or with `kind` 'mean' a trailing moving average over the window that weight stands for,
   * 1/(1 − a) points (0.9: 10 points).
   */
  setSmoothing(a: number, kind: SmoothingKind = this.smoothingKind): void {
    this.smoothing = Math.min(0.99, Math.max(0, a));
    this.smoothingKind = kind;
    this.host.dataset.smoothing = this.smoothing > 0 ? (kind === 'mean' ? `mean of ${windowOfWeight(this.smoothing)}` : `ema ${this.smoothing}`) : 'raw';
    this.invalidate();
  }

  private text(s: string, x: number, y: number, color: string, anchorX = 0): void {
    const t = new this.pixi.Text({ text: s, style: { fontSize: 11, fill: color, fontFamily: 'system-ui, sans-serif' } });
    t.anchor.set(anchorX, 0.5);
    t.position.set(Math.round(x), Math.round(y));
    this.labels.addChild(t);
  }

  /** What the grid and labels depend on; they are rebuilt only when it changes (text is costly to make). */
  private layoutKey = '';

  private draw(): void {
    this.dirty = false;
    const w = this.app!.screen.width;
    const hgt = this.app!.screen.height;
    this.lines.clear();
    const panelH = (hgt - PAD.top - PAD.bottom - PAD.gap) / 2;
    const plotW = w - PAD.left - PAD.right;
    if (plotW <= 10 || panelH <= 10) return;
    // training and validation share a panel only where the runs report both (race curves keep one of each)
    const bothAcc = this.view.trainAndVal && this.series.some((s) => s.accuracy?.length);
    const both = this.view.trainAndVal && this.series.some((s) => s.valLoss?.length);
    const losses = this.series.flatMap((s) => [...s.loss, ...(both && s.valLoss ? s.valLoss : [])]).filter((v) => Number.isFinite(v));
    const lossScale = this.view.logLoss ? logScale(Math.min(...losses.filter((v) => v > 0)), Math.max(0.1, ...losses)) : linearScale(Math.max(0.1, ...losses));
    const panels: Panel[] = [
      { title: bothAcc ? 'Accuracy: validation (bold) and training (thin)' : 'Validation accuracy', top: PAD.top, scale: linearScale(1), fmt: (v) => `${Math.round(v * 100)}%`, main: (s) => s.valAccuracy, companion: (s) => (bothAcc ? s.accuracy : undefined), gapWhen: (val, train) => train > val },
      { title: `${both ? 'Loss: training (bold) and validation (thin)' : 'Training loss'}${this.view.logLoss ? ', log scale' : ''}`, top: PAD.top + panelH + PAD.gap, scale: lossScale, fmt: fmtLoss, main: (s) => s.loss, companion: (s) => (both ? s.valLoss : undefined), gapWhen: (train, val) => val > train },
    ];
    this.plot = { w: plotW, panelH };
    const xOf = (samples: number) => PAD.left + (samples / this.budget) * plotW;
    const key = `${w}|${hgt}|${this.budget}|${panels.map((p) => `${p.title}:${p.scale.key}`).join('|')}|${this.themeVersion}`;
    if (key !== this.layoutKey) {
      this.layoutKey = key;
      this.drawFrame(panels, panelH, plotW, xOf);
    }
    // Short curves are polylines. Dense ones (more points than pixel columns, such as a long stored race)
    // are drawn at the canvas's resolution: one bar per pixel column from the lowest to the highest value
    // there, as a mesh rewritten in place, so spikes survive and 10,000 points cost what 1,000 pixels do.
    const columns = Math.max(1, Math.floor(plotW));
    if (this.spanLo.length !== columns) {
      for (const c of this.columnLines) c.destroy();
      this.columnLines = [];
      this.dense.removeChildren();
      this.spanLo = new Float32Array(columns);
      this.spanHi = new Float32Array(columns);
    }
    let denseUsed = 0;
    const denseLine = (s: CurveSeries, ys: readonly number[], yOf: (v: number) => number, width: number, alpha: number) => {
      let line = this.columnLines[denseUsed];
      if (!line) {
        line = new ColumnLine(this.pixi, columns);
        this.columnLines.push(line);
        this.dense.addChild(line.mesh);
      }
      denseUsed++;
      columnSpans(s.samples, ys, 0, this.budget, this.spanLo, this.spanHi);
      line.set(this.spanLo, this.spanHi, PAD.left, plotW / columns, yOf, width / 2, seatColor(s.seat), alpha);
    };
    const polyline = (s: CurveSeries, ys: readonly number[], xOfI: (x: number) => number, yOf: (v: number) => number, width: number, alpha: number) => {
      this.lines.moveTo(xOfI(s.samples[0]!), yOf(ys[0]!));
      const n = Math.min(ys.length, s.samples.length);
      for (let i = 1; i < n; i++) this.lines.lineTo(xOfI(s.samples[i]!), yOf(ys[i]!));
      // Bevel joins: round ones cost a fan of triangles at every vertex, for no visible gain at 2 px.
      this.lines.stroke({ width, color: seatColor(s.seat), alpha, join: 'bevel', cap: 'butt' });
    };
    for (const p of panels) {
      const yOf = (v: number) => p.top + panelH - p.scale.at(v) * panelH;
      for (const s of this.series) {
        const raw = p.main(s);
        const n = Math.min(raw.length, s.samples.length);
        if (n === 0) continue;
        const line = (ys: readonly number[], width: number, alpha: number) => (n > columns ? denseLine(s, ys, yOf, width, alpha) : polyline(s, ys, xOf, yOf, width, alpha));
        const smooth = (ys: readonly number[]) => (this.smoothing <= 0 ? ys : this.smoothingKind === 'mean' ? movingAverage(ys, windowOfWeight(this.smoothing)) : debiasedEma(ys, this.smoothing));
        const thin = s.overlay ? 0.6 : 1;
        const drawn = smooth(raw);
        const rawCompanion = p.companion(s);
        const companion = rawCompanion && rawCompanion.length >= n ? smooth(rawCompanion) : undefined;
        if (companion && n <= columns && !s.overlay) this.shadeGap(s, drawn, companion, n, p, xOf, yOf);
        if (this.smoothing > 0 && !s.overlay) line(raw, 1, 0.25);
        if (companion) line(companion, 1.25 * thin, 0.6 * thin);
        line(drawn, 2 * thin, s.overlay ? 0.75 : 1);
        this.lines.circle(xOf(s.samples[n - 1]!), yOf(drawn[n - 1]!), s.overlay ? 2.5 : 3.5).fill(seatColor(s.seat));
      }
    }
    for (let i = denseUsed; i < this.columnLines.length; i++) this.columnLines[i]!.mesh.visible = false;
    if (!this.markedFirstPoint && this.hasPoints()) {
      this.markedFirstPoint = true;
      markOnce(FIRST_CURVE_MARK);
    }
  }

  /** Shades the stretches where the companion is on the overfitting side of the main curve (polylines only). */
  private shadeGap(s: CurveSeries, main: readonly number[], companion: readonly number[], n: number, p: Panel, xOf: (x: number) => number, yOf: (v: number) => number): void {
    for (let i = 0; i + 1 < n; i++) {
      if (!p.gapWhen(main[i]!, companion[i]!) && !p.gapWhen(main[i + 1]!, companion[i + 1]!)) continue;
      const [x0, x1] = [xOf(s.samples[i]!), xOf(s.samples[i + 1]!)];
      const ys = [yOf(main[i]!), yOf(main[i + 1]!), yOf(companion[i + 1]!), yOf(companion[i]!)];
      if (!ys.every(Number.isFinite)) continue;
      this.lines.poly([x0, ys[0]!, x1, ys[1]!, x1, ys[2]!, x0, ys[3]!]).fill({ color: seatColor(s.seat), alpha: 0.16 });
    }
  }

  /** The read-out at a pointer x: every curve's figures at its point nearest that many samples. */
  private readAt(x: number): Readout | undefined {
    const { w } = this.plot;
    if (w <= 0 || x < PAD.left - 4 || x > PAD.left + w + 4 || this.series.length === 0) return undefined;
    const at = ((x - PAD.left) / w) * this.budget;
    let snapped: number | undefined;
    const lines = [];
    for (const s of this.series) {
      const i = nearestIndex(s.samples, at);
      if (i < 0) continue;
      snapped ??= s.samples[i]!;
      const parts = [`loss ${fmtLoss(s.loss[i]!)}`];
      if (s.valLoss?.[i] !== undefined) parts.push(`val. loss ${fmtLoss(s.valLoss[i]!)}`);
      if (s.accuracy?.[i] !== undefined) parts.push(`acc. ${fmtPct(s.accuracy[i]!)}`);
      parts.push(`val. acc. ${fmtPct(s.valAccuracy[i]!)}`);
      lines.push({ color: seatCss(s.seat), text: `${s.label}: ${parts.join(' · ')}` });
    }
    if (snapped === undefined) return undefined;
    return { x: PAD.left + (snapped / this.budget) * w, title: `${snapped.toLocaleString('en')} samples`, lines };
  }

  private drawGuide(): void {
    this.guide.clear();
    this.frames.request();
    if (this.guideX === undefined) return;
    const bottom = PAD.top + 2 * this.plot.panelH + PAD.gap;
    this.guide.moveTo(this.guideX, PAD.top).lineTo(this.guideX, bottom).stroke({ width: 1, color: cssColor('--muted') || '#5d6478', alpha: 0.6 });
  }

  /** The grid and its labels. */
  private drawFrame(panels: Panel[], panelH: number, plotW: number, xOf: (samples: number) => number): void {
    const gridColor = cssColor('--grid') || '#e6e9f2';
    const muted = cssColor('--muted') || '#5d6478';
    this.grid.clear();
    for (const child of this.labels.removeChildren()) child.destroy();
    for (const p of panels) {
      this.text(p.title, PAD.left, p.top - 13, muted);
      for (const tick of p.scale.ticks) {
        const y = p.top + panelH - p.scale.at(tick) * panelH;
        this.grid.moveTo(PAD.left, y).lineTo(PAD.left + plotW, y);
        this.text(p.fmt(tick), PAD.left - 6, y, muted, 1);
      }
      this.grid.stroke({ width: 1, color: gridColor });
    }
    const bottom = PAD.top + 2 * panelH + PAD.gap;
    for (let i = 0; i <= 4; i++) this.text(formatSamples(Math.round((i / 4) * this.budget)), xOf((i / 4) * this.budget), bottom + 12, muted, i === 0 ? 0 : i === 4 ? 1 : 0.5);
  }

  /** What the view shows changed: redraw and render on the next frame. */
  private invalidate(): void {
    this.dirty = true;
    this.frames.request();
  }

  destroy(): void {
    this.frames.stop();
    this.note.destroy();
    this.sketch?.destroy();
    this.offTheme();
    this.app?.destroy(true, { children: true });
  }
}
