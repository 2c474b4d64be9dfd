import { Activation, DEFAULT_SPEC, InputFeature, type ModelSpec, OptimizerName } from '../../shared/model-spec.schema.ts';
import { IMAGE_SPEC_TEMPLATES, SPEC_TEMPLATES } from '../../shared/spec-templates.ts';
import { planSpec } from '../../shared/model-spec.shapes.ts';
import { isPlanar, type TaskSpec } from '../../shared/task.schema.ts';
import { networkDims } from '../../shared/network-dims.ts';
import { h } from '../shell/dom.ts';
import { LayerBlocks } from './layer-blocks.ts';
import { drawNetworkDiagram, networkDiagram } from './network-diagram.ts';
import type { KeyValueStore, SavedSpec, SavedSpecs } from './saved-specs.ts';
import { DesignSync } from './design-sync.ts';
import { shareLink } from './design-api.ts';
import { savedPlayerId, savedToken } from '../shell/arena-client.ts';
import {
  draftFromSpec,
  readDraft,
  sameDraft,
  sharedActivation,
  specFigures,
  type SpecDraft,
  widthsText,
  withLayer,
  withLayerAdded,
  withLayerMoved,
  withLayerRemoved,
  withConvAdded,
  withLayerType,
  withWidths,
} from './spec-draft.ts';
import { History } from './spec-history.ts';

const FEATURE_LABELS: Record<InputFeature, string> = { x1: 'X₁', x2: 'X₂', x1sq: 'X₁²', x2sq: 'X₂²', x1x2: 'X₁X₂', sinx1: 'sin X₁', sinx2: 'sin X₂' };
const MIXED = 'mixed';

/** localStorage, or nothing where the browser refuses it. */
function browserStore(): KeyValueStore | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * The model designer: a quick widths field and a block per hidden layer
 * (width, activation, dropout; move, remove, add), input features, optimizer,
 * learning rate, batch size and L2, with parameters, FLOPs and memory shown
 * live, every problem explained in words, a diagram of the network, undo and
 * redo (Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y), templates and specs saved by name
 * (on the player's account when signed in, each with a share link).
 */
export class SpecEditor {
  readonly element: HTMLElement;
  private readonly task: TaskSpec;
  private readonly onChange: () => void;
  private readonly designs: DesignSync;
  private draft: SpecDraft;
  private readonly history: History<SpecDraft>;
  private disabled = false;

  private readonly widths = h('input', { id: 'spec-layers', inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': 'spec-problem', 'data-field': 'layers' });
  private readonly activation = h('select', { id: 'spec-activation' }, h('option', { value: MIXED, disabled: true }, '(mixed)'), ...Activation.options.map((o) => h('option', { value: o }, o)));
  private readonly optimizer = h('select', { id: 'spec-optimizer', 'data-field': 'optimizer' }, ...OptimizerName.options.map((o) => h('option', { value: o }, o)));
  private readonly learningRate = h('input', { id: 'spec-lr', type: 'number', step: 'any', min: '0', 'data-field': 'learningRate' });
  private readonly batchSize = h('input', { id: 'spec-batch', type: 'number', step: '1', min: '1', 'data-field': 'batchSize' });
  private readonly l2 = h('input', { id: 'spec-l2', type: 'number', step: 'any', min: '0', max: '1', 'data-field': 'l2' });
  private readonly patience = h('input', { id: 'spec-patience', type: 'number', step: '1000', min: '1', placeholder: 'off', 'data-field': 'earlyStopping.patience', title: 'Early stopping: once this many samples pass without a better validation score, the run keeps its best checkpoint and ends (empty: train the whole budget)' });
  private readonly features = new Map<InputFeature, HTMLInputElement>();
  private readonly template: HTMLSelectElement;
  /** The templates offered: the dense ones, and small conv nets on image tasks. */
  private readonly templates: ReadonlyArray<{ name: string; spec: ModelSpec }>;
  private readonly undoBtn = h('button', { type: 'button', id: 'spec-undo', class: 'ghost small', title: 'Undo (Ctrl+Z)' }, '↶ Undo');
  private readonly redoBtn = h('button', { type: 'button', id: 'spec-redo', class: 'ghost small', title: 'Redo (Ctrl+Shift+Z or Ctrl+Y)' }, '↷ Redo');
  private readonly saveName = h('input', { id: 'spec-save-name', placeholder: 'Name this spec', maxlength: '40', autocomplete: 'off', 'aria-label': 'Name to save this spec under' });
  private readonly saveBtn = h('button', { type: 'button', id: 'spec-save', class: 'ghost small' }, 'Save');
  private readonly savedList = h('ul', { id: 'spec-saved', class: 'saved-specs', 'aria-label': 'Saved specs' });
  private readonly savedNote = h('p', { class: 'muted', id: 'spec-saved-note', role: 'status' });
  private readonly blocks: LayerBlocks;
  private readonly diagram = networkDiagram('spec-diagram');
  private readonly stats = h('p', { class: 'muted stat', id: 'spec-stats', 'aria-live': 'polite' });
  private readonly problem = h('p', { class: 'error-text', id: 'spec-problem', role: 'alert' });
  private saved: SavedSpecs = { specs: [], problems: [] };

  constructor(task: TaskSpec, onChange: () => void) {
    this.task = task;
    this.onChange = onChange;
    this.designs = new DesignSync(browserStore(), savedToken, savedPlayerId);
    this.draft = draftFromSpec(DEFAULT_SPEC);
    const image = networkDims(DEFAULT_SPEC, task).image !== undefined;
    this.templates = image ? [...SPEC_TEMPLATES, ...IMAGE_SPEC_TEMPLATES] : SPEC_TEMPLATES;
    this.template = h('select', { id: 'spec-template' }, h('option', { value: '' }, '(template)'), ...this.templates.map((t) => h('option', { value: t.name }, t.name)));
    this.history = new History(this.draft, { same: sameDraft });
    this.blocks = new LayerBlocks({
      units: (i, v) => this.edit(withLayer(this.draft, i, { units: v }), `units-${i}`),
      activation: (i, v) => this.edit(withLayer(this.draft, i, { activation: v })),
      dropout: (i, v) => this.edit(withLayer(this.draft, i, { dropout: v }), `dropout-${i}`),
      move: (i, delta) => this.edit(withLayerMoved(this.draft, i, delta)),
      remove: (i) => this.edit(withLayerRemoved(this.draft, i)),
      add: () => this.edit(withLayerAdded(this.draft)),
      type: (i, v) => this.edit(withLayerType(this.draft, i, v)),
      field: (i, key, v) => this.edit(withLayer(this.draft, i, { [key]: v }), `${key}-${i}`),
      addConv: () => this.edit(withConvAdded(this.draft)),
    }, { image });

    this.widths.addEventListener('input', () => this.edit(withWidths(this.draft, this.widths.value), 'widths', this.widths));
    this.activation.addEventListener('change', () => this.edit({ ...this.draft, layers: this.draft.layers.map((l) => ({ ...l, activation: this.activation.value as Activation })) }));
    this.optimizer.addEventListener('change', () => this.edit({ ...this.draft, optimizer: this.optimizer.value as OptimizerName }));
    this.learningRate.addEventListener('input', () => this.edit({ ...this.draft, learningRate: this.learningRate.value }, 'lr'));
    this.batchSize.addEventListener('input', () => this.edit({ ...this.draft, batchSize: this.batchSize.value }, 'batch'));
    this.l2.addEventListener('input', () => this.edit({ ...this.draft, l2: this.l2.value }, 'l2'));
    this.patience.addEventListener('input', () => this.edit({ ...this.draft, patience: this.patience.value }, 'patience'));
    this.template.addEventListener('change', () => {
      const t = this.templates.find((x) => x.name === this.template.value);
      if (t) this.setSpec(t.spec);
    });
    this.undoBtn.addEventListener('click', () => this.undo());
    this.redoBtn.addEventListener('click', () => this.redo());
    this.saveBtn.addEventListener('click', () => this.save());
    this.saveName.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.stopPropagation(); // Enter here saves; it must not also enter the spec in the room
      e.preventDefault();
      this.save();
    });

    const featureBox = h('fieldset', { class: 'features', id: 'spec-features', 'data-field': 'features' }, h('legend', {}, 'Input features'));
    for (const f of InputFeature.options) {
      const box = h('input', { type: 'checkbox', id: `spec-feature-${f}`, value: f });
      box.addEventListener('change', () => {
        const chosen = InputFeature.options.filter((o) => (o === f ? box.checked : this.draft.features.includes(o)));
        this.edit({ ...this.draft, features: chosen });
      });
      this.features.set(f, box);
      featureBox.append(h('label', { class: 'check', for: `spec-feature-${f}` }, box, FEATURE_LABELS[f]));
    }

    const field = (id: string, text: string, control: HTMLElement) => h('div', {}, h('label', { for: id }, text), control);
    this.element = h(
      'div',
      { class: 'spec-editor' },
      h('div', { class: 'row spec-start' }, field('spec-template', 'Template', this.template), h('div', { class: 'history-buttons' }, this.undoBtn, this.redoBtn)),
      h('div', { class: 'saved-box' }, h('div', { class: 'row save-row' }, this.saveName, this.saveBtn), this.savedList, this.savedNote),
      h('label', { for: 'spec-layers' }, 'Hidden layer widths (comma separated)'),
      this.widths,
      this.blocks.element,
      this.diagram,
      h('div', { class: 'row' }, field('spec-activation', 'Activation (all layers)', this.activation), field('spec-optimizer', 'Optimizer', this.optimizer)),
      h('div', { class: 'row' }, field('spec-lr', 'Learning rate', this.learningRate), field('spec-batch', 'Batch size', this.batchSize), field('spec-l2', 'L2 penalty', this.l2), field('spec-patience', 'Early stop after (samples)', this.patience)),
      ...(isPlanar(task.name) ? [featureBox] : []),
      this.stats,
      this.problem,
    );
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.loadSaved();
    this.render();
  }

  /** Saves the spec in the form under `name` (a shared design's "Save a copy"). */
  saveAs(name: string): void {
    this.saveName.value = name;
    this.save();
  }

  /** Fills the form from a spec, as one undoable step. */
  setSpec(spec: ModelSpec): void {
    this.edit(draftFromSpec(spec));
  }

  /** The spec in the form, or the first problem with it. */
  read(): { spec: ModelSpec } | { error: string } {
    const r = readDraft(this.draft, this.task);
    return 'spec' in r ? r : { error: r.problems[0]!.message };
  }

  /** Disables (or enables again) everything that changes the spec; saving and deleting saved specs stay available. */
  setDisabled(disabled: boolean): void {
    this.disabled = disabled;
    this.render();
  }

  private edit(next: SpecDraft, key?: string, source?: HTMLElement): void {
    if (sameDraft(next, this.draft)) return;
    this.draft = next;
    this.history.record(next, key);
    this.render(source);
    this.onChange();
  }

  private undo(): void {
    const d = this.history.undo();
    if (!d) return;
    this.draft = d;
    this.render();
    this.onChange();
  }

  private redo(): void {
    const d = this.history.redo();
    if (!d) return;
    this.draft = d;
    this.render();
    this.onChange();
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement;
    // Enter or Space on a designer button presses it; the page's shortcuts must not also see it.
    if (target.tagName === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) e.stopPropagation();
    if (!(e.ctrlKey || e.metaKey) || e.altKey || this.disabled) return;
    const key = e.key.toLowerCase();
    if (key === 'z' && !e.shiftKey) this.undo();
    else if ((key === 'z' && e.shiftKey) || key === 'y') this.redo();
    else return;
    e.preventDefault();
  }

  /** Shows the draft in every field but `source` (the one being typed in), and the figures or problems. */
  private render(source?: HTMLElement): void {
    const d = this.draft;
    const set = (el: HTMLInputElement | HTMLSelectElement, value: string) => {
      if (el !== source && el.value !== value) el.value = value;
    };
    set(this.widths, widthsText(d));
    set(this.activation, sharedActivation(d) ?? MIXED);
    set(this.optimizer, d.optimizer);
    set(this.learningRate, d.learningRate);
    set(this.batchSize, d.batchSize);
    set(this.l2, d.l2);
    set(this.patience, d.patience ?? '');
    for (const [f, box] of this.features) box.checked = d.features.includes(f);
    const r = readDraft(d, this.task);
    this.blocks.update(d.layers, this.disabled, 'spec' in r ? this.layerNotes(r.spec) : []);

    const controls = [this.widths, this.activation, this.optimizer, this.learningRate, this.batchSize, this.l2, this.patience, this.template, ...this.features.values()];
    for (const c of controls) c.disabled = this.disabled;
    this.undoBtn.disabled = this.disabled || !this.history.canUndo;
    this.redoBtn.disabled = this.disabled || !this.history.canRedo;
    for (const b of this.savedList.querySelectorAll<HTMLButtonElement>('button.load')) b.disabled = this.disabled;

    const invalid = new Set('problems' in r ? r.problems.map((p) => p.field) : []);
    const layerProblem = [...invalid].some((f) => f.startsWith('layers'));
    this.widths.setAttribute('aria-invalid', String(layerProblem));
    for (const c of [this.learningRate, this.batchSize, this.l2, this.patience]) c.setAttribute('aria-invalid', String(invalid.has(c.dataset.field!)));
    this.blocks.markInvalid(invalid);
    const units = d.layers.map((l) => Math.max(0, Number(l.units) || 0));
    if ('problems' in r) {
      this.problem.textContent = [...new Set(r.problems.map((p) => p.message))].slice(0, 3).join('\n');
      this.stats.textContent = '';
      this.saveBtn.disabled = true;
      this.diagram.classList.add('invalid');
      const { inputDim, outputDim } = networkDims(DEFAULT_SPEC, this.task);
      drawNetworkDiagram(this.diagram, [isPlanar(this.task.name) ? d.features.length : inputDim, ...units, outputDim]);
    } else {
      const { inputDim, outputDim, image } = networkDims(r.spec, this.task);
      this.problem.textContent = '';
      this.stats.textContent = specFigures(r.spec, this.task).text;
      this.saveBtn.disabled = false;
      this.diagram.classList.remove('invalid');
      // Each layer's outputs per sample (a conv layer's feature maps count every value).
      const sizes = planSpec(r.spec, inputDim, outputDim, image).layers.map((l) => l.size);
      drawNetworkDiagram(this.diagram, [inputDim, ...sizes]);
      units.splice(0, units.length, ...sizes.slice(0, -1));
    }
    this.diagram.setAttribute('aria-label', `Network diagram: ${this.diagramWords(units)}`);
  }

  /** Under each layer of a valid spec: its output shape and parameters, e.g. `→ 26×26×8 · 80 parameters`. */
  private layerNotes(spec: ModelSpec): string[] {
    const { inputDim, outputDim, image } = networkDims(spec, this.task);
    return planSpec(spec, inputDim, outputDim, image).layers.map((l) => `→ ${l.shape.join('×')}${l.params > 0 ? ` · ${l.params.toLocaleString('en')} parameters` : ''}`);
  }

  private diagramWords(units: number[]): string {
    return ['input', ...units.map(String), 'output'].join(' → ');
  }

  private loadSaved(): void {
    this.saved = this.designs.local();
    this.renderSaved();
    if (!this.designs.signedIn) return;
    this.savedList.setAttribute('aria-busy', 'true');
    void this.designs.pull().then((r) => {
      this.saved = r.saved;
      this.savedList.setAttribute('aria-busy', 'false');
      this.savedList.dataset.synced = 'true';
      this.renderSaved(r.note);
    });
  }

  private save(): void {
    const r = readDraft(this.draft, this.task);
    if ('problems' in r) return;
    const name = this.saveName.value.trim();
    this.saveBtn.disabled = true;
    void this.designs.save(name, r.spec).then((result) => {
      this.render(); // enables Save again when the form still holds a valid spec
      if ('error' in result) {
        this.savedNote.textContent = result.error;
        return;
      }
      this.saved = result.saved;
      this.saveName.value = '';
      this.renderSaved(result.note);
    });
  }

  private share(s: SavedSpec, button: HTMLButtonElement): void {
    if (!s.shareId) return;
    const link = shareLink(s.shareId);
    button.closest('li')?.setAttribute('data-share-url', link);
    const told = (copied: boolean) => (this.savedNote.textContent = copied ? `Link to "${s.name}" copied: ${link}` : `Link to "${s.name}": ${link}`);
    // The clipboard may be refused (no permission, no secure context): the link is shown either way.
    navigator.clipboard?.writeText(link).then(() => told(true), () => told(false)) ?? told(false);
  }

  private renderSaved(note?: string): void {
    this.savedList.replaceChildren(
      ...this.saved.specs.map((s) => {
        const load = h('button', { type: 'button', class: 'ghost small load', title: `Load "${s.name}"` }, s.name);
        const share = h(
          'button',
          { type: 'button', class: 'ghost icon share', 'aria-label': `Share saved spec "${s.name}"`, title: s.shareId ? `Copy a link to "${s.name}"` : 'Sharing needs the spec on your account: play once to have one' },
          'Share',
        );
        const del = h('button', { type: 'button', class: 'ghost icon delete', 'aria-label': `Delete saved spec "${s.name}"`, title: `Delete "${s.name}"` }, '×');
        load.disabled = this.disabled;
        share.disabled = !s.shareId;
        load.addEventListener('click', () => {
          this.setSpec(s.spec);
          this.savedNote.textContent = `Loaded "${s.name}".`;
        });
        share.addEventListener('click', () => this.share(s, share));
        del.addEventListener('click', () => {
          void this.designs.remove(s.name).then((r) => {
            this.saved = r.saved;
            this.renderSaved(r.note);
            this.saveName.focus();
          });
        });
        return h('li', { 'data-name': s.name, ...(s.shareId ? { 'data-share-id': s.shareId } : {}) }, load, share, del);
      }),
    );
    this.savedNote.textContent = [note, ...this.saved.problems].filter(Boolean).join(' ') || (this.saved.specs.length ? '' : 'No saved specs yet.');
  }
}
