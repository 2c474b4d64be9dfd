import { h } from '../shell/dom.ts';

/** A run the timeline offers: the room's current one, or a kept stored one. */
export interface TimelineRun {
  runId: string;
  label: string;
  /** Its checkpoints' steps, oldest first. */
  checkpoints: readonly number[];
}

/**
 * The checkpoint timeline: pick a run (the current one, live or ended, or a kept stored one), slide to one of
 * its checkpoints (arrow keys step through them, Home and End jump to the ends; the marks show where they lie)
 * and fork it: `onFork(runId, step)`. Enter on the slider forks too.
 */
export class ForkTimeline {
  readonly element: HTMLElement;
  private readonly runSelect: HTMLSelectElement;
  private readonly slider: HTMLInputElement;
  private readonly readout: HTMLOutputElement;
  private readonly marks: HTMLElement;
  private readonly forkBtn: HTMLButtonElement;
  private runs: TimelineRun[] = [];
  /** The step picked on each run (kept while a live run's timeline grows). */
  private readonly picked = new Map<string, number>();
  private marksKey = '';
  private enabled = false;

  constructor(onFork: (runId: string, step: number) => void) {
    this.runSelect = h('select', { id: 'timeline-run', 'aria-label': 'Run to fork from' });
    this.slider = h('input', { id: 'timeline', type: 'range', min: '0', max: '0', step: '1', value: '0', 'aria-label': 'Checkpoint to fork from' });
    this.readout = h('output', { id: 'timeline-step', for: 'timeline', class: 'stat' }, '—');
    this.marks = h('div', { class: 'timeline-marks', 'aria-hidden': 'true' });
    this.forkBtn = h('button', { id: 'fork-at', type: 'button', class: 'ghost', title: 'Fork the chosen checkpoint: B replays its run up to it, then trains beside A (Enter on the slider)' }, 'Fork here');
    this.element = h(
      'section',
      { class: 'panel', id: 'timeline-panel', hidden: true },
      h('h2', {}, 'Checkpoints'),
      h('p', { class: 'muted' }, 'Fork any checkpoint of this run or of a kept one: the fork replays that run up to it (the same weights, step for step), then trains as B beside A.'),
      h('div', { class: 'timeline-row' }, h('label', { for: 'timeline-run' }, 'Run'), this.runSelect),
      h('div', { class: 'timeline-track' }, this.marks, this.slider),
      h('div', { class: 'timeline-row' }, this.readout, this.forkBtn),
    );
    const fork = () => {
      const at = this.current();
      if (at && this.enabled) onFork(at.run.runId, at.step);
    };
    this.forkBtn.addEventListener('click', fork);
    this.slider.addEventListener('input', () => {
      const run = this.selected();
      const step = run?.checkpoints[Number(this.slider.value)];
      if (run && step !== undefined) this.picked.set(run.runId, step);
      this.show();
    });
    this.slider.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') fork();
    });
    this.runSelect.addEventListener('change', () => this.show());
  }

  /** The runs on offer, the current one first; `enabled`: whether this client may fork now. */
  update(runs: TimelineRun[], enabled: boolean): void {
    this.runs = runs;
    this.enabled = enabled;
    this.element.hidden = runs.length === 0;
    const key = runs.map((r) => `${r.runId}:${r.label}`).join('|');
    if (this.runSelect.dataset.key !== key) {
      const was = this.runSelect.value;
      this.runSelect.dataset.key = key;
      this.runSelect.replaceChildren(...runs.map((r) => h('option', { value: r.runId }, r.label)));
      if (runs.some((r) => r.runId === was)) this.runSelect.value = was;
    }
    this.show();
  }

  private selected(): TimelineRun | undefined {
    return this.runs.find((r) => r.runId === this.runSelect.value) ?? this.runs[0];
  }

  private current(): { run: TimelineRun; step: number } | undefined {
    const run = this.selected();
    const step = run?.checkpoints[Number(this.slider.value)];
    return run && step !== undefined ? { run, step } : undefined;
  }

  private show(): void {
    const run = this.selected();
    const steps = run?.checkpoints ?? [];
    this.slider.max = String(Math.max(0, steps.length - 1));
    // The pick stays on its step as the timeline grows (the latest when nothing was picked, or it is gone).
    const picked = run ? this.picked.get(run.runId) : undefined;
    const at = picked !== undefined && steps.includes(picked) ? steps.indexOf(picked) : steps.length - 1;
    this.slider.value = String(Math.max(0, at));
    const step = steps[Number(this.slider.value)];
    const text = step === undefined ? 'no checkpoint yet' : `step ${step.toLocaleString('en')} · checkpoint ${Number(this.slider.value) + 1} of ${steps.length}`;
    this.readout.textContent = text;
    this.slider.setAttribute('aria-valuetext', text);
    this.slider.disabled = steps.length === 0;
    this.forkBtn.disabled = !this.enabled || step === undefined;
    this.forkBtn.textContent = step === undefined ? 'Fork here' : `Fork at step ${step.toLocaleString('en')}`;
    this.forkBtn.dataset.step = step === undefined ? '' : String(step);
    const last = steps.at(-1) ?? 0;
    const key = `${run?.runId}|${steps.length}|${last}`;
    if (key !== this.marksKey) {
      this.marksKey = key;
      this.marks.replaceChildren(...steps.map((_, i) => h('span', { style: `left:${steps.length > 1 ? ((i / (steps.length - 1)) * 100).toFixed(2) : 0}%` })));
    }
  }
}
