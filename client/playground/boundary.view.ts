import { Application, Graphics, Sprite } from 'pixi.js';
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

/**
 * The model's output over the plane as a heatmap, with the task's points on
 * top (drawn with Pixi.js). Each new probe repaints the heatmap's texture.
 */
export class BoundaryView {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private readonly app = new Application();
  private readonly host: HTMLElement;
  private readonly heat = new Sprite();
  private readonly heatPixels = new CanvasTexture();
  private readonly dots = new Graphics();
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
    this.app.stage.addChild(this.heat, this.dots);
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
  }

  destroy(): void {
    this.offTheme();
    this.heatPixels.destroy();
    this.app.destroy(true, { children: true });
  }
}
