import { planSweep } from '../../shared/sweep.plan.ts';
import { MAX_SWEEP_TRIALS, SweepRequest, type SweepClientMessages, type SweepRequestInput } from '../../shared/sweep.schema.ts';
import type { RoomSender } from '../shell/room-sender.ts';
import type { PlaygroundSweep, SweepTrial } from '../../shared/sweep.state.ts';
import { describeZodError } from '../../shared/validation.ts';
import { h } from '../shell/dom.ts';
import { drawSweepCoordinates, sweepCoordinates } from './sweep-coordinates.view.ts';

/** Columns the results table sorts by. */
const COLUMNS = [
  { key: 'index', label: '#', num: true },
  { key: 'learningRate', label: 'Learning rate', num: true },
  { key: 'batchSize', label: 'Batch', num: true },
  { key: 'width', label: 'Width', num: true },
  { key: 'status', label: 'Status', num: false },
  { key: 'valAccuracy', label: 'Val. acc.', num: true },
  { key: 'valLoss', label: 'Val. loss', num: true },
  { key: 'heldOutAccuracy', label: 'Held-out', num: true },
] as const;
type SortKey = (typeof COLUMNS)[number]['key'];

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const ENDED = ['finished', 'diverged', 'failed', 'cancelled'];

/** A comma- or space-separated list of numbers as typed (anything else becomes NaN, which the schema refuses in words). */
function numbers(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((v) => Number(v));
}

/** What the page needs to send. */
export interface SweepPanelHost {
  owner: boolean;
  send: RoomSender<typeof SweepClientMessages>;
  /** Whether a trial's network may be trained now (no run is training). */
  canAdopt(): boolean;
}

/**
 * The playground's sweep: (owner) a form for a grid or random search over learning rate, batch size and
 * dense widths, with the number of trials it makes or what is wrong with it in words; everyone sees its
 * progress, the trials as a table that sorts by any column (buttons in the headers: Tab and Enter), and a
 * parallel-coordinates plot. Any trial's network (the best first) can be trained as the next run.
 */
export class SweepPanel {
  readonly element: HTMLElement;
  private readonly host: SweepPanelHost;
  private readonly form: Record<'method' | 'lrs' | 'batches' | 'widths' | 'trials' | 'budget' | 'seed', HTMLInputElement | HTMLSelectElement>;
  private readonly preview = h('p', { id: 'sweep-preview', class: 'muted', 'aria-live': 'polite' });
  private readonly startBtn = h('button', { id: 'sweep-start', type: 'button', title: 'Queue the trials in the background: live runs always go first' }, 'Start sweep');
  private readonly cancelBtn = h('button', { id: 'sweep-cancel', type: 'button', class: 'ghost', hidden: true }, 'Cancel sweep');
  private readonly bestBtn = h('button', { id: 'sweep-fork-best', type: 'button', hidden: true, title: "Train the best trial's network as the next run" }, 'Train the best');
  private readonly progress = h('progress', { id: 'sweep-progress', max: '1', value: '0', hidden: true, 'aria-label': 'trials done' });
  private readonly status = h('p', { id: 'sweep-status', class: 'muted' }, 'No sweep yet.');
  private readonly head = h('tr', {});
  private readonly body = h('tbody', {});
  private readonly table = h('table', { id: 'sweep-table', class: 'ab-compare sweep-table', hidden: true }, h('thead', {}, this.head), this.body);
  private readonly plot = sweepCoordinates('sweep-plot');
  private sort: { key: SortKey; dir: 1 | -1 } = { key: 'index', dir: 1 };
  private last?: { sweep: PlaygroundSweep };
  /** What the table and plot show now: they are rebuilt only when it changes (a live run's frames change nothing here). */
  private drawn = '';

  constructor(host: SweepPanelHost) {
    this.host = host;
    const input = (id: string, value: string, label: string, type = 'text') => h('input', { id, type, value, 'aria-label': label, inputmode: type === 'text' ? 'decimal' : undefined });
    this.form = {
      method: h('select', { id: 'sweep-method' }, h('option', { value: 'grid' }, 'grid: every combination'), h('option', { value: 'random' }, 'random: draws')),
      lrs: input('sweep-lrs', '0.003, 0.03', 'learning rates'),
      batches: input('sweep-batches', '16', 'batch sizes'),
      widths: input('sweep-widths', '4, 12', 'widths'),
      trials: input('sweep-trials', '8', 'trials (random)', 'number'),
      budget: input('sweep-budget', '20000', 'samples per trial', 'number'),
      seed: input('sweep-seed', '', 'seed'),
    };
    this.form.seed.setAttribute('placeholder', "the room's");
    for (const el of Object.values(this.form)) el.addEventListener('input', () => this.showPreview());
    this.startBtn.addEventListener('click', () => {
      const r = this.read();
      if ('request' in r) host.send('sweep', r.request);
    });
    this.cancelBtn.addEventListener('click', () => host.send('sweepCancel', {}));
    this.bestBtn.addEventListener('click', () => this.last && this.last.sweep.best >= 0 && host.send('sweepAdopt', { trial: this.last.sweep.best }));
    for (const c of COLUMNS) {
      const btn = h('button', { type: 'button', class: 'sort', 'data-sort': c.key }, c.label);
      btn.addEventListener('click', () => {
        this.sort = { key: c.key, dir: this.sort.key === c.key ? (-this.sort.dir as 1 | -1) : c.num && c.key !== 'index' && c.key !== 'valLoss' ? -1 : 1 };
        this.draw();
      });
      this.head.append(h('th', { class: c.num ? 'num' : undefined, 'aria-sort': 'none' }, btn));
    }
    this.head.append(h('th', {}, ''));
    const field = (label: string, el: HTMLElement, id: string) => h('div', {}, h('label', { for: id }, label), el);
    this.element = h(
      'section',
      { class: 'panel', id: 'sweep-panel' },
      h('h2', {}, 'Sweep'),
      host.owner
        ? h(
            'div',
            { id: 'sweep-form' },
            h('p', { class: 'muted' }, `Train your network with other learning rates, batch sizes and widths (every dense layer), each trial on the same data and seed with the same budget. At most ${MAX_SWEEP_TRIALS} trials; they wait behind every live run.`),
            h('div', { class: 'row sweep-fields' }, field('Method', this.form.method, 'sweep-method'), field('Trials (random)', this.form.trials, 'sweep-trials')),
            field('Learning rates (random: the range)', this.form.lrs, 'sweep-lrs'),
            h('div', { class: 'row sweep-fields' }, field('Batch sizes', this.form.batches, 'sweep-batches'), field('Widths', this.form.widths, 'sweep-widths')),
            h('div', { class: 'row sweep-fields' }, field('Samples per trial', this.form.budget, 'sweep-budget'), field('Seed', this.form.seed, 'sweep-seed')),
            this.preview,
            h('div', { class: 'row buttons' }, this.startBtn, this.cancelBtn),
          )
        : '',
      this.status,
      this.progress,
      h('div', { class: 'table-scroll' }, this.table),
      h('div', { class: 'row buttons' }, this.bestBtn),
      h('div', { class: 'sweep-plot-wrap' }, this.plot),
    );
    // Only the owner has the form: a spectator's page reads nothing from it.
    if (host.owner) this.showPreview();
    else this.updateButtons();
  }

  /** The form as a request, or what is wrong with it in words. */
  read(): { request: SweepRequestInput; trials: number } | { error: string } {
    const f = this.form;
    const seed = f.seed.value.trim();
    const raw: SweepRequestInput = {
      method: f.method.value as 'grid' | 'random',
      learningRates: numbers(f.lrs.value),
      batchSizes: numbers(f.batches.value),
      widths: numbers(f.widths.value),
      trials: Number(f.trials.value),
      budgetPerTrial: Number(f.budget.value),
      ...(seed ? { seed: Number(seed) } : {}),
    };
    const parsed = SweepRequest.safeParse(raw);
    if (!parsed.success) return { error: describeZodError(parsed.error).message };
    return { request: raw, trials: planSweep(parsed.data, parsed.data.seed ?? 0).length };
  }

  private showPreview(): void {
    const r = this.read();
    (this.form.trials as HTMLInputElement).disabled = this.form.method.value !== 'random';
    if ('error' in r) {
      this.preview.textContent = r.error;
      this.preview.dataset.error = 'true';
    } else {
      const budget = Number(this.form.budget.value);
      this.preview.textContent = `${r.trials} trial${r.trials === 1 ? '' : 's'} × ${budget.toLocaleString('en')} samples`;
      delete this.preview.dataset.error;
    }
    this.updateButtons();
  }

  private updateButtons(): void {
    const running = this.last?.sweep.phase === 'running';
    this.startBtn.disabled = running || !this.host.owner || 'error' in this.read();
    this.cancelBtn.hidden = !running;
    const best = this.last?.sweep.best ?? -1;
    this.bestBtn.hidden = best < 0;
    this.bestBtn.disabled = !this.host.owner || !this.host.canAdopt();
    for (const b of this.body.querySelectorAll<HTMLButtonElement>('button.sweep-adopt')) b.disabled = !this.host.canAdopt();
  }

  /** Shows the room's sweep. */
  render(sweep: PlaygroundSweep): void {
    this.last = { sweep };
    this.draw();
  }

  private draw(): void {
    const sweep = this.last?.sweep;
    if (!sweep || !sweep.phase) return this.updateButtons();
    const trials = [...sweep.trials];
    const shown = JSON.stringify([this.sort, sweep.phase, sweep.best, sweep.done, sweep.base, trials.map((t) => [t.status, t.samples, t.valAccuracy, t.heldOutAccuracy])]);
    if (shown === this.drawn) return this.updateButtons();
    this.drawn = shown;
    this.progress.hidden = false;
    this.progress.max = Math.max(1, sweep.total);
    this.progress.value = sweep.done;
    const phase = sweep.phase === 'running' ? 'running in the background' : sweep.phase;
    const best = sweep.best >= 0 ? trials[sweep.best] : undefined;
    this.status.textContent = `${sweep.done} of ${sweep.total} trials done · ${phase} · ${sweep.method}, ${sweep.budgetPerTrial.toLocaleString('en')} samples each, seed ${sweep.seed} · ${sweep.base}${best ? ` · best so far: trial ${best.index}, ${pct(best.valAccuracy)} on validation` : ''}`;
    this.status.dataset.done = String(sweep.done);
    this.status.dataset.phase = sweep.phase;
    this.table.hidden = false;
    const { key, dir } = this.sort;
    const sorted = [...trials].sort((a, b) => {
      const va = a[key];
      const vb = b[key];
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return c * dir || a.index - b.index;
    });
    this.head.querySelectorAll('th').forEach((th) => {
      const k = th.querySelector<HTMLButtonElement>('button.sort')?.dataset.sort;
      if (k) th.setAttribute('aria-sort', k === key ? (dir === 1 ? 'ascending' : 'descending') : 'none');
    });
    this.body.replaceChildren(...sorted.map((t) => this.row(t, t.index === sweep.best)));
    this.table.dataset.sort = `${key}:${dir === 1 ? 'asc' : 'desc'}`;
    drawSweepCoordinates(
      this.plot,
      trials.map((t) => ({ index: t.index, learningRate: t.learningRate, batchSize: t.batchSize, width: t.width, valAccuracy: t.valAccuracy, ended: t.status === 'finished' })),
      sweep.best,
    );
    this.updateButtons();
  }

  private row(t: SweepTrial, best: boolean): HTMLTableRowElement {
    const ended = ENDED.includes(t.status);
    const adopt = h('button', { type: 'button', class: 'ghost sweep-adopt', 'data-trial': String(t.index), title: `Train trial ${t.index}'s network as the next run` }, 'Train');
    adopt.addEventListener('click', () => this.host.send('sweepAdopt', { trial: t.index }));
    const status = t.status === 'held' ? 'held (a live run goes first)' : t.status === 'training' ? `training · ${t.samples.toLocaleString('en')}` : t.status === 'failed' ? `failed: ${t.message}` : t.status;
    return h(
      'tr',
      { 'data-trial': String(t.index), 'data-status': t.status, class: best ? 'best' : undefined },
      h('td', { class: 'num' }, best ? `★ ${t.index}` : String(t.index)),
      h('td', { class: 'num' }, String(+t.learningRate.toPrecision(3))),
      h('td', { class: 'num' }, String(t.batchSize)),
      h('td', { class: 'num' }, String(t.width)),
      h('td', {}, status),
      h('td', { class: 'num', 'data-value': String(t.valAccuracy) }, t.samples > 0 ? pct(t.valAccuracy) : '—'),
      h('td', { class: 'num' }, t.samples > 0 ? t.valLoss.toFixed(3) : '—'),
      h('td', { class: 'num' }, t.status === 'finished' || t.status === 'diverged' ? pct(t.heldOutAccuracy) : '—'),
      h('td', {}, this.host.owner && ended && t.status !== 'failed' && t.status !== 'cancelled' ? adopt : ''),
    );
  }
}
