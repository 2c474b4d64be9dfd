import { computeFeatureMaps, type ConvStemWeights, type FeatureMaps } from '../../shared/conv-feature-maps.ts';
import { perClassAccuracy, type ProbeWorstPoint } from '../../shared/error-analysis.ts';
import type { PlaygroundProbeMessage } from '../../shared/playground.messages.ts';
import { h } from '../shell/dom.ts';
import { onThemeChange } from '../shell/theme.ts';
import { cssRgb } from '../widgets/css-color.ts';
import { describeInput, InputActivationsView } from './input-activations.view.ts';

const pct = (v: number) => `${Math.round(v * 100)}%`;
const num = (v: number) => String(Number(v.toPrecision(3)));
const DIGIT = 28;

/**
 * Error analysis: the validation points the network gets most wrong now. On a planar task a list of
 * them (also highlighted on the boundary, where a click picks one); on MNIST a grid of the
 * misclassified digits with their true and predicted labels and the confidence. Per-class accuracy
 * for every classification task. Choosing a point or a digit (click, or Enter on it) shows the
 * activations it causes layer by layer. Every item is a button, so the keyboard reaches all of it.
 */
export class ErrorAnalysisPanel {
  readonly element: HTMLElement;
  private readonly digits: boolean;
  private readonly regression: boolean;
  private readonly list: HTMLElement;
  private readonly classTable = h('table', { id: 'class-accuracy', class: 'class-accuracy' });
  private readonly status = h('span', { class: 'muted', id: 'errors-step' }, '');
  private readonly view: InputActivationsView;
  /** Every digit's pixels the room sent (by validation index: the same digit in every probe of the room). */
  private readonly pixels = new Map<number, number[]>();
  private readonly items = new Map<number, HTMLButtonElement>();
  /** The latest figures of every point listed (one may stay listed while the list holds still). */
  private readonly known = new Map<number, ProbeWorstPoint>();
  private worst: ProbeWorstPoint[] = [];
  private selected?: ProbeWorstPoint;
  private selectedStep = 0;
  /** A conv net's image layers as of the latest probe, and as of the chosen digit's figures. */
  private stem?: ConvStemWeights;
  private selectedStem?: ConvStemWeights;
  private step = 0;
  private readonly offTheme: () => void;
  /** Hears the worst points and the chosen one, for the boundary's highlights. */
  onWorst: (worst: readonly ProbeWorstPoint[], selected: number | undefined) => void = () => {};

  constructor(options: { digits: boolean; regression: boolean }) {
    this.digits = options.digits;
    this.regression = options.regression;
    this.view = new InputActivationsView(this.regression);
    this.list = this.digits ? h('div', { id: 'digit-grid', class: 'digit-grid', role: 'group', 'aria-label': 'Misclassified validation digits, worst first' }) : h('ol', { id: 'worst-list', class: 'worst-list', 'aria-label': 'Worst validation points, worst first' });
    const intro = this.digits
      ? 'Validation digits the network gets wrong, worst first: the true label → the prediction, and how sure it is. Choose one to see the activations it causes.'
      : 'Validation points the network gets most wrong, worst first (ringed on the boundary). Choose one, here or on the boundary, to see the activations it causes.';
    this.element = h(
      'section',
      { class: 'panel', id: 'error-analysis' },
      h('h2', {}, 'Error analysis ', this.status),
      h('p', { class: 'muted' }, intro),
      h('p', { class: 'muted', id: 'errors-empty' }, 'Waiting for the first probe of a run…'),
      this.list,
      this.regression ? h('span', {}) : h('div', { class: 'class-accuracy-wrap' }, h('h3', {}, 'Accuracy per class'), this.classTable),
      this.view.element,
    );
    this.offTheme = onThemeChange(() => (this.repaintDigits(), this.view.repaint()));
  }

  /** A new probe: its worst points, per-class accuracy, and the chosen input's activations now. */
  update(p: PlaygroundProbeMessage): void {
    this.step = p.step;
    this.status.textContent = `at step ${p.step}`;
    if (p.confusion && !this.regression) this.renderClasses(p.confusion);
    if (!p.worst) return;
    for (const w of p.worst) if (w.pixels) this.pixels.set(w.index, w.pixels);
    this.stem = p.convStem;
    this.worst = p.worst;
    const empty = this.element.querySelector<HTMLElement>('#errors-empty')!;
    empty.hidden = p.worst.length > 0;
    empty.textContent = 'No validation point is misclassified right now.';
    this.renderItems();
    const again = this.selected && p.worst.find((w) => w.index === this.selected!.index);
    if (again) this.choose(again, false);
    else if (this.selected) this.view.show(this.selected, this.selectedStep, false, this.featureMaps(this.selected.index));
    this.onWorst(this.worst, this.selected?.index);
  }

  /** Chooses the worst point with this validation index (a click on the boundary or the list). */
  select(index: number): void {
    const w = this.worst.find((x) => x.index === index) ?? this.known.get(index);
    if (w) this.choose(w, true);
  }

  private choose(w: ProbeWorstPoint, fromUser: boolean): void {
    const current = this.worst.some((x) => x.index === w.index);
    if (current || !this.selected || this.selected.index !== w.index) {
      this.selectedStep = this.step;
      this.selectedStem = this.stem;
    }
    this.selected = w;
    this.view.show(w, this.selectedStep, current, this.featureMaps(w.index));
    for (const [index, b] of this.items) b.setAttribute('aria-pressed', String(index === w.index));
    if (fromUser) this.onWorst(this.worst, w.index);
  }

  /** A digit's feature maps from the chosen figures' conv weights (none for dense nets, or before its pixels came). */
  private featureMaps(index: number): FeatureMaps[] | undefined {
    const pixels = this.pixels.get(index);
    if (!this.digits || !this.selectedStem || !pixels) return undefined;
    return computeFeatureMaps(this.selectedStem, pixels.map((v) => v / 255));
  }

  /**
   * Updates the buttons in the probe's order; while the pointer is over the list or a button in it has
   * the focus, the list holds still (figures update, nothing moves) so that what is aimed at stays there.
   */
  private renderItems(): void {
    for (const w of this.worst) this.known.set(w.index, w);
    if (this.list.matches(':hover') || this.list.contains(document.activeElement)) {
      for (const [index, b] of this.items) {
        const w = this.known.get(index);
        if (w) this.fill(b, w);
      }
      return;
    }
    const keep = new Set(this.worst.map((w) => w.index));
    for (const index of this.known.keys()) if (!keep.has(index)) this.known.delete(index);
    for (const [index, b] of this.items) if (!keep.has(index)) (b.parentElement?.tagName === 'LI' ? b.parentElement : b).remove(), this.items.delete(index);
    const focused = document.activeElement;
    this.worst.forEach((w, i) => {
      let b = this.items.get(w.index);
      if (!b) {
        b = h('button', { type: 'button', class: this.digits ? 'digit' : 'worst-item ghost', 'data-index': String(w.index) });
        const chosen = b;
        // Chosen on the press: a probe may reorder the list before the button is released. Enter and Space click.
        b.addEventListener('pointerdown', (e) => e.button === 0 && this.select(Number(chosen.dataset.index)));
        b.addEventListener('click', () => this.select(Number(chosen.dataset.index)));
        this.items.set(w.index, b);
      }
      this.fill(b, w);
      b.setAttribute('aria-pressed', String(this.selected?.index === w.index));
      const node = this.digits ? b : (b.parentElement ?? h('li', {}, b));
      if (this.list.children[i] !== node) this.list.insertBefore(node, this.list.children[i] ?? null);
    });
    if (focused instanceof HTMLElement && focused !== document.activeElement && focused.isConnected) focused.focus();
  }

  private fill(b: HTMLButtonElement, w: ProbeWorstPoint): void {
    const label = describeInput(w, this.regression);
    b.setAttribute('aria-label', label);
    b.title = `${label} · loss ${num(w.loss)}`;
    if (!this.digits) {
      b.textContent = this.regression ? `(${num(w.point![0]!)}, ${num(w.point![1]!)}) · target ${num(w.label)} · predicted ${num(w.predicted)}` : `(${num(w.point![0]!)}, ${num(w.point![1]!)}) · true ${w.label} → ${w.predicted} · ${pct(w.confidence ?? 0)}`;
      return;
    }
    let canvas = b.querySelector('canvas');
    if (!canvas) {
      canvas = h('canvas', { width: String(DIGIT), height: String(DIGIT), 'aria-hidden': 'true' });
      b.replaceChildren(canvas, h('span', { class: 'digit-caption' }));
    }
    if (canvas.dataset.index !== String(w.index) || !canvas.dataset.painted) this.paintDigit(canvas, w.index);
    b.querySelector('.digit-caption')!.textContent = `${w.label} → ${w.predicted} · ${pct(w.confidence ?? 0)}`;
  }

  /** Draws a digit in the text colour on a transparent ground, so it reads in both themes. */
  private paintDigit(canvas: HTMLCanvasElement, index: number): void {
    const pixels = this.pixels.get(index);
    const ctx = canvas.getContext('2d');
    canvas.dataset.index = String(index);
    if (!ctx || !pixels) return;
    const [r, g, b] = cssRgb('--text', [28, 31, 42]);
    const img = ctx.createImageData(DIGIT, DIGIT);
    pixels.forEach((v, i) => img.data.set([r, g, b, v], 4 * i));
    ctx.putImageData(img, 0, 0);
    canvas.dataset.painted = '1';
  }

  private repaintDigits(): void {
    for (const [index, b] of this.items) {
      const canvas = b.querySelector('canvas');
      if (canvas) this.paintDigit(canvas, index);
    }
  }

  private renderClasses(confusion: number[][]): void {
    const rows = perClassAccuracy(confusion);
    this.classTable.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', {}, 'Class'), h('th', {}, 'Accuracy'), h('th', { class: 'num' }, 'Right'))),
      h(
        'tbody',
        {},
        ...rows.map((c) =>
          h('tr', { 'data-class': String(c.label) }, h('th', {}, String(c.label)), h('td', {}, h('span', { class: 'class-bar', style: `--p:${c.accuracy.toFixed(3)}` }), h('span', { class: 'stat' }, c.total ? pct(c.accuracy) : '—')), h('td', { class: 'num stat' }, `${c.correct}/${c.total}`)),
        ),
      ),
    );
  }

  destroy(): void {
    this.offTheme();
  }
}
