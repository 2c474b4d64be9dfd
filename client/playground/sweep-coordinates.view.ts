/**
 * A sweep as parallel coordinates (SVG): one vertical axis per hyperparameter (learning rate on a log
 * scale, batch size on a log scale, width) and one for validation accuracy; each trial that ended is a
 * line across them, its colour from bad to good by validation accuracy, the best one drawn thickest.
 * Colours come from the theme's variables, so it reads in light and dark; the SVG scales to its box.
 */

const SVG = 'http://www.w3.org/2000/svg';

/** What the plot needs of a trial. */
export interface CoordinateTrial {
  index: number;
  learningRate: number;
  batchSize: number;
  width: number;
  valAccuracy: number;
  /** Only ended trials get a line. */
  ended: boolean;
}

interface Axis {
  label: string;
  value: (t: CoordinateTrial) => number;
  log: boolean;
  format: (v: number) => string;
}

const AXES: Axis[] = [
  { label: 'learning rate', value: (t) => t.learningRate, log: true, format: (v) => String(+v.toPrecision(2)) },
  { label: 'batch size', value: (t) => t.batchSize, log: true, format: (v) => String(Math.round(v)) },
  { label: 'width', value: (t) => t.width, log: false, format: (v) => String(Math.round(v)) },
  { label: 'val. accuracy', value: (t) => t.valAccuracy, log: false, format: (v) => `${(v * 100).toFixed(0)}%` },
];

const W = 360;
const H = 220;
const TOP = 28;
const BOTTOM = 24;
const SIDE = 46;

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Position of `v` on an axis spanning [lo, hi] (0 at the bottom, 1 at the top; 0.5 when the axis has one value). */
export function axisPosition(v: number, lo: number, hi: number, log: boolean): number {
  const f = (x: number) => (log ? Math.log(x) : x);
  const span = f(hi) - f(lo);
  return span > 0 ? (f(v) - f(lo)) / span : 0.5;
}

/** Draws `trials` into `svg` (replacing what was there); `best` is the index of the best trial, -1 for none. */
export function drawSweepCoordinates(svg: SVGSVGElement, trials: readonly CoordinateTrial[], best: number): void {
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const parts: SVGElement[] = [];
  const xs = AXES.map((_, i) => SIDE + (i * (W - 2 * SIDE)) / (AXES.length - 1));
  const ended = trials.filter((t) => t.ended);
  const ranges = AXES.map((a) => {
    const vs = (a.label === 'val. accuracy' ? ended : trials).map(a.value);
    return vs.length ? [Math.min(...vs), Math.max(...vs)] as const : ([0, 1] as const);
  });
  const y = (p: number) => TOP + (1 - p) * (H - TOP - BOTTOM);
  AXES.forEach((a, i) => {
    const [lo, hi] = ranges[i]!;
    parts.push(el('line', { class: 'pc-axis', x1: xs[i]!, x2: xs[i]!, y1: TOP, y2: H - BOTTOM }));
    parts.push(el('text', { class: 'pc-label', x: xs[i]!, y: 12, 'text-anchor': 'middle' }, a.label));
    parts.push(el('text', { class: 'pc-tick', x: xs[i]!, y: TOP - 4, 'text-anchor': 'middle' }, a.format(hi)));
    parts.push(el('text', { class: 'pc-tick', x: xs[i]!, y: H - BOTTOM + 14, 'text-anchor': 'middle' }, a.format(lo)));
  });
  const [accLo, accHi] = ranges[3]!;
  // The best last, so it is drawn on top.
  const order = [...ended].sort((p, q) => (p.index === best ? 1 : 0) - (q.index === best ? 1 : 0));
  for (const t of order) {
    const points = AXES.map((a, i) => `${xs[i]!.toFixed(1)},${y(axisPosition(a.value(t), ranges[i]![0], ranges[i]![1], a.log)).toFixed(1)}`).join(' ');
    const line = el('polyline', { class: `pc-line${t.index === best ? ' best' : ''}`, points, 'data-trial': t.index });
    const good = Math.round(100 * axisPosition(t.valAccuracy, accLo, accHi, false));
    // Through the CSSOM (the page's CSP refuses style attributes): from the theme's bad colour to its good one.
    (line as SVGElement & ElementCSSInlineStyle).style.stroke = `color-mix(in srgb, var(--good) ${good}%, var(--bad))`;
    const title = el('title', {}, `trial ${t.index}: learning rate ${+t.learningRate.toPrecision(3)}, batch ${t.batchSize}, width ${t.width}, ${(t.valAccuracy * 100).toFixed(1)}% validation accuracy`);
    line.append(title);
    parts.push(line);
  }
  if (ended.length === 0) parts.push(el('text', { class: 'pc-empty', x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'each trial is drawn here when it ends'));
  svg.replaceChildren(...parts);
  svg.dataset.lines = String(ended.length);
}

/** A fresh plot element. */
export function sweepCoordinates(id: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg') as SVGSVGElement;
  svg.setAttribute('id', id);
  svg.setAttribute('class', 'sweep-coordinates');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Parallel coordinates of the sweep: learning rate, batch size and width of each trial, and the validation accuracy it reached');
  return svg;
}
