import { Application, Container, Graphics, Text } from 'pixi.js';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { cssColor, onThemeChange } from '../shell/theme.ts';
import { startPixiApp } from '../shell/pixi-app.ts';
import { WaitingNote } from './waiting-note.ts';
import { RenderScheduler } from './render-scheduler.ts';

/** One line of a small panel; `dashed` lines are references (drawn flat at their last value when they have one point). */
export interface MiniSeries {
  label: string;
  /** A CSS custom property holding the colour, e.g. `--gan-generated`. */
  colorVar: string;
  fallback: string;
  ys: readonly number[];
  dashed?: boolean;
}

/** A small panel of lines sharing one y axis from 0. */
export interface MiniPanel {
  title: string;
  series: MiniSeries[];
}

const PAD = { left: 40, right: 10, top: 20, bottom: 20, gap: 30 };

function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * Small live line charts stacked vertically (Pixi.js), for a few short
 * downsampled series against a shared x (iterations); a legend per panel.
 */
export class MiniCurves {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private readonly app = new Application();
  private readonly host: HTMLElement;
  private readonly grid = new Graphics();
  private readonly lines = new Graphics();
  private readonly labels = new Container();
  private xs: readonly number[] = [];
  private xMax = 1;
  private panels: MiniPanel[] = [];
  private dirty = true;
  /** Renders on the next animation frame when something shown changed, and never otherwise. */
  private readonly frames = new RenderScheduler(() => {
    if (this.dirty) this.draw();
    this.app.render();
  });
  /** Over the empty panels: what they wait for, until the first point comes. */
  private readonly note: WaitingNote;
  private waitingFor = 'waiting for the first point…';

  constructor(host: HTMLElement) {
    this.host = host;
    this.note = new WaitingNote(host);
    this.note.show(this.waitingFor);
  }

  /** Says what the panels wait for while they have no point (shown until one comes). */
  waitFor(what: string): void {
    this.waitingFor = what;
    if (this.xs.length === 0) this.note.show(what);
  }

  async init(preference: RendererKind, label: string): Promise<string> {
    const used = await startPixiApp(this.app, this.host, preference, label);
    this.app.stage.addChild(this.grid, this.lines, this.labels);
    this.app.renderer.on('resize', () => this.invalidate());
    this.offTheme = onThemeChange(() => this.invalidate());
    this.frames.start();
    return used;
  }

  /** Replaces the data (xs shared by every series); the next frame redraws. */
  update(xs: readonly number[], xMax: number, panels: MiniPanel[]): void {
    this.xs = xs;
    this.xMax = Math.max(1, xMax);
    this.panels = panels;
    this.invalidate();
    if (xs.length > 0) this.note.hide();
    else this.note.show(this.waitingFor);
  }

  private text(s: string, x: number, y: number, color: string, anchorX = 0): number {
    const t = new Text({ text: s, style: { fontSize: 11, fill: color, fontFamily: 'system-ui, sans-serif' } });
    t.anchor.set(anchorX, 0.5);
    t.position.set(Math.round(x), Math.round(y));
    this.labels.addChild(t);
    return t.width;
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
    const n = this.panels.length;
    const panelH = (hgt - PAD.top - PAD.bottom - PAD.gap * (n - 1)) / Math.max(1, n);
    const plotW = w - PAD.left - PAD.right;
    if (plotW <= 10 || panelH <= 10) return;
    const xOf = (x: number) => PAD.left + (Math.min(x, this.xMax) / this.xMax) * plotW;
    this.panels.forEach((p, k) => {
      const top = PAD.top + k * (panelH + PAD.gap);
      const max = niceMax(Math.max(0.1, ...p.series.flatMap((s) => s.ys.filter(Number.isFinite))));
      const yOf = (v: number) => top + panelH - (Math.min(Math.max(v, 0), max) / max) * panelH;
      this.text(p.title, PAD.left, top - 11, muted);
      // legend, right-aligned on the title's line
      let right = PAD.left + plotW;
      for (const s of [...p.series].reverse()) {
        right -= this.text(s.label, right, top - 11, muted, 1) + 4;
        this.grid.rect(right - 14, top - 12, 12, 3).fill(cssColor(s.colorVar) || s.fallback);
        right -= 24;
      }
      for (let i = 0; i <= 2; i++) {
        const y = top + panelH - (i / 2) * panelH;
        this.grid.moveTo(PAD.left, y).lineTo(PAD.left + plotW, y);
        this.text(`${+((i / 2) * max).toPrecision(3)}`, PAD.left - 5, y, muted, 1);
      }
      this.grid.stroke({ width: 1, color: gridColor });
      for (const s of p.series) {
        const color = cssColor(s.colorVar) || s.fallback;
        if (s.dashed) {
          const v = s.ys.at(-1);
          if (v === undefined || !Number.isFinite(v)) continue;
          for (let x = PAD.left; x < PAD.left + plotW; x += 8) this.lines.moveTo(x, yOf(v)).lineTo(Math.min(x + 4, PAD.left + plotW), yOf(v));
          this.lines.stroke({ width: 1.5, color, alpha: 0.9 });
          continue;
        }
        let pen = false;
        const count = Math.min(this.xs.length, s.ys.length);
        for (let i = 0; i < count; i++) {
          const v = s.ys[i]!;
          if (!Number.isFinite(v)) {
            pen = false;
            continue;
          }
          if (pen) this.lines.lineTo(xOf(this.xs[i]!), yOf(v));
          else this.lines.moveTo(xOf(this.xs[i]!), yOf(v));
          pen = true;
        }
        if (count > 0) this.lines.stroke({ width: 2, color, join: 'round', cap: 'round' });
        const last = s.ys[count - 1];
        if (count > 0 && last !== undefined && Number.isFinite(last)) this.lines.circle(xOf(this.xs[count - 1]!), yOf(last), 3).fill(color);
      }
    });
    const bottom = hgt - PAD.bottom + 10;
    this.text('0', PAD.left, bottom, muted);
    this.text(`${this.xMax} iterations`, PAD.left + plotW, bottom, muted, 1);
  }

  /** What the view shows changed: redraw and render on the next frame. */
  private invalidate(): void {
    this.dirty = true;
    this.frames.request();
  }

  destroy(): void {
    this.frames.stop();
    this.note.destroy();
    this.offTheme();
    this.app.destroy(true, { children: true });
  }
}
