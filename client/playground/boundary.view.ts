import { Application, Graphics, Sprite } from 'pixi.js';
import type { ProbeWorstPoint } from '../../shared/error-analysis.ts';
import { unpackBoundary, type PackedBoundary, type PlaygroundPointsMessage } from '../../shared/playground.messages.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { cssRgb } from '../widgets/css-color.ts';
import { cssColor, onThemeChange } from '../shell/theme.ts';
import { startPixiApp } from '../shell/pixi-app.ts';
import { CanvasTexture } from '../widgets/canvas-texture.ts';

/** Colours of class 0 and class 1 (and of low and high regression values). */
const LOW = [0xf5, 0x93, 0x1d] as const;
const HIGH = [0x2f, 0x7f, 0xe0] as const;

/** Diverging colour of a value in [0, 1]: class 0's colour, through the background at 0.5, to class 1's. */
export function boundaryColor(t: number, mid: readonly [number, number, number]): [number, number, number] {
  const u = Math.max(0, Math.min(1, t));
  const [from, to, w] = u < 0.5 ? [LOW, mid, u * 2] : [mid, HIGH, (u - 0.5) * 2];
  // Keep some colour near the boundary so the band between the classes stays visible.
  return [0, 1, 2].map((i) => Math.round(from[i]! + (to[i]! - from[i]!) * w)) as [number, number, number];
}

/** Pixels around a ringed worst point that a click still picks it from. */
const PICK_RADIUS = 14;

/**
 * The model's output over the plane as a heatmap, with the task's points on
 * top (drawn with Pixi.js) and the worst validation points ringed. Each new
 * probe repaints the heatmap's texture; a click near a ringed point picks it.
 */
export class BoundaryView {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private readonly app = new Application();
  private readonly host: HTMLElement;
  private readonly heat = new Sprite();
  private readonly heatPixels = new CanvasTexture();
  private readonly dots = new Graphics();
  private readonly rings = new Graphics();
  private worst: ReadonlyArray<Pick<ProbeWorstPoint, 'index' | 'point'>> = [];
  private selected?: number;
  /** Hears the validation index of a ringed point the user clicked. */
  onPick: (index: number) => void = () => {};
  private points: PlaygroundPointsMessage = { x: [], y: [] };
  private boundary?: PackedBoundary;
  private regression = false;
  private dirty = true;

  constructor(host: HTMLElement) {
    this.host = host;
  }

  /** Starts the renderer; returns the one Pixi actually used. */
  async init(preference: RendererKind): Promise<string> {
    const used = await startPixiApp(this.app, this.host, preference, "Decision boundary: the model's output over the plane, with the data points");
    this.app.stage.addChild(this.heat, this.dots, this.rings);
    this.app.canvas.addEventListener('click', (e) => {
      const index = this.ringAt(e);
      if (index !== undefined) this.onPick(index);
    });
    this.app.canvas.addEventListener('pointermove', (e) => (this.app.canvas.style.cursor = this.ringAt(e) === undefined ? '' : 'pointer'));
    this.app.renderer.on('resize', () => (this.dirty = true));
    this.offTheme = onThemeChange(() => {
      this.paintGrid();
      this.dirty = true;
    });
    this.app.ticker.add(() => {
      if (this.dirty) this.draw();
    });
    return used;
  }

  /** The task's points; regression targets are coloured on their own range. */
  setPoints(points: PlaygroundPointsMessage, regression: boolean): void {
    this.points = points;
    this.regression = regression;
    this.dirty = true;
  }

  /** A new probe's boundary: repaint. */
  update(boundary: PackedBoundary): void {
    this.boundary = boundary;
    this.paintGrid();
    this.dirty = true;
  }

  /** The worst validation points to ring (the chosen one thicker), from the latest probe. */
  setWorst(worst: ReadonlyArray<Pick<ProbeWorstPoint, 'index' | 'point'>>, selected?: number): void {
    this.worst = worst.filter((w) => w.point);
    this.selected = selected;
    this.host.dataset.worst = String(this.worst.length);
    this.dirty = true;
  }

  /** Where a point of the plane is drawn, in the canvas's CSS pixels. */
  private toScreen(p: readonly number[]): [number, number] {
    const size = Math.min(this.app.screen.width, this.app.screen.height);
    const left = (this.app.screen.width - size) / 2;
    const extent = this.boundary?.extent ?? 1.2;
    return [left + ((p[0]! + extent) / (2 * extent)) * size, ((extent - p[1]!) / (2 * extent)) * size];
  }

  /** The validation index of the ringed point under the pointer, if any. */
  private ringAt(e: MouseEvent): number | undefined {
    const rect = this.app.canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * this.app.screen.width;
    const y = ((e.clientY - rect.top) / rect.height) * this.app.screen.height;
    let best: { index: number; d: number } | undefined;
    for (const w of this.worst) {
      const [px, py] = this.toScreen(w.point!);
      const d = Math.hypot(px - x, py - y);
      if (d <= PICK_RADIUS && (!best || d < best.d)) best = { index: w.index, d };
    }
    return best?.index;
  }

  private paintGrid(): void {
    const b = this.boundary;
    if (!b) return;
    const mid = cssRgb('--panel', [255, 255, 255]);
    const values = unpackBoundary(b);
    const span = b.max - b.min || 1;
    const res = b.resolution;
    this.heat.texture = this.heatPixels.paint(res, res, (x, y) => boundaryColor((values[y * res + x]! - b.min) / span, mid));
  }

  private draw(): void {
    this.dirty = false;
    const size = Math.min(this.app.screen.width, this.app.screen.height);
    const left = (this.app.screen.width - size) / 2;
    const extent = this.boundary?.extent ?? 1.2;
    this.heat.position.set(left, 0);
    this.heat.width = size;
    this.heat.height = size;
    this.heat.visible = Boolean(this.boundary);
    this.dots.clear();
    const { x, y } = this.points;
    let lo = Infinity;
    let hi = -Infinity;
    if (this.regression) for (const v of y) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const stroke = cssColor('--text') || '#1c1f2a';
    const mid = cssRgb('--panel', [255, 255, 255]);
    for (let i = 0; i < y.length; i++) {
      const px = left + ((x[2 * i]! + extent) / (2 * extent)) * size;
      const py = ((extent - x[2 * i + 1]!) / (2 * extent)) * size;
      const t = this.regression ? (y[i]! - lo) / (hi - lo || 1) : y[i]! >= 0.5 ? 1 : 0;
      const [r, g, b] = boundaryColor(t, mid);
      this.dots.circle(px, py, 3).fill((r << 16) | (g << 8) | b).stroke({ width: 1, color: stroke, alpha: 0.6 });
    }
    this.rings.clear();
    const bad = cssColor('--bad') || '#d93850';
    for (const w of this.worst) {
      const [px, py] = this.toScreen(w.point!);
      const chosen = w.index === this.selected;
      this.rings.circle(px, py, chosen ? 9 : 7).stroke({ width: chosen ? 3 : 2, color: bad });
      this.rings.circle(px, py, 2.5).fill(bad);
    }
  }

  destroy(): void {
    this.offTheme();
    this.heatPixels.destroy();
    this.app.destroy(true, { children: true });
  }
}
