import { unpackLayerActivations, type ProbeWorstPoint } from '../../shared/error-analysis.ts';
import { filterMap, type FeatureMaps } from '../../shared/conv-feature-maps.ts';
import { h } from '../shell/dom.ts';
import { cssRgb } from '../widgets/css-color.ts';

const pct = (v: number) => `${Math.round(v * 100)}%`;
const num = (v: number) => String(Number(v.toPrecision(3)));

/** How one chosen input reads, in words: the digit or point, its truth and the prediction. */
export function describeInput(w: ProbeWorstPoint, regression: boolean): string {
  const what = w.point ? `Point (${num(w.point[0]!)}, ${num(w.point[1]!)})` : `Digit #${w.index}`;
  if (regression) return `${what}: target ${num(w.label)}, predicted ${num(w.predicted)}`;
  return `${what}: true ${w.label}, predicted ${w.predicted} (${pct(w.confidence ?? 0)} sure)`;
}

/** One unit's cell: positive values in the accent colour, negative ones in class 0's orange, zero blank. */
function unitCell(v: number, scale: number, name: string): HTMLElement {
  const a = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
  return h('span', { class: `unit${v < 0 ? ' neg' : ''}`, style: `--a:${a.toFixed(3)}`, title: `${name}: ${num(v)}`, 'data-value': num(v) });
}

/**
 * The activations one input causes, layer by layer: a strip of cells per hidden layer (a dense
 * layer's units, a conv layer's mean per filter, coloured by value), then the output (each class's
 * probability, the true class and the prediction marked). Shows the latest probe's figures for the
 * chosen input; when it leaves the worst points, the last ones stay, marked as such.
 */
export class InputActivationsView {
  readonly element: HTMLElement;
  private readonly title = h('h3', { id: 'inspect-title' }, '');
  private readonly note = h('p', { class: 'muted', id: 'inspect-note' }, '');
  private readonly body = h('div', { class: 'inspect-layers' });
  private readonly regression: boolean;

  constructor(regression: boolean) {
    this.regression = regression;
    // Not a live region: it follows every probe, a few times a second.
    this.element = h('div', { id: 'inspect', class: 'inspect', hidden: true }, this.title, this.note, this.body);
  }

  private last?: { w: ProbeWorstPoint; step: number; current: boolean; maps?: FeatureMaps[] };

  /**
   * Shows `w` as of `step` (`current`: it is among the latest probe's worst points); `maps`, a conv
   * net's feature maps for this input, drawn under their conv layers' rows.
   */
  show(w: ProbeWorstPoint, step: number, current: boolean, maps?: FeatureMaps[]): void {
    this.last = { w, step, current, ...(maps ? { maps } : {}) };
    this.element.hidden = false;
    this.element.dataset.index = String(w.index);
    this.element.dataset.step = String(step);
    this.title.textContent = describeInput(w, this.regression);
    this.note.textContent = current ? `Activations at step ${step}, layer by layer.` : `No longer among the worst points: as it was at step ${step}.`;
    const rows = w.layers.map((l, i) => {
      const values = unpackLayerActivations(l);
      const scale = Math.max(Math.abs(l.min), Math.abs(l.max));
      const unit = l.kind === 'conv' ? 'filter' : 'unit';
      const shown = l.kind === 'dense' && values.length < l.units ? `first ${values.length} of ${l.units} units` : `${l.units} ${unit}s${l.kind === 'conv' ? ' (mean of each map)' : ''}`;
      return h(
        'div',
        { class: 'act-layer', 'data-layer': String(l.layer), 'data-kind': l.kind },
        h('div', { class: 'act-head' }, h('span', {}, `Layer ${i + 1} · ${l.kind === 'conv' ? 'conv' : 'dense'}`), h('span', { class: 'muted' }, `${shown} · ${num(l.min)} to ${num(l.max)}`)),
        h('div', { class: 'act-cells', role: 'img', 'aria-label': `Layer ${i + 1}: ${values.filter((v) => v !== 0).length} of ${values.length} ${unit}s non-zero, from ${num(l.min)} to ${num(l.max)}` }, ...values.map((v, j) => unitCell(v, scale, `${unit} ${j + 1}`))),
        ...(l.kind === 'conv' && maps?.[l.layer] ? [featureMapsFigure(maps[l.layer]!, i + 1)] : []),
      );
    });
    this.body.replaceChildren(...rows, this.outputRow(w));
  }

  private outputRow(w: ProbeWorstPoint): HTMLElement {
    if (this.regression) return h('div', { class: 'act-output' }, h('div', { class: 'act-head' }, h('span', {}, 'Output'), h('span', { class: 'muted' }, `predicted ${num(w.output[0] ?? w.predicted)}, target ${num(w.label)}`)));
    return h(
      'div',
      { class: 'act-output' },
      h('div', { class: 'act-head' }, h('span', {}, 'Output: probability of each class')),
      h(
        'ol',
        { class: 'act-probs' },
        ...w.output.map((p, c) => {
          const mark = c === w.label ? ' true' : c === w.predicted ? ' predicted' : '';
          return h('li', { class: `act-prob${mark}`, 'data-class': String(c) }, h('span', { class: 'act-class' }, String(c)), h('span', { class: 'act-bar', style: `--p:${p.toFixed(3)}` }), h('span', { class: 'stat' }, `${pct(p)}${c === w.label ? ' true' : c === w.predicted ? ' predicted' : ''}`));
        }),
      ),
    );
  }

  /** Draws the last input shown again (the theme changed). */
  repaint(): void {
    if (this.last && !this.element.hidden) this.show(this.last.w, this.last.step, this.last.current, this.last.maps);
  }

  hide(): void {
    this.element.hidden = true;
    delete this.element.dataset.index;
  }
}

/**
 * A conv layer's feature maps for the chosen input: one small picture per filter, positive values in
 * the accent colour and negative ones in orange, on one scale for the whole layer.
 */
function featureMapsFigure(m: FeatureMaps, layerNumber: number): HTMLElement {
  let scale = 0;
  for (const v of m.values) scale = Math.max(scale, Math.abs(v));
  const pos = cssRgb('--accent', [79, 70, 229]);
  const neg: [number, number, number] = [245, 147, 29];
  const tiles = Array.from({ length: m.filters }, (_, f) => {
    const map = filterMap(m, f);
    const canvas = h('canvas', { width: String(m.width), height: String(m.height), class: 'feature-map', 'data-filter': String(f), 'aria-hidden': 'true' });
    const ctx = canvas.getContext('2d');
    if (ctx) {
      const img = ctx.createImageData(m.width, m.height);
      map.forEach((v, i) => img.data.set([...(v < 0 ? neg : pos), scale > 0 ? Math.round((Math.abs(v) / scale) * 255) : 0], 4 * i));
      ctx.putImageData(img, 0, 0);
    }
    let max = 0;
    for (const v of map) max = Math.max(max, v);
    return h('figure', { class: 'feature-map-tile', title: `filter ${f + 1}: largest value ${num(max)}` }, canvas, h('figcaption', { class: 'muted' }, String(f + 1)));
  });
  return h(
    'div',
    { class: 'feature-maps', role: 'group', 'aria-label': `Layer ${layerNumber}'s feature maps: ${m.filters} filters, each ${m.height}×${m.width}, one scale up to ${num(scale)}` },
    h('p', { class: 'muted act-maps-note' }, `Feature maps · ${m.height}×${m.width} per filter · brighter is stronger`),
    h('div', { class: 'feature-map-grid' }, ...tiles),
  );
}
