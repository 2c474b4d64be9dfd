import { Application, Graphics, Sprite, Texture } from 'pixi.js';
import { cssRgb } from '../widgets/css-color.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { cssColor, onThemeChange } from '../shell/theme.ts';
import { startPixiApp } from '../shell/pixi-app.ts';
import { CanvasTexture } from '../widgets/canvas-texture.ts';
import { RenderScheduler } from '../widgets/render-scheduler.ts';

/** What the plane draws: flattened points and the discriminator's grid. */
export interface GanPlaneData {
  real: ArrayLike<number>;
  generated: ArrayLike<number>;
  /** P("real") at `resolution`² grid points over [-extent, extent]², row by row from the top. */
  heatmap: ArrayLike<number>;
  resolution: number;
  extent: number;
}

/** Extent of the plane before the first frame says (the engine's grid extent). */
const DEFAULT_EXTENT = 1.2;

/** Heatmap colour of P("real") = p: the "fake" tint, through the panel colour at 0.5, to the "real" tint, kept light so the points stand out. */
export function heatColor(p: number, mid: readonly number[], fake: readonly number[], real: readonly number[]): [number, number, number] {
  const u = Number.isFinite(p) ? Math.max(0, Math.min(1, p)) : 0.5;
  const [to, w] = u < 0.5 ? [fake, (0.5 - u) * 2] : [real, (u - 0.5) * 2];
  const strength = 0.7 * w;
  return [0, 1, 2].map((i) => Math.round(mid[i]! + (to[i]! - mid[i]!) * strength)) as [number, number, number];
}

const hex = (name: string, fallback: string) => cssColor(name) || fallback;

/**
 * A GAN battle's plane in Pixi.js: the discriminator's probability of "real"
 * as a heatmap, the real points and the generated points over it.
 */
export class GanPlane {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private readonly app = new Application();
  private readonly host: HTMLElement;
  private readonly heat = new Sprite();
  private readonly heatPixels = new CanvasTexture({ Texture });
  private readonly clip = new Graphics();
  private readonly frame = new Graphics();
  private readonly dots = new Graphics();
  private data: GanPlaneData = { real: [], generated: [], heatmap: [], resolution: 0, extent: 0 };
  private dirty = true;
  /** Renders on the next animation frame when something shown changed, and never otherwise. */
  private readonly frames = new RenderScheduler(() => {
    if (this.dirty) this.draw();
    this.app.render();
  });

  constructor(host: HTMLElement) {
    this.host = host;
  }

  /** Starts the renderer; returns the one Pixi actually used. */
  async init(preference: RendererKind): Promise<string> {
    const used = await startPixiApp(this.app, this.host, preference, "The discriminator's view: its probability of real over the plane, with the real and the generated points");
    this.heat.mask = this.clip;
    this.app.stage.addChild(this.heat, this.clip, this.frame, this.dots);
    this.app.renderer.on('resize', () => this.invalidate());
    this.offTheme = onThemeChange(() => {
      this.paintGrid();
      this.invalidate();
    });
    this.frames.start();
    return used;
  }

  /** New points or a new heatmap: repaint on the next frame. */
  update(data: GanPlaneData): void {
    const heatChanged = data.resolution !== this.data.resolution || !sameValues(data.heatmap, this.data.heatmap);
    this.data = { real: Array.from(data.real), generated: Array.from(data.generated), heatmap: Array.from(data.heatmap), resolution: data.resolution, extent: data.extent };
    if (heatChanged) this.paintGrid();
    this.invalidate();
  }

  private paintGrid(): void {
    const { heatmap, resolution: res } = this.data;
    if (res < 2 || heatmap.length !== res * res) return;
    const mid = cssRgb('--panel', [255, 255, 255]);
    const fake = cssRgb('--gan-says-fake', [139, 92, 246]);
    const real = cssRgb('--gan-says-real', [34, 197, 94]);
    this.heat.texture = this.heatPixels.paint(res, res, (x, y) => heatColor(heatmap[y * res + x]!, mid, fake, real));
  }

  private draw(): void {
    this.dirty = false;
    // A small margin keeps points clamped to the border whole.
    const margin = 5;
    const size = Math.floor(Math.min(this.app.screen.width, this.app.screen.height)) - 2 * margin;
    const left = Math.floor((this.app.screen.width - size) / 2);
    const top = margin;
    const extent = this.data.extent || DEFAULT_EXTENT;
    const res = this.data.resolution;
    // The grid samples the corners of its cells (the first and last at ±extent): texel centres go there.
    const cell = res > 1 ? size / (res - 1) : 0;
    this.heat.visible = this.heatPixels.painted && res > 1;
    this.heat.position.set(left - cell / 2, top - cell / 2);
    this.heat.width = size + cell;
    this.heat.height = size + cell;
    this.clip.clear().rect(left, top, size, size).fill(0xffffff);
    const border = hex('--border', '#dde1ec');
    this.frame.clear().rect(left + 0.5, top + 0.5, size - 1, size - 1).stroke({ width: 1, color: border });
    const axis = (v: number) => (v / (2 * extent)) * size;
    this.frame.moveTo(left + size / 2, top).lineTo(left + size / 2, top + size).moveTo(left, top + size / 2).lineTo(left + size, top + size / 2).stroke({ width: 1, color: border, alpha: 0.7 });
    this.dots.clear();
    const plot = (xs: ArrayLike<number>, color: string, outline: string) => {
      for (let i = 0; i + 1 < xs.length; i += 2) {
        const x = xs[i]!;
        const y = xs[i + 1]!;
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const px = left + size / 2 + axis(Math.max(-extent, Math.min(extent, x)));
        const py = top + size / 2 - axis(Math.max(-extent, Math.min(extent, y)));
        this.dots.circle(px, py, size > 360 ? 3 : 2.4);
      }
      this.dots.fill({ color, alpha: 0.9 }).stroke({ width: 1, color: outline, alpha: 0.7 });
    };
    const outline = hex('--panel', '#ffffff');
    plot(this.data.real, hex('--gan-real', '#2563eb'), outline);
    plot(this.data.generated, hex('--gan-generated', '#f97316'), outline);
  }

  /** What the view shows changed: redraw and render on the next frame. */
  private invalidate(): void {
    this.dirty = true;
    this.frames.request();
  }

  destroy(): void {
    this.frames.stop();
    this.offTheme();
    this.heatPixels.destroy();
    this.app.destroy(true, { children: true });
  }
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
