import { Application, Container, Graphics, Text } from 'pixi.js';
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
    onThemeChange(() => (this.dirty = true));
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

  private text(s: string, x: number, y: number, color: string, anchorX = 0): void {
    const t = new Text({ text: s, style: { fontSize: 11, fill: color, fontFamily: 'system-ui, sans-serif' } });
    t.anchor.set(anchorX, 0.5);
    t.position.set(Math.round(x), Math.round(y));
    this.labels.addChild(t);
  }

  private draw(): void {
    this.dirty = false;
    const w = this.app.screen.width;
    const hgt = this.app.screen.height;
    const gridColor = cssColor('--grid') || '#e6e9f2';
    const muted = cssColor('--muted') || '#5d6478';
    this.grid.clear();
    this.lines.clear();
    for (const child of this.labels.removeChildren()) child.destroy();
    const panelH = (hgt - PAD.top - PAD.bottom - PAD.gap) / 2;
    const plotW = w - PAD.left - PAD.right;
    if (plotW <= 10 || panelH <= 10) return;
    const maxLoss = niceMax(Math.max(0.1, ...this.series.flatMap((s) => s.loss.filter(Number.isFinite))));
    const panels = [
      { title: 'Validation accuracy', top: PAD.top, max: 1, pick: (s: CurveSeries) => s.valAccuracy, fmt: (v: number) => `${Math.round(v * 100)}%` },
      { title: 'Training loss', top: PAD.top + panelH + PAD.gap, max: maxLoss, pick: (s: CurveSeries) => s.loss, fmt: (v: number) => `${+v.toPrecision(3)}` },
    ];
    const xOf = (samples: number) => PAD.left + (samples / this.budget) * plotW;
    for (const p of panels) {
      this.text(p.title, PAD.left, p.top - 13, muted);
      for (let i = 0; i <= 4; i++) {
        const y = p.top + panelH - (i / 4) * panelH;
        this.grid.moveTo(PAD.left, y).lineTo(PAD.left + plotW, y);
        this.text(p.fmt((i / 4) * p.max), PAD.left - 6, y, muted, 1);
      }
      this.grid.stroke({ width: 1, color: gridColor });
      for (const s of this.series) {
        const ys = p.pick(s);
        const n = Math.min(ys.length, s.samples.length);
        if (n === 0) continue;
        const yOf = (v: number) => p.top + panelH - (Math.min(Math.max(v, 0), p.max) / p.max) * panelH;
        this.lines.moveTo(xOf(s.samples[0]!), yOf(ys[0]!));
        for (let i = 1; i < n; i++) this.lines.lineTo(xOf(s.samples[i]!), yOf(ys[i]!));
        this.lines.stroke({ width: 2, color: seatColor(s.seat), join: 'round', cap: 'round' });
        this.lines.circle(xOf(s.samples[n - 1]!), yOf(ys[n - 1]!), 3.5).fill(seatColor(s.seat));
      }
    }
    const bottom = PAD.top + 2 * panelH + PAD.gap;
    for (let i = 0; i <= 4; i++) this.text(formatSamples(Math.round((i / 4) * this.budget)), xOf((i / 4) * this.budget), bottom + 12, muted, i === 0 ? 0 : i === 4 ? 1 : 0.5);
  }

  destroy(): void {
    this.app.destroy(true, { children: true });
  }
}
