/**
 * The designer's block list: one row per hidden layer with its width,
 * activation and dropout, buttons to move it up or down and to remove it, and
 * "Add layer". Rows are reused by position so focus and caret survive edits.
 */
import { Activation, MAX_LAYERS, MAX_UNITS } from '../../shared/model-spec.schema.ts';
import { h } from '../shell/dom.ts';
import type { LayerDraft } from './spec-draft.ts';

/** What the block list asks its owner to do; `i` is the layer's position from 0. */
export interface LayerBlockActions {
  units(i: number, value: string): void;
  activation(i: number, value: Activation): void;
  dropout(i: number, value: string): void;
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
  up: HTMLButtonElement;
  down: HTMLButtonElement;
  remove: HTMLButtonElement;
}

export class LayerBlocks {
  readonly element: HTMLElement;
  readonly addButton = h('button', { type: 'button', id: 'spec-add-layer', class: 'ghost small' }, '+ Add layer');
  private readonly list = h('ol', { id: 'spec-blocks', class: 'layer-blocks' });
  private readonly rows: Row[] = [];
  private readonly actions: LayerBlockActions;

  constructor(actions: LayerBlockActions) {
    this.actions = actions;
    this.addButton.addEventListener('click', () => actions.add());
    this.element = h(
      'fieldset',
      { class: 'blocks' },
      h('legend', {}, 'Layers'),
      h('div', { class: 'layer-block head', 'aria-hidden': 'true' }, h('span', {}, '#'), h('span', {}, 'Units'), h('span', {}, 'Activation'), h('span', {}, 'Dropout'), h('span', {}, '')),
      this.list,
      this.addButton,
    );
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
    const li = h('li', { class: 'layer-block', 'data-layer': String(i) }, index, units, activation, dropout, h('span', { class: 'block-buttons' }, up, down, remove));
    return { li, index, units, activation, dropout, up, down, remove };
  }

  /** Shows these layers; a field that already holds its value is left alone, so typing in it is not disturbed. */
  update(layers: readonly LayerDraft[], disabled: boolean): void {
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
      row.up.disabled = disabled || i === 0;
      row.down.disabled = disabled || i === layers.length - 1;
      row.remove.disabled = disabled || layers.length <= 1;
    });
    this.addButton.disabled = disabled || layers.length >= MAX_LAYERS;
  }

  /** Marks the fields named in `fields` (e.g. `layers.1.units`) as invalid. */
  markInvalid(fields: ReadonlySet<string>): void {
    for (const row of this.rows) for (const c of [row.units, row.activation, row.dropout]) c.setAttribute('aria-invalid', String(fields.has(c.dataset.field!)));
  }
}
