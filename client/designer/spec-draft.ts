/**
 * The designer's form state as the player typed it (numbers kept as text, so
 * undo gives back exactly what was there), and the pure steps between it and
 * a validated {@link ModelSpec}: reading it, describing its problems in words,
 * and keeping the quick widths field and the layer blocks in step.
 */
import type { z } from 'zod';
import { type Activation, type Initializer, type InputFeature, type LayerSpec, type LayerType, ModelSpec, type OptimizerName } from '../../shared/model-spec.schema.ts';
import { parameterCount, trainFlopsPerSample, trainingMemoryBytes } from '../../shared/model-spec.metrics.ts';
import { networkDims } from '../../shared/network-dims.ts';
import type { TaskSpec } from '../../shared/task.schema.ts';
import { checkSpecSize } from '../../shared/validation.ts';

/** One layer as typed. Dense layers have no `type`; conv2d, maxPool2d and flatten layers keep dense fields unused. */
export interface LayerDraft {
  type?: 'conv2d' | 'maxPool2d' | 'flatten';
  units: string;
  activation: Activation;
  dropout: string;
  /** conv2d: feature maps. */
  filters?: string;
  /** conv2d: kernel side. */
  kernelSize?: string;
  /** conv2d: step between kernel positions. */
  strides?: string;
  /** maxPool2d: window side. */
  poolSize?: string;
}

export interface SpecDraft {
  layers: LayerDraft[];
  optimizer: OptimizerName;
  learningRate: string;
  batchSize: string;
  l2: string;
  features: InputFeature[];
  /** Early stopping's patience in samples; empty for none. */
  patience: string;
  /** Not edited here; kept from a template or saved spec so loading it round-trips. */
  l1: number;
  initializer: Initializer;
}

/** A validation problem: the dotted field it belongs to (e.g. `layers.1.units`) and a sentence in words. */
export interface DraftProblem {
  field: string;
  message: string;
}

/** The form state that shows this spec. */
export function draftFromSpec(spec: ModelSpec): SpecDraft {
  return {
    layers: spec.layers.map(layerDraftOf),
    optimizer: spec.optimizer,
    learningRate: String(spec.learningRate),
    batchSize: String(spec.batchSize),
    l2: String(spec.l2),
    features: [...spec.features],
    patience: spec.earlyStopping ? String(spec.earlyStopping.patience) : '',
    l1: spec.l1,
    initializer: spec.initializer,
  };
}

/** The form state of one layer. */
export function layerDraftOf(l: LayerSpec): LayerDraft {
  switch (l.type) {
    case 'conv2d':
      return { type: 'conv2d', filters: String(l.filters), kernelSize: String(l.kernelSize), strides: String(l.strides), activation: l.activation, units: '', dropout: '0' };
    case 'maxPool2d':
      return { type: 'maxPool2d', poolSize: String(l.poolSize), units: '', activation: 'relu', dropout: '0' };
    case 'flatten':
      return { type: 'flatten', units: '', activation: 'relu', dropout: '0' };
    default:
      return { units: String(l.units), activation: l.activation, dropout: String(l.dropout) };
  }
}

/** One layer draft as the unvalidated object the schema parses (a dense layer without `type`, as specs were before conv layers). */
function layerToRaw(l: LayerDraft): unknown {
  switch (l.type) {
    case 'conv2d':
      return { type: 'conv2d', filters: num(l.filters ?? ''), kernelSize: num(l.kernelSize ?? ''), strides: num(l.strides ?? '1'), activation: l.activation };
    case 'maxPool2d':
      return { type: 'maxPool2d', poolSize: num(l.poolSize ?? '') };
    case 'flatten':
      return { type: 'flatten' };
    default:
      return { units: num(l.units), activation: l.activation, dropout: num(l.dropout) };
  }
}

/** Text to number; an empty field is NaN so the schema says it must be a number. */
function num(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

/** The draft as the unvalidated object the schema parses. */
export function draftToRaw(d: SpecDraft): unknown {
  return {
    layers: d.layers.map(layerToRaw),
    optimizer: d.optimizer,
    learningRate: num(d.learningRate),
    batchSize: num(d.batchSize),
    l1: d.l1,
    l2: num(d.l2),
    initializer: d.initializer,
    features: d.features,
    ...((d.patience ?? '').trim() === '' ? {} : { earlyStopping: { patience: num(d.patience) } }),
  };
}

const WORDS: Record<string, string> = { learningRate: 'learning rate', batchSize: 'batch size', l2: 'L2 penalty', l1: 'L1 penalty', patience: 'early stopping patience' };

/** One zod issue as a sentence that names the field in words. */
function describeIssue(issue: z.ZodError['issues'][number]): DraftProblem {
  const path = issue.path.map(String);
  const field = path.join('.');
  if (path[0] === 'layers' && path.length >= 3) {
    const which = `(layer ${Number(path[1]) + 1})`;
    if (path[2] === 'units') return { field, message: `layer width: ${issue.message} ${which}` };
    return { field, message: `layer ${path[2]}: ${issue.message} ${which}` };
  }
  if (path[0] === 'features') return { field: 'features', message: 'pick at least one input feature' };
  let message = issue.message;
  for (const [name, words] of Object.entries(WORDS)) message = message.replace(new RegExp(`\\b${name}\\b`), words);
  return { field, message };
}

/** The spec in the draft, or every problem with it (the first one is the one to show first). */
export function readDraft(d: SpecDraft, task: TaskSpec): { spec: ModelSpec } | { problems: DraftProblem[] } {
  const parsed = ModelSpec.safeParse(draftToRaw(d));
  if (!parsed.success) return { problems: parsed.error.issues.map(describeIssue) };
  const tooLarge = checkSpecSize(parsed.data, task);
  if (tooLarge) return { problems: [{ field: tooLarge.field.replace(/^spec\./, ''), message: tooLarge.message.slice(tooLarge.field.length + 2) }] };
  return { spec: parsed.data };
}

/** 1234 → "1.2k", as the stats line shows counts. */
export function formatCount(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${n}`;
}

/** Parameters, training FLOPs per sample and training memory of a spec on a task, and the line that shows them. */
export function specFigures(spec: ModelSpec, task: TaskSpec): { params: number; flops: number; memoryBytes: number; text: string } {
  const { inputDim, outputDim, image } = networkDims(spec, task);
  const params = parameterCount(spec, inputDim, outputDim, image);
  const flops = trainFlopsPerSample(spec, inputDim, outputDim, image);
  const memoryBytes = trainingMemoryBytes(spec, inputDim, outputDim, image);
  return { params, flops, memoryBytes, text: `${formatCount(params)} parameters · ${formatCount(flops)} FLOPs per sample · ${formatCount(memoryBytes)}B while training` };
}

/** The quick widths field's text for a draft: "32, 32" (the dense layers' widths; image layers are edited in their blocks). */
export function widthsText(d: SpecDraft): string {
  return d.layers
    .filter((l) => !l.type)
    .map((l) => l.units.trim())
    .join(', ');
}

/**
 * The draft after the player typed `text` in the quick widths field: one layer
 * per comma- or space-separated token. Layers that stay keep their activation
 * and dropout; new ones copy the last layer's activation, with no dropout.
 */
export function withWidths(d: SpecDraft, text: string): SpecDraft {
  const tokens = text.split(/[,\s]+/).filter(Boolean);
  const image = d.layers.filter((l) => l.type); // conv2d, maxPool2d and flatten come first and stay
  const dense = d.layers.filter((l) => !l.type);
  const fallback = dense.at(-1)?.activation ?? 'relu';
  return { ...d, layers: [...image, ...tokens.map((units, i) => ({ activation: dense[i]?.activation ?? fallback, dropout: dense[i]?.dropout ?? '0', units }))] };
}

/** The draft with a dense layer added after the last one, as wide and with the same activation as the last dense layer. */
export function withLayerAdded(d: SpecDraft): SpecDraft {
  const last = d.layers.filter((l) => !l.type).at(-1);
  return { ...d, layers: [...d.layers, { units: last?.units.trim() || '16', activation: last?.activation ?? 'relu', dropout: '0' }] };
}

/** The draft with layer `i` removed. */
export function withLayerRemoved(d: SpecDraft, i: number): SpecDraft {
  return { ...d, layers: d.layers.filter((_, j) => j !== i) };
}

/** The draft with layer `i` moved by `delta` places (unchanged when that leaves the list). */
export function withLayerMoved(d: SpecDraft, i: number, delta: number): SpecDraft {
  const j = i + delta;
  if (i < 0 || j < 0 || i >= d.layers.length || j >= d.layers.length) return d;
  const layers = [...d.layers];
  [layers[i], layers[j]] = [layers[j]!, layers[i]!];
  return { ...d, layers };
}

/** The draft with one field of layer `i` changed. */
export function withLayer(d: SpecDraft, i: number, change: Partial<LayerDraft>): SpecDraft {
  return { ...d, layers: d.layers.map((l, j) => (j === i ? { ...l, ...change } : l)) };
}

/** The one activation every layer shares, or undefined when they differ. */
export function sharedActivation(d: SpecDraft): Activation | undefined {
  const active = d.layers.filter((l) => !l.type || l.type === 'conv2d');
  const first = active[0]?.activation;
  return active.every((l) => l.activation === first) ? first : undefined;
}

/** Two drafts hold the same values. */
export function sameDraft(a: SpecDraft, b: SpecDraft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The draft with layer `i` turned into a layer of `type`, its fields filled with a small default where empty. */
export function withLayerType(d: SpecDraft, i: number, type: LayerType): SpecDraft {
  return {
    ...d,
    layers: d.layers.map((l, j) => {
      if (j !== i) return l;
      const { type: _old, ...rest } = l;
      if (type === 'dense') return { ...rest, units: rest.units || '16' };
      if (type === 'conv2d') return { ...rest, type, filters: rest.filters || '8', kernelSize: rest.kernelSize || '3', strides: rest.strides || '1' };
      if (type === 'maxPool2d') return { ...rest, type, poolSize: rest.poolSize || '2' };
      return { ...rest, type };
    }),
  };
}

/**
 * The draft with a conv2d layer (8 filters of 3×3, ReLU) and a 2×2 max pool
 * added after the last image layer, before the dense layers, with a flatten
 * after them when there is none yet.
 */
export function withConvAdded(d: SpecDraft): SpecDraft {
  const flatten = d.layers.findIndex((l) => l.type === 'flatten');
  const at = flatten >= 0 ? flatten : d.layers.findIndex((l) => !l.type || l.type === 'flatten');
  const where = at < 0 ? d.layers.length : at;
  const added: LayerDraft[] = [
    { type: 'conv2d', filters: '8', kernelSize: '3', strides: '1', activation: 'relu', units: '', dropout: '0' },
    { type: 'maxPool2d', poolSize: '2', units: '', activation: 'relu', dropout: '0' },
    ...(flatten >= 0 ? [] : [{ type: 'flatten' as const, units: '', activation: 'relu' as const, dropout: '0' }]),
  ];
  return { ...d, layers: [...d.layers.slice(0, where), ...added, ...d.layers.slice(where)] };
}
