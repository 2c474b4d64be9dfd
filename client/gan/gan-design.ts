import { DEFAULT_GAN_SIDE } from '../../shared/gan.messages.ts';
import { GanSide } from '../../shared/gan.schema.ts';
import { Activation, OptimizerName } from '../../shared/model-spec.schema.ts';
import { describeZodError } from '../../shared/validation.ts';
import { h } from '../shell/dom.ts';

/**
 * A compact form for one side of a GAN: hidden layer widths, activation,
 * optimizer, learning rate and steps per iteration, checked against the
 * shared `GanSide` schema as you type.
 */
export class GanDesignForm {
  readonly element: HTMLElement;
  private readonly layers = h('input', { id: 'gan-layers', value: '', inputmode: 'numeric', 'aria-describedby': 'gan-problem' });
  private readonly activation = h('select', { id: 'gan-activation' }, ...Activation.options.map((a) => h('option', { value: a }, a)));
  private readonly optimizer = h('select', { id: 'gan-optimizer' }, ...OptimizerName.options.map((o) => h('option', { value: o }, o)));
  private readonly learningRate = h('input', { id: 'gan-lr', type: 'number', step: 'any', min: '0', max: '1' });
  private readonly steps = h('input', { id: 'gan-steps', type: 'number', step: '1', min: '1', max: '10' });
  private readonly problem = h('p', { class: 'error-text', id: 'gan-problem', role: 'alert' });

  constructor(onChange: () => void) {
    const field = (id: string, label: string, control: HTMLElement) => h('div', {}, h('label', { for: id }, label), control);
    this.element = h(
      'div',
      { class: 'gan-design' },
      field('gan-layers', 'Hidden layer widths (comma separated)', this.layers),
      h('div', { class: 'row' }, field('gan-activation', 'Activation', this.activation), field('gan-optimizer', 'Optimizer', this.optimizer)),
      h('div', { class: 'row' }, field('gan-lr', 'Learning rate', this.learningRate), field('gan-steps', 'Steps per iteration', this.steps)),
      this.problem,
    );
    this.set(DEFAULT_GAN_SIDE);
    for (const f of [this.layers, this.activation, this.optimizer, this.learningRate, this.steps]) {
      f.addEventListener('input', () => {
        this.check();
        onChange();
      });
    }
  }

  /** Fills the form from a design. */
  set(side: GanSide): void {
    this.layers.value = side.layers.map((l) => l.units).join(', ');
    this.activation.value = side.layers[0]?.activation ?? 'relu';
    this.optimizer.value = side.optimizer;
    this.learningRate.value = String(side.learningRate);
    this.steps.value = String(side.steps);
    this.check();
  }

  /** The design in the form, or the first problem with it in words. */
  read(): { network: GanSide } | { error: string } {
    const number = (v: string) => (v.trim() === '' ? NaN : Number(v));
    const parsed = GanSide.safeParse({
      layers: this.layers.value
        .split(/[,\s]+/)
        .filter(Boolean)
        .map((u) => ({ units: Number(u), activation: this.activation.value })),
      optimizer: this.optimizer.value,
      learningRate: number(this.learningRate.value),
      steps: number(this.steps.value),
    });
    if (!parsed.success) return { error: describeZodError(parsed.error).message.replace(/^layers\.\d+\.units/, 'layer width') };
    return { network: parsed.data };
  }

  private check(): void {
    const r = this.read();
    this.problem.textContent = 'error' in r ? r.error : '';
    this.layers.setAttribute('aria-invalid', String('error' in r && /layer/.test(r.error)));
  }

  setDisabled(disabled: boolean): void {
    for (const f of [this.layers, this.activation, this.optimizer, this.learningRate, this.steps]) f.disabled = disabled;
  }
}
