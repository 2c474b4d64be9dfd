import { unpackLayerActivations, type ProbeWorstPoint } from '../../shared/error-analysis.ts';
import { h } from '../shell/dom.ts';

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

  /** Shows `w` as of `step` (`current`: it is among the latest probe's worst points). */
  show(w: ProbeWorstPoint, step: number, current: boolean): void {
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

  hide(): void {
    this.element.hidden = true;
    delete this.element.dataset.index;
  }
}
