import type { CurveSeries } from '../widgets/curve-chart.ts';
import { seatCss } from '../widgets/palette.ts';
import { h } from '../shell/dom.ts';

/** Runs kept on the chart at most (older ones make way). */
export const MAX_KEPT_RUNS = 4;
/** Seats (colours) of kept runs: 0 and 1 are the live A and B. */
const KEPT_SEATS = [2, 3, 4, 5] as const;

/** A run that ended in this room, kept to compare and to fork from. */
export interface KeptRun {
  runId: string;
  label: string;
  /** Whether it is stored (a stored run forks from its run file). */
  stored: boolean;
  heldOutAccuracy: number | null;
  samples: number[];
  loss: number[];
  valAccuracy: number[];
  accuracy: number[];
  valLoss: number[];
  /** Steps of its checkpoints, oldest first (what its timeline offers). */
  checkpoints: number[];
}

/**
 * Up to MAX_KEPT_RUNS ended runs of the playground, drawn under the live curves on the same axes and metrics,
 * with a legend where each can be removed (a button per run: keyboard and screen readers reach it).
 */
export class KeptRuns {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private runs: Array<KeptRun & { seat: number }> = [];
  private readonly changed: () => void;

  constructor(changed: () => void) {
    this.changed = changed;
    this.list = h('ul', { id: 'kept-runs', class: 'kept-runs', 'aria-label': 'Runs kept on the chart' });
    this.element = h('div', { class: 'kept-runs-box', id: 'kept-runs-box', hidden: true }, h('span', { class: 'muted' }, `Kept to compare (up to ${MAX_KEPT_RUNS}):`), this.list);
  }

  /** The kept runs, oldest first. */
  get all(): readonly KeptRun[] {
    return this.runs;
  }

  find(runId: string): KeptRun | undefined {
    return this.runs.find((r) => r.runId === runId);
  }

  /** Keeps a run that ended (again: its newer figures); the oldest goes past MAX_KEPT_RUNS. */
  keep(run: KeptRun): void {
    const same = this.runs.find((r) => r.runId === run.runId);
    if (same) Object.assign(same, run);
    else {
      if (this.runs.length >= MAX_KEPT_RUNS) this.runs.shift();
      const seat = KEPT_SEATS.find((s) => !this.runs.some((r) => r.seat === s))!;
      this.runs.push({ ...run, seat });
    }
    this.render();
  }

  remove(runId: string): void {
    this.runs = this.runs.filter((r) => r.runId !== runId);
    this.render();
  }

  /** The kept runs as overlay series, but those still drawn live (`shownLive`: the room's current run and fork). */
  series(shownLive: readonly string[]): CurveSeries[] {
    return this.runs
      .filter((r) => !shownLive.includes(r.runId))
      .map((r) => ({ seat: r.seat, label: r.label, samples: r.samples, loss: r.loss, valAccuracy: r.valAccuracy, accuracy: r.accuracy, valLoss: r.valLoss, overlay: true }));
  }

  private render(): void {
    this.element.hidden = this.runs.length === 0;
    this.list.replaceChildren(
      ...this.runs.map((r) => {
        const remove = h('button', { type: 'button', class: 'ghost small', 'aria-label': `Remove ${r.label} from the chart`, title: `Remove ${r.label} from the chart` }, '×');
        remove.addEventListener('click', () => {
          // focus stays in the legend: on the next run's button, or the list's end
          const next = remove.closest('li')?.nextElementSibling?.querySelector('button') ?? remove.closest('li')?.previousElementSibling?.querySelector('button');
          this.remove(r.runId);
          (next as HTMLButtonElement | null | undefined)?.focus();
          this.changed();
        });
        const held = r.heldOutAccuracy === null ? '' : ` · ${(r.heldOutAccuracy * 100).toFixed(1)}% held out`;
        return h('li', { 'data-run': r.runId }, h('span', { class: 'swatch', style: `background:${seatCss(r.seat)}` }), h('span', { class: 'kept-label' }, `${r.label}${held}`), remove);
      }),
    );
  }
}
