/**
 * The designer's block list: one row per hidden layer with its width,
 * activation and dropout, buttons to move it up or down and to remove it, and
 * "Add layer". On image tasks each row also has a type (dense, conv2d,
 * maxPool2d, flatten) with that type's fields, a note under it with the
 * layer's output shape and parameters, and "Add conv layer".
 * Rows are reused by position so focus and caret survive edits.
 */
import { Activation, LAYER_TYPES, MAX_FILTERS, MAX_KERNEL, MAX_LAYERS, MAX_UNITS, type LayerType } from '../../shared/model-spec.schema.ts';
import { h } from '../shell/dom.ts';
import type { LayerDraft } from './spec-draft.ts';

/** What the block list asks its owner to do; `i` is the layer's position from 0. */
export interface LayerBlockActions {
  units(i: number, value: string): void;
  activation(i: number, value: Activation): void;
  dropout(i: number, value: string): void;
  /** Image tasks: the layer's type, or one of its conv2d / maxPool2d fields. */
  type?(i: number, value: LayerType): void;
  field?(i: number, key: 'filters' | 'kernelSize' | 'strides' | 'poolSize', value: string): void;
  /** Image tasks: adds a conv2d and a maxPool2d layer before the dense layers (and a flatten when there is none). */
  addConv?(): void;
  move(i: number, delta: -1 | 1): void;
  remove(i: number): void;
  add(): void;
}

interface Row {
  li: HTMLLIElement;
  index: HTMLSpanElement;
  units: HTMLInputElement;
  activation: HTMLSelectElement;
  dropout: HTMLInputElement;
  type?: HTMLSelectElement;
  filters?: HTMLInputElement;
  kernelSize?: HTMLInputElement;
  strides?: HTMLInputElement;
  poolSize?: HTMLInputElement;
  note?: HTMLSpanElement;
  up: HTMLButtonElement;
  down: HTMLButtonElement;
  remove: HTMLButtonElement;
}

export class LayerBlocks {
  readonly element: HTMLElement;
  readonly addButton = h('button', { type: 'button', id: 'spec-add-layer', class: 'ghost small' }, '+ Add layer');
  private readonly list = h('ol', { id: 'spec-blocks', class: 'layer-blocks' });
  private readonly rows: Row[] = [];
  readonly addConvButton = h('button', { type: 'button', id: 'spec-add-conv', class: 'ghost small' }, '+ Add conv layer');
  private readonly actions: LayerBlockActions;
  /** Whether rows offer conv2d, maxPool2d and flatten (tasks whose inputs are images). */
  private readonly image: boolean;

  constructor(actions: LayerBlockActions, options: { image?: boolean } = {}) {
    this.actions = actions;
    this.image = options.image ?? false;
    this.addButton.addEventListener('click', () => actions.add());
    this.addConvButton.addEventListener('click', () => actions.addConv?.());
    if (this.image) this.list.classList.add('image');
    const head = this.image
      ? h('div', { class: 'layer-block image head', 'aria-hidden': 'true' }, h('span', {}, '#'), h('span', {}, 'Type'), h('span', {}, 'Size'), h('span', {}, 'Activation'), h('span', {}, 'Dropout'), h('span', {}, ''))
      : h('div', { class: 'layer-block head', 'aria-hidden': 'true' }, h('span', {}, '#'), h('span', {}, 'Units'), h('span', {}, 'Activation'), h('span', {}, 'Dropout'), h('span', {}, ''));
    this.element = h('fieldset', { class: 'blocks' }, h('legend', {}, 'Layers'), head, this.list, h('div', { class: 'row' }, this.addButton, ...(this.image ? [this.addConvButton] : [])));
  }

  private makeRow(i: number): Row {
    const n = String(i + 1);
    const units = h('input', { type: 'number', min: '1', max: String(MAX_UNITS), step: '1', inputmode: 'numeric', class: 'block-units', 'data-field': `layers.${i}.units`, 'aria-label': `Layer ${n} units` });
    const activation = h('select', { class: 'block-activation', 'data-field': `layers.${i}.activation`, 'aria-label': `Layer ${n} activation` }, ...Activation.options.map((o) => h('option', { value: o }, o)));
    const dropout = h('input', { type: 'number', min: '0', max: '0.9', step: '0.05', class: 'block-dropout', 'data-field': `layers.${i}.dropout`, 'aria-label': `Layer ${n} dropout` });
    const button = (cls: string, label: string, text: string) => h('button', { type: 'button', class: `ghost icon ${cls}`, 'aria-label': label, title: label }, text);
    const up = button('block-up', `Move layer ${n} up`, '↑');
    const down = button('block-down', `Move layer ${n} down`, '↓');
    const remove = button('block-remove', `Remove layer ${n}`, '×');
    units.addEventListener('input', () => this.actions.units(i, units.value));
    activation.addEventListener('change', () => this.actions.activation(i, activation.value as Activation));
    dropout.addEventListener('input', () => this.actions.dropout(i, dropout.value));
    up.addEventListener('click', () => {
      this.actions.move(i, -1);
      this.rows[i - 1]?.[i - 1 === 0 ? 'down' : 'up'].focus();
    });
    down.addEventListener('click', () => {
      this.actions.move(i, 1);
      this.rows[i + 1]?.[i + 1 === this.rows.length - 1 ? 'up' : 'down'].focus();
    });
    remove.addEventListener('click', () => {
      this.actions.remove(i);
      (this.rows[i]?.remove ?? this.rows[i - 1]?.remove ?? this.addButton).focus();
    });
    const index = h('span', { class: 'block-index' }, n);
    const buttons = h('span', { class: 'block-buttons' }, up, down, remove);
    if (!this.image) {
      const li = h('li', { class: 'layer-block', 'data-layer': String(i) }, index, units, activation, dropout, buttons);
      return { li, index, units, activation, dropout, up, down, remove };
    }
    const type = h('select', { class: 'block-type', 'data-field': `layers.${i}.type`, 'aria-label': `Layer ${n} type` }, ...LAYER_TYPES.map((t) => h('option', { value: t }, t)));
    type.addEventListener('change', () => this.actions.type?.(i, type.value as LayerType));
    const size = (key: 'filters' | 'kernelSize' | 'strides' | 'poolSize', label: string, min: number, max: number) => {
      const input = h('input', { type: 'number', min: String(min), max: String(max), step: '1', inputmode: 'numeric', class: `block-${key}`, 'data-field': `layers.${i}.${key}`, 'aria-label': `Layer ${n} ${label}`, title: label });
      input.addEventListener('input', () => this.actions.field?.(i, key, input.value));
      return input;
    };
    const filters = size('filters', 'filters', 1, MAX_FILTERS);
    const kernelSize = size('kernelSize', 'kernel size', 1, MAX_KERNEL);
    const strides = size('strides', 'strides', 1, 4);
    const poolSize = size('poolSize', 'pool size', 2, 4);
    const note = h('span', { class: 'block-note', 'aria-live': 'polite' });
    const sizes = h('span', { class: 'block-sizes' }, units, filters, kernelSize, strides, poolSize);
    const li = h('li', { class: 'layer-block image', 'data-layer': String(i) }, index, type, sizes, activation, dropout, buttons, note);
    return { li, index, units, activation, dropout, type, filters, kernelSize, strides, poolSize, note, up, down, remove };
  }

  /** Shows these layers; a field that already holds its value is left alone, so typing in it is not disturbed. */
  update(layers: readonly LayerDraft[], disabled: boolean, notes: readonly string[] = []): void {
    while (this.rows.length > layers.length) this.rows.pop()!.li.remove();
    while (this.rows.length < layers.length) {
      const row = this.makeRow(this.rows.length);
      this.rows.push(row);
      this.list.append(row.li);
    }
    layers.forEach((layer, i) => {
      const row = this.rows[i]!;
      if (row.units.value !== layer.units) row.units.value = layer.units;
      if (row.activation.value !== layer.activation) row.activation.value = layer.activation;
      if (row.dropout.value !== layer.dropout) row.dropout.value = layer.dropout;
      for (const c of [row.units, row.activation, row.dropout, row.remove]) c.disabled = disabled;
      if (row.type) this.showType(row, layer, disabled, notes[i] ?? '');
      row.up.disabled = disabled || i === 0;
      row.down.disabled = disabled || i === layers.length - 1;
      row.remove.disabled = disabled || layers.length <= 1;
    });
    this.addButton.disabled = disabled || layers.length >= MAX_LAYERS;
    this.addConvButton.disabled = disabled || layers.length + 2 > MAX_LAYERS;
  }

  /** An image task's row: the type's own fields shown, the others hidden, and the note. */
  private showType(row: Row, layer: LayerDraft, disabled: boolean, note: string): void {
    const type = layer.type ?? 'dense';
    if (row.type!.value !== type) row.type!.value = type;
    const fields = { filters: row.filters!, kernelSize: row.kernelSize!, strides: row.strides!, poolSize: row.poolSize! };
    for (const [key, input] of Object.entries(fields)) {
      const value = layer[key as keyof typeof fields] ?? '';
      if (input.value !== value) input.value = value;
      input.hidden = type !== (key === 'poolSize' ? 'maxPool2d' : 'conv2d');
      input.disabled = disabled;
    }
    row.units.hidden = type !== 'dense';
    row.dropout.hidden = type !== 'dense';
    row.activation.hidden = type !== 'dense' && type !== 'conv2d';
    row.type!.disabled = disabled;
    row.note!.textContent = note;
  }

  /** Marks the fields named in `fields` (e.g. `layers.1.units`) as invalid. */
  markInvalid(fields: ReadonlySet<string>): void {
    this.rows.forEach((row, i) => {
      const whole = fields.has(`layers.${i}`); // a problem with the layer as a whole (its place, or its shape on the task)
      const controls = [row.units, row.activation, row.dropout, row.type, row.filters, row.kernelSize, row.strides, row.poolSize].filter((c) => c !== undefined);
      for (const c of controls) c.setAttribute('aria-invalid', String(fields.has(c.dataset.field!)));
      if (row.type) row.type.setAttribute('aria-invalid', String(whole || fields.has(row.type.dataset.field!)));
      row.li.classList.toggle('invalid', whole);
    });
  }
}
