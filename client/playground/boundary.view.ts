import type { Application, Graphics, Sprite } from 'pixi.js';
import type { ProbeWorstPoint } from '../../shared/error-analysis.ts';
import { unpackBoundary, type PackedBoundary, type PlaygroundPointsMessage } from '../../shared/playground.messages.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { cssRgb } from '../widgets/css-color.ts';
import { cssColor, onThemeChange } from '../shell/theme.ts';
import { startPixiApp } from '../shell/pixi-app.ts';
import { loadPixi } from '../shell/pixi-module.ts';
import { CanvasTexture } from '../widgets/canvas-texture.ts';
import { RenderScheduler } from '../widgets/render-scheduler.ts';

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
/** Pixels the pointer must travel before a press becomes a drag (a box of points to remove) rather than a click. */
const DRAG_PIXELS = 6;
/** Jittered copies of each point the augmentation preview draws. */
const PREVIEW_COPIES = 4;

/** A small deterministic generator, so the preview's jitter holds still from one frame to the next. */
function previewNormals(count: number): Float32Array {
  let state = 0x9e3779b9;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return out;
}

/**
 * The model's output over the plane as a heatmap, with the task's points on
 * top (drawn with Pixi.js) and the worst validation points ringed. Each new
 * probe repaints the heatmap's texture; a click near a ringed point picks it.
 */
export class BoundaryView {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private readonly host: HTMLElement;
  // What the view draws with, from `init` on (Pixi loads then: see loadPixi).
  private app?: Application;
  private heat!: Sprite;
  private heatPixels?: CanvasTexture;
  private dots!: Graphics;
  private rings!: Graphics;
  private preview!: Graphics;
  private box!: Graphics;
  /** Standard deviation of the jitter the preview shows (0: no preview). */
  private previewStd = 0;
  private normals: Float32Array = new Float32Array(0);
  /** Whether a click adds a point and a drag removes the points in a box (the owner, while a run trains). */
  private editable = false;
  private started = false;
  private press?: { start: [number, number]; now: [number, number]; dragging: boolean };
  /** Hears a click on the plane (not on a ringed point) while editable, in the plane's coordinates. */
  onAddPoint: (x: [number, number]) => void = () => {};
  /** Hears a box dragged on the plane while editable: its two corners in the plane's coordinates. */
  onRemoveArea: (from: [number, number], to: [number, number]) => void = () => {};
  private worst: ReadonlyArray<Pick<ProbeWorstPoint, 'index' | 'point'>> = [];
  private selected?: number;
  /** Hears the validation index of a ringed point the user clicked. */
  onPick: (index: number) => void = () => {};
  private points: PlaygroundPointsMessage = { x: [], y: [] };
  private boundary?: PackedBoundary;
  private regression = false;
  private dirty = true;
  /** Renders on the next animation frame when something shown changed, and never otherwise. */
  private readonly frames = new RenderScheduler(() => {
    if (this.dirty) this.draw();
    this.app!.render();
  });

  constructor(host: HTMLElement) {
    this.host = host;
  }

  /** Starts the renderer; returns the one Pixi actually used. */
  async init(preference: RendererKind): Promise<string> {
    const pixi = await loadPixi();
    this.app = new pixi.Application();
    this.heat = new pixi.Sprite();
    this.heatPixels = new CanvasTexture(pixi);
    [this.dots, this.rings, this.preview, this.box] = [new pixi.Graphics(), new pixi.Graphics(), new pixi.Graphics(), new pixi.Graphics()];
    const used = await startPixiApp(this.app, this.host, preference, "Decision boundary: the model's output over the plane, with the data points");
    this.app.stage.addChild(this.heat, this.preview, this.dots, this.rings, this.box);
    this.started = true;
    this.applyTouchAction();
    const canvas = this.app.canvas;
    canvas.addEventListener('pointerdown', (e) => {
      if (!this.editable || e.button !== 0) return;
      const at = this.toLocal(e);
      this.press = { start: at, now: at, dragging: false };
      canvas.setPointerCapture?.(e.pointerId);
    });
    canvas.addEventListener('pointermove', (e) => {
      const press = this.press;
      if (press) {
        press.now = this.toLocal(e);
        press.dragging ||= Math.hypot(press.now[0] - press.start[0], press.now[1] - press.start[1]) > DRAG_PIXELS;
        this.invalidate();
      }
      canvas.style.cursor = this.ringAt(e) !== undefined ? 'pointer' : this.editable ? 'crosshair' : '';
    });
    const release = (e: PointerEvent, cancelled: boolean) => {
      const press = this.press;
      this.press = undefined;
      this.invalidate();
      if (!press) return;
      if (cancelled) return;
      const end = this.toLocal(e);
      const ring = this.ringAt(e);
      if (ring !== undefined && !press.dragging) return this.onPick(ring);
      if (press.dragging) this.onRemoveArea(this.toPlane(press.start), this.toPlane(end));
      else this.onAddPoint(this.toPlane(end));
    };
    canvas.addEventListener('pointerup', (e) => release(e, false));
    canvas.addEventListener('pointercancel', (e) => release(e, true));
    // Picking a ringed point works whenever the plane is not being edited (a spectator, between runs).
    canvas.addEventListener('click', (e) => {
      if (this.editable) return;
      const index = this.ringAt(e);
      if (index !== undefined) this.onPick(index);
    });
    this.app.renderer.on('resize', () => this.invalidate());
    this.offTheme = onThemeChange(() => {
      this.paintGrid();
      this.invalidate();
    });
    this.paintGrid(); // a probe that came while the view was starting
    this.frames.start();
    return used;
  }

  /** The task's points; regression targets are coloured on their own range. */
  setPoints(points: PlaygroundPointsMessage, regression: boolean): void {
    this.points = points;
    this.regression = regression;
    this.invalidate();
  }

  /** A new probe's boundary: repaint. */
  update(boundary: PackedBoundary): void {
    this.boundary = boundary;
    this.paintGrid();
    this.invalidate();
  }

  /** Whether clicks add points and drags remove them (the owner while a run trains). */
  setEditable(editable: boolean): void {
    if (editable === this.editable) return;
    this.editable = editable;
    this.press = undefined;
    this.host.dataset.editable = String(editable);
    this.applyTouchAction();
    this.invalidate();
  }

  /** While editing, a drag on the plane draws a box instead of scrolling the page. */
  private applyTouchAction(): void {
    if (this.started) this.app!.canvas.style.touchAction = this.editable ? 'none' : '';
  }

  /** Draws jittered copies of every point, as augmentation (and the difficulty ramp) jitter them: `std` in the plane's units, 0 for none. */
  setPreview(std: number): void {
    if (std === this.previewStd) return;
    this.previewStd = std;
    this.invalidate();
  }

  /** The worst validation points to ring (the chosen one thicker), from the latest probe. */
  setWorst(worst: ReadonlyArray<Pick<ProbeWorstPoint, 'index' | 'point'>>, selected?: number): void {
    this.worst = worst.filter((w) => w.point);
    this.selected = selected;
    this.host.dataset.worst = String(this.worst.length);
    this.invalidate();
  }

  /** Where a point of the plane is drawn, in the canvas's CSS pixels. */
  private toScreen(p: readonly number[]): [number, number] {
    const size = Math.min(this.app!.screen.width, this.app!.screen.height);
    const left = (this.app!.screen.width - size) / 2;
    const extent = this.boundary?.extent ?? 1.2;
    return [left + ((p[0]! + extent) / (2 * extent)) * size, ((extent - p[1]!) / (2 * extent)) * size];
  }

  /** The pointer's position in the canvas's CSS pixels. */
  private toLocal(e: MouseEvent): [number, number] {
    const rect = this.app!.canvas.getBoundingClientRect();
    return [((e.clientX - rect.left) / rect.width) * this.app!.screen.width, ((e.clientY - rect.top) / rect.height) * this.app!.screen.height];
  }

  /** The point of the plane drawn at canvas pixel `p` (the inverse of toScreen), clamped to the plane the controls accept. */
  private toPlane(p: readonly [number, number]): [number, number] {
    const size = Math.min(this.app!.screen.width, this.app!.screen.height);
    const left = (this.app!.screen.width - size) / 2;
    const extent = this.boundary?.extent ?? 1.2;
    const clamp = (v: number) => Math.max(-1.5, Math.min(1.5, Math.round(v * 1000) / 1000));
    return [clamp(((p[0] - left) / size) * 2 * extent - extent), clamp(extent - (p[1] / size) * 2 * extent)];
  }

  /** The validation index of the ringed point under the pointer, if any. */
  private ringAt(e: MouseEvent): number | undefined {
    const rect = this.app!.canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * this.app!.screen.width;
    const y = ((e.clientY - rect.top) / rect.height) * this.app!.screen.height;
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
    if (!b || !this.heatPixels) return; // before init: painted when the view starts
    const mid = cssRgb('--panel', [255, 255, 255]);
    const values = unpackBoundary(b);
    const span = b.max - b.min || 1;
    const res = b.resolution;
    this.heat.texture = this.heatPixels.paint(res, res, (x, y) => boundaryColor((values[y * res + x]! - b.min) / span, mid));
  }

  private draw(): void {
    this.dirty = false;
    const size = Math.min(this.app!.screen.width, this.app!.screen.height);
    const left = (this.app!.screen.width - size) / 2;
    const extent = this.boundary?.extent ?? 1.2;
    this.heat.position.set(left, 0);
    this.heat.width = size;
    this.heat.height = size;
    this.heat.visible = Boolean(this.boundary);
    this.dots.clear();
    const { x, y } = this.points;
    this.host.dataset.points = String(y.length);
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
    this.drawPreview(left, size, extent, lo, hi, mid);
    this.box.clear();
    if (this.press?.dragging) {
      const [[x0, y0], [x1, y1]] = [this.press.start, this.press.now];
      this.box.rect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0)).fill({ color: cssColor('--bad') || '#d93850', alpha: 0.12 }).stroke({ width: 1.5, color: cssColor('--bad') || '#d93850' });
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

  /** What the view shows changed: redraw and render on the next frame. */
  private invalidate(): void {
    this.dirty = true;
    this.frames.request();
  }

  /** Faint jittered copies of each point (PREVIEW_COPIES each): what the network is shown with augmentation on. */
  private drawPreview(left: number, size: number, extent: number, lo: number, hi: number, mid: readonly [number, number, number]): void {
    this.preview.clear();
    const { x, y } = this.points;
    const std = this.previewStd;
    if (std <= 0 || y.length === 0) {
      this.host.dataset.preview = '0';
      return;
    }
    const need = y.length * PREVIEW_COPIES * 2;
    if (this.normals.length < need) this.normals = previewNormals(need);
    const n = this.normals;
    for (let i = 0; i < y.length; i++) {
      const t = this.regression ? (y[i]! - lo) / (hi - lo || 1) : y[i]! >= 0.5 ? 1 : 0;
      const [r, g, b] = boundaryColor(t, mid);
      for (let k = 0; k < PREVIEW_COPIES; k++) {
        const j = (i * PREVIEW_COPIES + k) * 2;
        const px = left + ((x[2 * i]! + n[j]! * std + extent) / (2 * extent)) * size;
        const py = ((extent - x[2 * i + 1]! - n[j + 1]! * std) / (2 * extent)) * size;
        this.preview.circle(px, py, 2).fill({ color: (r << 16) | (g << 8) | b, alpha: 0.55 });
      }
    }
    this.host.dataset.preview = String(y.length * PREVIEW_COPIES);
  }

  destroy(): void {
    this.frames.stop();
    this.offTheme();
    this.heatPixels?.destroy();
    this.app?.destroy(true, { children: true });
  }
}
