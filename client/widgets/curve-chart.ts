import { Application, Container, Graphics, Text } from 'pixi.js';
import { ColumnLine } from './column-line.ts';
import { columnSpans, debiasedEma } from './curve-resample.ts';
import { seatColor } from './palette.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { cssColor, onThemeChange } from '../shell/theme.ts';
import { startPixiApp } from '../shell/pixi-app.ts';

/** One entry's learning curve, as the chart draws it. */
export interface CurveSeries {
  seat: number;
  label: string;
  samples: readonly number[];
  loss: readonly number[];
  valAccuracy: readonly number[];
}

const PAD = { left: 48, right: 14, top: 26, bottom: 26, gap: 34 };

function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function formatSamples(n: number): string {
  return n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : `${n}`;
}

/**
 * Learning curves of every entry in two stacked panels (validation accuracy
 * on top, training loss below) against samples seen, drawn with Pixi.js.
 */
export class CurveChart {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private readonly app = new Application();
  private readonly grid = new Graphics();
  private readonly lines = new Graphics();
  /** Dense curves (more points than pixel columns), one bar mesh per line drawn. */
  private readonly dense = new Container();
  private columnLines: ColumnLine[] = [];
  private spanLo = new Float32Array(0);
  private spanHi = new Float32Array(0);
  private readonly labels = new Container();
  private series: CurveSeries[] = [];
  private budget = 1;
  private smoothing = 0;
  private themeVersion = 0;
  private dirty = true;
  private readonly host: HTMLElement;

  constructor(host: HTMLElement) {
    this.host = host;
  }

  /** Starts the renderer; returns the one Pixi actually used. */
  async init(preference: RendererKind): Promise<string> {
    const used = await startPixiApp(this.app, this.host, preference, 'Learning curves: validation accuracy and training loss against samples seen');
    this.app.stage.addChild(this.grid, this.dense, this.lines, this.labels);
    this.app.renderer.on('resize', () => (this.dirty = true));
    this.offTheme = onThemeChange(() => {
      this.themeVersion++;
      this.dirty = true;
    });
    this.app.ticker.add(() => {
      if (this.dirty) this.draw();
    });
    return used;
  }

  /** Replaces the data; the next frame redraws. */
  update(series: CurveSeries[], budget: number): void {
    this.series = series;
    this.budget = Math.max(1, budget);
    this.dirty = true;
  }

  /** Draws now and renders the frame, without waiting for the ticker (benchmarks time this). */
  renderNow(): void {
    if (this.dirty) this.draw();
    this.app.render();
  }

  /** Debiased EMA weight for the curves (0: raw; the raw curve stays as a faint overlay when smoothed). */
  setSmoothing(a: number): void {
    this.smoothing = Math.min(0.99, Math.max(0, a));
    this.dirty = true;
  }

  private text(s: string, x: number, y: number, color: string, anchorX = 0): void {
    const t = new Text({ text: s, style: { fontSize: 11, fill: color, fontFamily: 'system-ui, sans-serif' } });
    t.anchor.set(anchorX, 0.5);
    t.position.set(Math.round(x), Math.round(y));
    this.labels.addChild(t);
  }

  /** What the grid and labels depend on; they are rebuilt only when it changes (text is costly to make). */
  private layoutKey = '';

  private draw(): void {
    this.dirty = false;
    const w = this.app.screen.width;
    const hgt = this.app.screen.height;
    this.lines.clear();
    const panelH = (hgt - PAD.top - PAD.bottom - PAD.gap) / 2;
    const plotW = w - PAD.left - PAD.right;
    if (plotW <= 10 || panelH <= 10) return;
    let highest = 0.1;
    for (const s of this.series) for (const v of s.loss) if (v > highest && Number.isFinite(v)) highest = v;
    const maxLoss = niceMax(highest);
    const panels = [
      { title: 'Validation accuracy', top: PAD.top, max: 1, pick: (s: CurveSeries) => s.valAccuracy, fmt: (v: number) => `${Math.round(v * 100)}%` },
      { title: 'Training loss', top: PAD.top + panelH + PAD.gap, max: maxLoss, pick: (s: CurveSeries) => s.loss, fmt: (v: number) => `${+v.toPrecision(3)}` },
    ];
    const xOf = (samples: number) => PAD.left + (samples / this.budget) * plotW;
    const key = `${w}|${hgt}|${this.budget}|${maxLoss}|${this.themeVersion}`;
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
        line = new ColumnLine(columns);
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
      const yOf = (v: number) => p.top + panelH - (Math.min(Math.max(v, 0), p.max) / p.max) * panelH;
      for (const s of this.series) {
        const raw = p.pick(s);
        const n = Math.min(raw.length, s.samples.length);
        if (n === 0) continue;
        const line = (ys: readonly number[], width: number, alpha: number) => (n > columns ? denseLine(s, ys, yOf, width, alpha) : polyline(s, ys, xOf, yOf, width, alpha));
        const drawn = this.smoothing > 0 ? debiasedEma(raw, this.smoothing) : raw;
        if (this.smoothing > 0) line(raw, 1, 0.25);
        line(drawn, 2, 1);
        this.lines.circle(xOf(s.samples[n - 1]!), yOf(drawn[n - 1]!), 3.5).fill(seatColor(s.seat));
      }
    }
    for (let i = denseUsed; i < this.columnLines.length; i++) this.columnLines[i]!.mesh.visible = false;
  }

  /** The grid and its labels. */
  private drawFrame(panels: Array<{ title: string; top: number; max: number; fmt: (v: number) => string }>, panelH: number, plotW: number, xOf: (samples: number) => number): void {
    const gridColor = cssColor('--grid') || '#e6e9f2';
    const muted = cssColor('--muted') || '#5d6478';
    this.grid.clear();
    for (const child of this.labels.removeChildren()) child.destroy();
    for (const p of panels) {
      this.text(p.title, PAD.left, p.top - 13, muted);
      for (let i = 0; i <= 4; i++) {
        const y = p.top + panelH - (i / 4) * panelH;
        this.grid.moveTo(PAD.left, y).lineTo(PAD.left + plotW, y);
        this.text(p.fmt((i / 4) * p.max), PAD.left - 6, y, muted, 1);
      }
      this.grid.stroke({ width: 1, color: gridColor });
    }
    const bottom = PAD.top + 2 * panelH + PAD.gap;
    for (let i = 0; i <= 4; i++) this.text(formatSamples(Math.round((i / 4) * this.budget)), xOf((i / 4) * this.budget), bottom + 12, muted, i === 0 ? 0 : i === 4 ? 1 : 0.5);
  }

  destroy(): void {
    this.offTheme();
    this.app.destroy(true, { children: true });
  }
}
