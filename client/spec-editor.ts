import { Activation, ModelSpec, OptimizerName } from '../shared/model-spec.schema.ts';
import { parameterCount, trainFlopsPerSample, trainingMemoryBytes } from '../shared/model-spec.metrics.ts';
import { SPEC_TEMPLATES } from '../shared/spec-templates.ts';
import type { TaskSpec } from '../shared/task.schema.ts';
import { networkDims } from '../shared/network-dims.ts';
import { checkSpecSize, describeZodError } from '../shared/validation.ts';
import { h } from './dom.ts';

function formatCount(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${n}`;
}

/**
 * A small model designer: hidden layer widths, activation, optimizer,
 * learning rate and batch size, with the parameter count, FLOPs and memory
 * shown live and every problem explained as you type.
 */
export class SpecEditor {
  readonly element: HTMLElement;
  private readonly fields: Record<'layers' | 'activation' | 'optimizer' | 'learningRate' | 'batchSize', HTMLInputElement | HTMLSelectElement>;
  private readonly stats = h('p', { class: 'muted stat', id: 'spec-stats' });
  private readonly problem = h('p', { class: 'error-text', id: 'spec-problem', role: 'alert' });
  private readonly task: TaskSpec;
  private readonly onChange: () => void;

  constructor(task: TaskSpec, onChange: () => void) {
    this.task = task;
    this.onChange = onChange;
    const select = (id: string, options: readonly string[]) => h('select', { id }, ...options.map((o) => h('option', { value: o }, o)));
    this.fields = {
      layers: h('input', { id: 'spec-layers', value: '16, 16', inputmode: 'numeric', 'aria-describedby': 'spec-problem' }),
      activation: select('spec-activation', Activation.options),
      optimizer: select('spec-optimizer', OptimizerName.options),
      learningRate: h('input', { id: 'spec-lr', type: 'number', step: 'any', min: '0', value: '0.01' }),
      batchSize: h('input', { id: 'spec-batch', type: 'number', step: '1', min: '1', value: '32' }),
    };
    const template = select('spec-template', ['(template)', ...SPEC_TEMPLATES.map((t) => t.name)]);
    template.addEventListener('change', () => {
      const t = SPEC_TEMPLATES.find((x) => x.name === template.value);
      if (t) this.setSpec(t.spec);
    });
    this.element = h(
      'div',
      { class: 'spec-editor' },
      h('label', { for: 'spec-template' }, 'Start from a template'),
      template,
      h('label', { for: 'spec-layers' }, 'Hidden layer widths (comma separated)'),
      this.fields.layers,
      h('div', { class: 'row' }, h('div', {}, h('label', { for: 'spec-activation' }, 'Activation'), this.fields.activation), h('div', {}, h('label', { for: 'spec-optimizer' }, 'Optimizer'), this.fields.optimizer)),
      h('div', { class: 'row' }, h('div', {}, h('label', { for: 'spec-lr' }, 'Learning rate'), this.fields.learningRate), h('div', {}, h('label', { for: 'spec-batch' }, 'Batch size'), this.fields.batchSize)),
      this.stats,
      this.problem,
    );
    (this.fields.activation as HTMLSelectElement).value = 'relu';
    (this.fields.optimizer as HTMLSelectElement).value = 'adam';
    for (const f of Object.values(this.fields)) f.addEventListener('input', () => this.refresh());
    this.refresh(false);
  }

  /** Fills the form from a spec. */
  setSpec(spec: ModelSpec): void {
    this.fields.layers.value = spec.layers.map((l) => l.units).join(', ');
    this.fields.activation.value = spec.layers[0]?.activation ?? 'relu';
    this.fields.optimizer.value = spec.optimizer;
    this.fields.learningRate.value = String(spec.learningRate);
    this.fields.batchSize.value = String(spec.batchSize);
    this.refresh();
  }

  private raw(): unknown {
    const widths = this.fields.layers.value.split(/[,\s]+/).filter(Boolean).map(Number);
    return {
      layers: widths.map((units) => ({ units, activation: this.fields.activation.value })),
      optimizer: this.fields.optimizer.value,
      learningRate: this.fields.learningRate.value === '' ? NaN : Number(this.fields.learningRate.value),
      batchSize: this.fields.batchSize.value === '' ? NaN : Number(this.fields.batchSize.value),
    };
  }

  /** The spec in the form, or the first problem with it. */
  read(): { spec: ModelSpec } | { error: string } {
    const parsed = ModelSpec.safeParse(this.raw());
    if (!parsed.success) return { error: describeZodError(parsed.error).message.replace(/^layers\.\d+\.units/, 'layer width') };
    const tooLarge = checkSpecSize(parsed.data, this.task);
    if (tooLarge) return { error: tooLarge.message };
    return { spec: parsed.data };
  }

  /** Re-validates the form and updates the figures; tells the owner unless `notify` is false. */
  private refresh(notify = true): void {
    const r = this.read();
    this.fields.layers.setAttribute('aria-invalid', String('error' in r));
    if ('error' in r) {
      this.problem.textContent = r.error;
      this.stats.textContent = '';
    } else {
      const { inputDim, outputDim } = networkDims(r.spec, this.task);
      const params = parameterCount(r.spec, inputDim, outputDim);
      const flops = trainFlopsPerSample(r.spec, inputDim, outputDim);
      const mem = trainingMemoryBytes(r.spec, inputDim, outputDim);
      this.problem.textContent = '';
      this.stats.textContent = `${formatCount(params)} parameters · ${formatCount(flops)} FLOPs per sample · ${formatCount(mem)}B while training`;
    }
    if (notify) this.onChange();
  }

  setDisabled(disabled: boolean): void {
    for (const f of Object.values(this.fields)) f.disabled = disabled;
  }
}
