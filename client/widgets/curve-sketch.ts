import { seatCss } from './palette.ts';
import { cssColor } from '../shell/theme.ts';

/** What a sketch draws of one entry: its seat's colour, validation accuracy (0–1) and training loss against samples. */
export interface SketchSeries {
  seat: number;
  samples: readonly number[];
  valAccuracy: readonly number[];
  loss: readonly number[];
}

/** Where the sketch's plot sits, as the chart lays its panels out (so the real chart replaces it in place). */
export interface SketchLayout {
  left: number;
  right: number;
  top: number;
  bottom: number;
  gap: number;
}

/**
 * The learning curves drawn at once on a Canvas 2D while the chart's renderer (Pixi on WebGL or WebGPU) is still
 * starting, which on a software renderer takes longer than the room's join: a spectator sees the curves as soon as
 * the state comes, then the full chart takes over. Two panels like the chart's (validation accuracy on 0–100%,
 * training loss from 0), each entry's polylines in its seat's colour, the grid's outer lines; no labels or hover.
 */
export class CurveSketch {
  private readonly canvas = document.createElement('canvas');

  constructor(host: HTMLElement, label: string) {
    this.canvas.className = 'curve-sketch';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', label);
    Object.assign(this.canvas.style, { position: 'absolute', inset: '0', width: '100%', height: '100%' });
    host.append(this.canvas);
  }

  /** Draws the curves; false when the host has no size yet (nothing drawn). */
  draw(series: readonly SketchSeries[], budget: number, pad: SketchLayout): boolean {
    const { clientWidth: w, clientHeight: h } = this.canvas;
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    const ctx = this.canvas.getContext('2d');
    const panelH = (h - pad.top - pad.bottom - pad.gap) / 2;
    const plotW = w - pad.left - pad.right;
    if (!ctx || plotW <= 10 || panelH <= 10) return false;
    this.canvas.width = Math.round(w * ratio);
    this.canvas.height = Math.round(h * ratio);
    ctx.scale(ratio, ratio);
    const maxLoss = Math.max(0.1, ...series.flatMap((s) => s.loss.filter(Number.isFinite)));
    const panels = [
      { top: pad.top, y: (s: SketchSeries) => s.valAccuracy, max: 1 },
      { top: pad.top + panelH + pad.gap, y: (s: SketchSeries) => s.loss, max: maxLoss },
    ];
    const xOf = (samples: number) => pad.left + (samples / Math.max(1, budget)) * plotW;
    ctx.strokeStyle = cssColor('--grid') || '#e6e9f2';
    ctx.lineWidth = 1;
    for (const p of panels) ctx.strokeRect(pad.left, p.top, plotW, panelH);
    for (const p of panels) {
      const yOf = (v: number) => p.top + panelH - (Math.min(Math.max(v, 0), p.max) / p.max) * panelH;
      for (const s of series) {
        const ys = p.y(s);
        const n = Math.min(ys.length, s.samples.length);
        if (n === 0) continue;
        ctx.strokeStyle = ctx.fillStyle = seatCss(s.seat);
        ctx.lineWidth = 2;
        ctx.beginPath();
        for (let i = 0; i < n; i++) ctx[i === 0 ? 'moveTo' : 'lineTo'](xOf(s.samples[i]!), yOf(ys[i]!));
        ctx.stroke();
        ctx.beginPath();
        ctx.arc(xOf(s.samples[n - 1]!), yOf(ys[n - 1]!), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    return true;
  }

  destroy(): void {
    this.canvas.remove();
  }
}
