import { Application, Container, Rectangle, Sprite, Text, Texture } from 'pixi.js';
import type { PackedActivationMaps } from '../../shared/playground.messages.ts';
import { cssRgb } from '../widgets/css-color.ts';
import { signedColor, unpackMaps } from './insight.summary.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { cssColor, onThemeChange } from '../shell/theme.ts';
import { startPixiApp } from '../shell/pixi-app.ts';
import { CanvasTexture } from '../widgets/canvas-texture.ts';
import { RenderScheduler } from '../widgets/render-scheduler.ts';

const CELL = 64;
const GAP = 8;
const CAPTION = 14;

/**
 * One small heatmap per hidden unit of a layer, drawn with Pixi.js: what the
 * unit outputs over the plane (same square as the decision boundary). Colour
 * is signed, scaled by the layer's largest |output|: blue positive, orange
 * negative, the background where the unit is silent.
 */
export class ActivationMapsView {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private readonly app = new Application();
  private readonly host: HTMLElement;
  private readonly pixels = new CanvasTexture({ Texture });
  private readonly atlas = new Container();
  private readonly captions = new Container();
  private maps?: PackedActivationMaps;
  private dirty = true;
  /** Renders on the next animation frame when something shown changed, and never otherwise. */
  private readonly frames = new RenderScheduler(() => {
    if (this.dirty) this.draw();
    this.app.render();
  });

  constructor(host: HTMLElement) {
    this.host = host;
  }

  async init(preference: RendererKind): Promise<void> {
    await startPixiApp(this.app, this.host, preference, 'What each hidden unit of the chosen layer outputs over the plane');
    this.app.stage.addChild(this.atlas, this.captions);
    this.app.renderer.on('resize', () => this.invalidate());
    this.offTheme = onThemeChange(() => this.invalidate());
    this.frames.start();
  }

  /** The chosen layer's maps from the latest probe. */
  show(maps: PackedActivationMaps): void {
    this.maps = maps;
    this.invalidate();
  }

  private columns(): number {
    return Math.max(1, Math.floor((this.app.screen.width + GAP) / (CELL + GAP)));
  }

  private draw(): void {
    this.dirty = false;
    const m = this.maps;
    if (!m) return;
    const n = m.units.length;
    const cols = this.columns();
    const rows = Math.ceil(n / cols);
    const height = `${rows * (CELL + GAP + CAPTION)}px`;
    if (this.host.style.height !== height) {
      this.host.style.height = height;
      this.app.resize(); // resizeTo follows the window only
    }
    // All units go into one atlas canvas, one cell of res×res pixels each, scaled up by the sprite.
    const res = m.resolution;
    const w = cols * res;
    const h = rows * res;
    const bg = cssRgb('--bg', [245, 246, 250]);
    const panel = cssRgb('--panel', [255, 255, 255]);
    const units = unpackMaps(m);
    const maxAbs = Math.max(1e-9, Math.abs(m.min), Math.abs(m.max));
    const atlas = this.pixels.paint(w, h, (x, y) => {
      const u = units[Math.floor(y / res) * cols + Math.floor(x / res)];
      return u ? signedColor(u[(y % res) * res + (x % res)]! / maxAbs, bg) : panel;
    });
    // One sprite per cell, each a frame of the atlas texture.
    this.atlas.removeChildren().forEach((c) => c.destroy({ texture: true, textureSource: false }));
    this.captions.removeChildren().forEach((c) => c.destroy());
    const muted = cssColor('--muted') || '#5d6478';
    for (let k = 0; k < n; k++) {
      const col = k % cols;
      const row = Math.floor(k / cols);
      const frame = new Texture({ source: atlas.source, frame: new Rectangle(col * res, row * res, res, res) });
      const cell = new Sprite(frame);
      cell.position.set(col * (CELL + GAP), row * (CELL + GAP + CAPTION) + CAPTION);
      cell.width = cell.height = CELL;
      this.atlas.addChild(cell);
      const dead = units[k]!.every((v) => Math.abs(v - units[k]![0]!) < 1e-6);
      const label = new Text({ text: `${k + 1}${dead ? ' · dead' : ''}`, style: { fontFamily: 'system-ui, sans-serif', fontSize: 10, fill: muted } });
      label.position.set(col * (CELL + GAP), row * (CELL + GAP + CAPTION));
      this.captions.addChild(label);
    }
  }

  /** What the view shows changed: redraw and render on the next frame. */
  private invalidate(): void {
    this.dirty = true;
    this.frames.request();
  }

  /** Stops drawing and frees the renderer, its canvas and its textures. */
  destroy(): void {
    this.frames.stop();
    this.offTheme();
    this.pixels.destroy();
    this.app.destroy(true, { children: true });
  }
}
