import { AUGMENT_STD, Control, type ControlInput } from '../../shared/control.schema.ts';
import { Activation } from '../../shared/model-spec.schema.ts';
import type { PlaygroundState } from '../../shared/playground.state.ts';
import { isPlanar, taskKind, type TaskSpec } from '../../shared/task.schema.ts';
import { h } from '../shell/dom.ts';
import { toast } from '../shell/toast.ts';
import type { BoundaryView } from './boundary.view.ts';

/** Samples the "add samples" and "remove samples" buttons (and m, x) add or remove at a time. */
export const SAMPLES_STEP = 50;
/** How much d and e raise or lower the difficulty ramp. */
const DIFFICULTY_STEP = 0.1;

/** What these controls show of the run they steer (run A, or the fork B): applied values, as the room reports them. */
export type SteeredData = Pick<PlaygroundState, 'augmentation' | 'difficulty' | 'trainSize' | 'samples' | 'activations'>;

export interface EngineControlsHost {
  task: TaskSpec;
  owner: boolean;
  /** Sends a control to the run being steered (the room checks it is ours and valid). */
  steer(control: Control): void;
  steered(): SteeredData;
  /** Whether a run is training (controls steer a live run). */
  live(): boolean;
  budget(): number;
}

/**
 * The engine's data and architecture controls on the playground: augmentation (with a preview of the
 * jittered points), points added by a click on the plane and removed by a dragged box, samples added or
 * removed by the task's generator, the difficulty ramp, and a layer added or removed live. Each control is
 * parsed with the shared schema before it is sent; what the controls show is what the room says took effect.
 */
export class EngineControls {
  readonly element: HTMLElement;
  /** The "add a layer" row, shown under the layer list. */
  readonly layerAdd: HTMLElement;
  private readonly host: EngineControlsHost;
  private readonly planar: boolean;
  private readonly regression: boolean;
  private readonly augmentBtn = h('button', { id: 'augment', type: 'button', class: 'ghost', 'aria-pressed': 'false', title: 'Augmentation: jitter every training input a little each batch (u)' }, 'Augmentation: off');
  private readonly previewBox = h('input', { id: 'augment-preview', type: 'checkbox' });
  private readonly pointClass: HTMLSelectElement | HTMLInputElement;
  private readonly addSamplesBtn = h('button', { id: 'add-samples', type: 'button', class: 'ghost', title: `Add ${SAMPLES_STEP} samples drawn from the task (m)` }, `+${SAMPLES_STEP} samples`);
  private readonly removeSamplesBtn = h('button', { id: 'remove-samples', type: 'button', class: 'ghost', title: `Remove the last ${SAMPLES_STEP} training samples (x)` }, `−${SAMPLES_STEP} samples`);
  private readonly difficulty = h('input', { id: 'difficulty', type: 'range', min: '0', max: '1', step: '0.05', value: '0', 'aria-label': 'Difficulty ramp: input noise reached at the end of the budget' });
  private readonly difficultyValue = h('span', { id: 'difficulty-value', class: 'stat' }, '0');
  private readonly trainSize = h('span', { id: 'train-size', class: 'stat' }, '—');
  private readonly addLayerBtn = h('button', { id: 'add-layer', type: 'button', class: 'ghost', title: 'Add a hidden layer at the end, initialised to pass its input through (+)' }, 'Add layer');
  private readonly addLayerActivation = h('select', { id: 'add-layer-activation', 'aria-label': 'Activation of the added layer' }, ...Activation.options.map((a) => h('option', { value: a, selected: a === 'linear' }, a)));
  private draggingDifficulty = false;
  private boundary?: BoundaryView;

  constructor(host: EngineControlsHost) {
    this.host = host;
    this.planar = isPlanar(host.task.name);
    this.regression = taskKind(host.task.name) === 'regression';
    this.pointClass = this.regression
      ? h('input', { id: 'point-class', type: 'number', step: '0.1', min: '-100', max: '100', value: '0', 'aria-label': 'Target of a clicked point' })
      : h('select', { id: 'point-class', 'aria-label': 'Class of a clicked point' }, h('option', { value: '0' }, 'class 0'), h('option', { value: '1' }, 'class 1'));
    const pointsHelp = this.regression ? 'Click the plane to add a point with this target; drag a box to remove the points in it.' : 'Click the plane to add a point of this class (0, 1); drag a box to remove the points in it.';
    this.element = h(
      'div',
      { class: 'engine-controls', id: 'engine-controls' },
      h('label', {}, 'Data · training set: ', this.trainSize),
      h('div', { class: 'row buttons' }, this.augmentBtn, h('label', { class: 'switch', title: 'Draw each point as augmentation (and the difficulty ramp) jitter it (p)' }, this.previewBox, ' preview')),
      this.planar ? h('div', { class: 'row' }, h('label', { for: 'point-class' }, 'New points'), this.pointClass) : '',
      this.planar ? h('p', { class: 'muted', id: 'points-help' }, pointsHelp) : '',
      h('div', { class: 'row buttons' }, this.addSamplesBtn, this.removeSamplesBtn),
      h('label', { for: 'difficulty' }, 'Difficulty ramp ', this.difficultyValue, h('span', { class: 'muted' }, ' · input noise at the end of the budget')),
      this.difficulty,
    );
    this.layerAdd = h('div', { class: 'row buttons' }, this.addLayerBtn, this.addLayerActivation);
    this.wire();
  }

  /** Parses a control with the shared schema (so what is sent is what the room accepts), then sends it. */
  private send(control: ControlInput): void {
    const parsed = Control.safeParse(control);
    if (!parsed.success) return toast(parsed.error.issues[0]?.message ?? 'that control is not valid');
    this.host.steer(parsed.data);
  }

  /** Clicks and drags on this plane add and remove points. */
  attach(boundary: BoundaryView): void {
    this.boundary = boundary;
    boundary.onAddPoint = (x) => this.send({ type: 'addPoints', points: [{ x, label: Number(this.pointClass.value) }] });
    boundary.onRemoveArea = (from, to) => this.send({ type: 'removePoints', from, to });
  }

  private wire(): void {
    this.augmentBtn.addEventListener('click', () => this.toggleAugmentation());
    this.previewBox.addEventListener('change', () => this.render());
    this.addSamplesBtn.addEventListener('click', () => this.send({ type: 'addSamples', count: SAMPLES_STEP }));
    this.removeSamplesBtn.addEventListener('click', () => this.send({ type: 'removeSamples', count: SAMPLES_STEP }));
    this.difficulty.addEventListener('input', () => {
      this.draggingDifficulty = true;
      this.difficultyValue.textContent = this.difficulty.value;
    });
    this.difficulty.addEventListener('change', () => {
      this.draggingDifficulty = false;
      this.send({ type: 'setDifficulty', ramp: Number(this.difficulty.value) });
    });
    this.addLayerBtn.addEventListener('click', () => this.addLayer());
  }

  private toggleAugmentation(): void {
    this.send({ type: 'setAugmentation', enabled: !this.host.steered().augmentation });
  }

  private addLayer(): void {
    this.send({ type: 'addLayer', index: this.host.steered().activations.length, activation: this.addLayerActivation.value as Activation });
  }

  /** A layer row's remove button. */
  removeButton(layer: number): HTMLButtonElement {
    const btn = h('button', { id: `remove-layer-${layer}`, type: 'button', class: 'ghost small', title: `Remove layer ${layer + 1}, folding its weights into the next (− removes the last)`, 'aria-label': `Remove layer ${layer + 1}` }, '✕');
    btn.addEventListener('click', () => this.send({ type: 'removeLayer', layer }));
    btn.disabled = !this.host.owner || !this.host.live() || this.host.steered().activations.length <= 1;
    return btn;
  }

  private changeDifficulty(by: number): void {
    const next = Math.round(Math.max(0, Math.min(1, this.host.steered().difficulty + by)) * 100) / 100;
    this.send({ type: 'setDifficulty', ramp: next });
  }

  /** Handles this panel's keys; returns whether the key was one of them. Only for the owner of a live run. */
  onKey(key: string): boolean {
    if (key === 'p') {
      this.previewBox.checked = !this.previewBox.checked;
      this.render();
      return true;
    }
    if (!this.host.owner || !this.host.live()) return false;
    if (key === 'u') this.toggleAugmentation();
    else if (key === 'm') this.send({ type: 'addSamples', count: SAMPLES_STEP });
    else if (key === 'x') this.send({ type: 'removeSamples', count: SAMPLES_STEP });
    else if (key === '+' || key === '=') this.addLayer();
    else if (key === '-') {
      const hidden = this.host.steered().activations.length;
      this.send({ type: 'removeLayer', layer: Math.max(0, hidden - 1) });
    } else if (key === 'd') this.changeDifficulty(DIFFICULTY_STEP);
    else if (key === 'e') this.changeDifficulty(-DIFFICULTY_STEP);
    else if ((key === '0' || key === '1') && this.planar && !this.regression) this.pointClass.value = key;
    else return false;
    return true;
  }

  /** Shows the applied state of the steered run, and enables what the owner may use now. */
  render(): void {
    const s = this.host.steered();
    const canSteer = this.host.owner && this.host.live();
    for (const el of [this.augmentBtn, this.addSamplesBtn, this.removeSamplesBtn, this.difficulty, this.addLayerBtn, this.addLayerActivation, this.pointClass]) el.disabled = !canSteer;
    this.augmentBtn.textContent = `Augmentation: ${s.augmentation ? 'on' : 'off'}`;
    this.augmentBtn.setAttribute('aria-pressed', String(s.augmentation));
    this.trainSize.textContent = s.trainSize ? `${s.trainSize.toLocaleString('en')} points` : '—';
    this.trainSize.dataset.count = String(s.trainSize);
    if (!this.draggingDifficulty && document.activeElement !== this.difficulty) this.difficulty.value = String(s.difficulty);
    if (!this.draggingDifficulty) this.difficultyValue.textContent = String(+s.difficulty.toFixed(2));
    this.difficultyValue.dataset.applied = String(+s.difficulty.toFixed(2));
    if (!this.boundary) return;
    this.boundary.setEditable(canSteer && this.planar);
    // The preview jitters each point as the next batch would be: augmentation's noise with the ramp reached so far.
    const rampNow = s.difficulty * Math.min(1, s.samples / Math.max(1, this.host.budget()));
    this.boundary.setPreview(this.previewBox.checked ? Math.hypot(AUGMENT_STD, rampNow) : 0);
  }

  /** The keys, for the page's key help. */
  static keys(): Array<Node | string> {
    const k = (key: string) => h('kbd', {}, key);
    return [k('u'), ' augmentation · ', k('p'), ' preview · ', k('0'), k('1'), ' point class · ', k('m'), k('x'), ` ±${SAMPLES_STEP} samples · `, k('+'), k('-'), ' add/remove layer · ', k('d'), k('e'), ' harder/easier · '];
  }
}
