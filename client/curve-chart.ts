import { Application, Container, Graphics, Text } from 'pixi.js';
import { debiasedEma, resampleToColumns } from './curve-resample.ts';
import { seatColor } from './palette.ts';
import type { RendererKind } from './renderer-choice.ts';
import { cssColor, onThemeChange } from './theme.ts';

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
  private readonly app = new Application();
  private readonly grid = new Graphics();
  private readonly lines = new Graphics();
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
    await this.app.init({
      preference,
      resizeTo: this.host,
      antialias: true,
      backgroundAlpha: 0,
      resolution: Math.min(window.devicePixelRatio || 1, 2),
      autoDensity: true,
    });
    this.app.canvas.setAttribute('role', 'img');
    this.app.canvas.setAttribute('aria-label', 'Learning curves: validation accuracy and training loss against samples seen');
    this.host.append(this.app.canvas);
    this.app.stage.addChild(this.grid, this.lines, this.labels);
    this.app.renderer.on('resize', () => (this.dirty = true));
    onThemeChange(() => {
      this.themeVersion++;
      this.dirty = true;
    });
    this.app.ticker.add(() => {
      if (this.dirty) this.draw();
    });
    return this.app.renderer.name;
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
    // Two points (min and max) per three pixels: the picture of a 10,000-point curve at the cost of a 400-point one.
    const columns = Math.max(1, Math.round(plotW / 3));
    for (const p of panels) {
      const yOf = (v: number) => p.top + panelH - (Math.min(Math.max(v, 0), p.max) / p.max) * panelH;
      for (const s of this.series) {
        const raw = p.pick(s);
        if (Math.min(raw.length, s.samples.length) === 0) continue;
        const line = (ys: readonly number[], width: number, alpha: number) => {
          const r = resampleToColumns(s.samples, ys, 0, this.budget, columns);
          this.lines.moveTo(xOf(r.xs[0]!), yOf(r.ys[0]!));
          for (let i = 1; i < r.xs.length; i++) this.lines.lineTo(xOf(r.xs[i]!), yOf(r.ys[i]!));
          // Bevel joins: round ones cost a fan of triangles at every vertex, for no visible gain at 2 px.
          this.lines.stroke({ width, color: seatColor(s.seat), alpha, join: 'bevel', cap: 'butt' });
          return r;
        };
        if (this.smoothing > 0) line(raw, 1, 0.25);
        const drawn = line(this.smoothing > 0 ? debiasedEma(raw, this.smoothing) : raw, 2, 1);
        this.lines.circle(xOf(drawn.xs.at(-1)!), yOf(drawn.ys.at(-1)!), 3.5).fill(seatColor(s.seat));
      }
    }
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
    this.app.destroy(true, { children: true });
  }
}
