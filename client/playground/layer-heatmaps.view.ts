import { Application, Container, Sprite, Text, Texture } from 'pixi.js';
import type { ProbeLayer } from '../../shared/playground.messages.ts';
import { cssRgb } from '../widgets/css-color.ts';
import { heatColor, rebinHistory } from './insight.summary.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { cssColor, onThemeChange } from '../shell/theme.ts';
import { startPixiApp } from '../shell/pixi-app.ts';
import { CanvasTexture } from '../widgets/canvas-texture.ts';
import { RenderScheduler } from '../widgets/render-scheduler.ts';

/** Probes a strip keeps (its width in columns), and value bins (its height). */
const COLUMNS = 120;
const BINS = 40;
const ROW = 92;
const LABEL = 96;

interface Strip {
  pixels: CanvasTexture;
  sprite: Sprite;
  range: Text;
}

/**
 * Every layer's weight and gradient histograms over time, as heatmap strips
 * drawn with Pixi.js: x is the probe (oldest left), y the value (shared over
 * the strip, high at the top), colour how many weights fall there (log scale).
 */
export class LayerHeatmapsView {
  /** Stops following the theme (set when the view starts). */
  private offTheme: () => void = () => {};
  private readonly app = new Application();
  private readonly host: HTMLElement;
  private readonly history = new Map<number, Array<Pick<ProbeLayer, 'weights' | 'gradients'>>>();
  private readonly strips = new Map<string, Strip>();
  private readonly labels = new Container();
  private names: string[] = [];
  private dirty = true;
  /** Renders on the next animation frame when something shown changed, and never otherwise. */
  private readonly frames = new RenderScheduler(() => {
    if (this.dirty) this.layout();
    this.app.render();
  });

  constructor(host: HTMLElement) {
    this.host = host;
  }

  async init(preference: RendererKind): Promise<void> {
    await startPixiApp(this.app, this.host, preference, "Each layer's weight and gradient histograms over time");
    this.app.stage.addChild(this.labels);
    this.app.renderer.on('resize', () => this.invalidate());
    this.offTheme = onThemeChange(() => {
      for (const key of this.strips.keys()) this.paint(key);
      this.invalidate();
    });
    this.frames.start();
  }

  /** Forgets the history (a new run). */
  reset(): void {
    this.history.clear();
    this.invalidate();
  }

  /** A new probe: one more column per strip. `names` label the layers, e.g. "Layer 1 · 24 units". */
  add(layers: readonly ProbeLayer[], names: string[]): void {
    this.names = names;
    for (const l of layers) {
      const h = this.history.get(l.layer) ?? [];
      h.push({ weights: l.weights, gradients: l.gradients });
      if (h.length > COLUMNS) h.shift();
      this.history.set(l.layer, h);
      this.paint(`${l.layer}:weights`);
      this.paint(`${l.layer}:gradients`);
    }
    const height = `${this.history.size * ROW + 22}px`;
    if (this.host.style.height !== height) {
      this.host.style.height = height;
      this.app.resize(); // resizeTo follows the window only
    }
    this.invalidate();
  }

  private strip(key: string): Strip {
    let s = this.strips.get(key);
    if (!s) {
      s = { pixels: new CanvasTexture({ Texture }, 'nearest'), sprite: new Sprite(), range: new Text({ text: '', style: { fontFamily: 'system-ui, sans-serif', fontSize: 10 } }) };
      this.app.stage.addChild(s.sprite, s.range);
      this.strips.set(key, s);
    }
    return s;
  }

  private paint(key: string): void {
    const [layer, kind] = key.split(':') as [string, 'weights' | 'gradients'];
    const cols = this.history.get(Number(layer));
    if (!cols?.length) return;
    const s = this.strip(key);
    const { lo, hi, grid } = rebinHistory(
      cols.map((c) => c[kind]),
      BINS,
    );
    const bg = cssRgb('--bg', [245, 246, 250]);
    const offset = COLUMNS - cols.length; // newest column on the right
    const peaks = Array.from({ length: COLUMNS }, (_, c) => {
      const col = c - offset;
      let peak = 0;
      if (col >= 0) for (let b = 0; b < BINS; b++) peak = Math.max(peak, grid[col * BINS + b]!);
      return peak;
    });
    // x is the column, y the bin from the top (high values up).
    s.sprite.texture = s.pixels.paint(COLUMNS, BINS, (c, y) => {
      const col = c - offset;
      const v = col >= 0 ? grid[col * BINS + (BINS - 1 - y)]! : 0;
      const peak = peaks[c]!;
      return heatColor(peak > 0 ? Math.log1p(v) / Math.log1p(peak) : 0, bg);
    });
    const fmt = (v: number) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(0) : String(Number(v.toPrecision(2))));
    s.range.text = `${kind} ${fmt(lo)} … ${fmt(hi)}`;
  }

  private layout(): void {
    this.dirty = false;
    const text = cssColor('--text') || '#1c1f2a';
    const muted = cssColor('--muted') || '#5d6478';
    const width = this.app.screen.width;
    const stripW = Math.max(60, (width - LABEL - 12) / 2);
    this.labels.removeChildren().forEach((c) => c.destroy());
    const layers = [...this.history.keys()].sort((a, b) => a - b);
    layers.forEach((layer, row) => {
      const y = row * ROW;
      const name = new Text({ text: this.names[layer] ?? `Layer ${layer + 1}`, style: { fontFamily: 'system-ui, sans-serif', fontSize: 12, fill: text, wordWrap: true, wordWrapWidth: LABEL - 8 } });
      name.position.set(0, y + 16);
      this.labels.addChild(name);
      (['weights', 'gradients'] as const).forEach((kind, k) => {
        const s = this.strips.get(`${layer}:${kind}`);
        if (!s) return;
        s.sprite.position.set(LABEL + k * (stripW + 12), y + 16);
        s.sprite.width = stripW;
        s.sprite.height = ROW - 24;
        s.range.position.set(LABEL + k * (stripW + 12), y + 1);
        s.range.style.fill = muted;
      });
    });
    const axis = new Text({ text: 'older probes ← → now · colour: how many values (log)', style: { fontFamily: 'system-ui, sans-serif', fontSize: 10, fill: muted } });
    axis.position.set(LABEL, layers.length * ROW + 4);
    this.labels.addChild(axis);
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
    for (const strip of this.strips.values()) strip.pixels.destroy();
    this.app.destroy(true, { children: true });
  }
}
