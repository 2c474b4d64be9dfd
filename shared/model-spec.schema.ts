import { z } from 'zod';

/** Activations a dense layer may use. */
export const Activation = z.enum(['relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid', 'linear', 'swish']);
export type Activation = z.infer<typeof Activation>;

/** Optimizers a run may use. */
export const OptimizerName = z.enum(['sgd', 'momentum', 'adam', 'rmsprop']);
export type OptimizerName = z.infer<typeof OptimizerName>;

/** Widest hidden layer a spec may ask for. */
export const MAX_UNITS = 1024;
/** Deepest network a spec may ask for (hidden layers). */
export const MAX_LAYERS = 16;
/** Largest model, in trainable parameters, the arena will train. */
export const MAX_PARAMETERS = 1_000_000;

/** Input features a 2D task's network may see (TensorFlow Playground's set). */
export const InputFeature = z.enum(['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2']);
export type InputFeature = z.infer<typeof InputFeature>;

/** How a layer's weights start: `auto` is He-normal for ReLU-like activations, Glorot-normal otherwise. */
export const Initializer = z.enum(['auto', 'heNormal', 'glorotNormal', 'glorotUniform', 'lecunNormal']);
export type Initializer = z.infer<typeof Initializer>;

export const DenseLayerSpec = z.object({
  /** Optional: a layer without a `type` is dense (specs written before conv layers existed). */
  type: z.literal('dense').optional(),
  units: z
    .number({ error: 'units must be a number' })
    .int('units must be a whole number')
    .min(1, 'units must be at least 1')
    .max(MAX_UNITS, `units must be at most ${MAX_UNITS}`),
  activation: Activation,
  /** Share of this layer's outputs dropped while training (0 = none). */
  dropout: z.number({ error: 'dropout must be a number' }).min(0, 'dropout must be at least 0').max(0.9, 'dropout must be at most 0.9').default(0),
});
export type DenseLayerSpec = z.infer<typeof DenseLayerSpec>;

/** Most filters a conv2d layer may have. */
export const MAX_FILTERS = 64;
/** Largest conv2d kernel side. */
export const MAX_KERNEL = 7;

/** A 2D convolution over an image task's pixels (valid padding): `filters` feature maps of `kernelSize`×`kernelSize`. */
export const Conv2dLayerSpec = z.object({
  type: z.literal('conv2d'),
  filters: z
    .number({ error: 'filters must be a number' })
    .int('filters must be a whole number')
    .min(1, 'filters must be at least 1')
    .max(MAX_FILTERS, `filters must be at most ${MAX_FILTERS}`),
  kernelSize: z
    .number({ error: 'kernelSize must be a number' })
    .int('kernelSize must be a whole number')
    .min(1, 'kernelSize must be at least 1')
    .max(MAX_KERNEL, `kernelSize must be at most ${MAX_KERNEL}`),
  strides: z.number({ error: 'strides must be a number' }).int('strides must be a whole number').min(1, 'strides must be at least 1').max(4, 'strides must be at most 4').default(1),
  activation: Activation.default('relu'),
});
export type Conv2dLayerSpec = z.infer<typeof Conv2dLayerSpec>;

/** Max pooling over `poolSize`×`poolSize` windows (stride = poolSize, valid padding). */
export const MaxPool2dLayerSpec = z.object({
  type: z.literal('maxPool2d'),
  poolSize: z.number({ error: 'poolSize must be a number' }).int('poolSize must be a whole number').min(2, 'poolSize must be at least 2').max(4, 'poolSize must be at most 4').default(2),
});
export type MaxPool2dLayerSpec = z.infer<typeof MaxPool2dLayerSpec>;

/** Turns the image-shaped output of conv2d / maxPool2d layers into a vector for the dense layers. */
export const FlattenLayerSpec = z.object({ type: z.literal('flatten') });
export type FlattenLayerSpec = z.infer<typeof FlattenLayerSpec>;

/** Layer types a spec may use; `dense` is the default when `type` is absent. */
export const LAYER_TYPES = ['dense', 'conv2d', 'maxPool2d', 'flatten'] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

/** One layer of a spec: dense (the default), conv2d, maxPool2d or flatten. */
export const LayerSpec = z.discriminatedUnion('type', [DenseLayerSpec, Conv2dLayerSpec, MaxPool2dLayerSpec, FlattenLayerSpec], {
  error: (issue) => (issue.code === 'invalid_union' ? `type must be one of ${LAYER_TYPES.join(', ')} (or absent for dense)` : undefined),
});
export type LayerSpec = z.infer<typeof LayerSpec>;

/** A layer's type, `dense` when it has none. */
export function layerType(layer: LayerSpec): LayerType {
  return layer.type ?? 'dense';
}

/** Whether a layer is dense (narrows the type). */
export function isDenseLayer(layer: LayerSpec): layer is DenseLayerSpec {
  return layerType(layer) === 'dense';
}

/** Whether a layer works on images (conv2d or maxPool2d). */
export function isSpatialLayer(layer: LayerSpec): layer is Conv2dLayerSpec | MaxPool2dLayerSpec {
  return layer.type === 'conv2d' || layer.type === 'maxPool2d';
}

/**
 * Order problems of a layer list, in words, that hold whatever the task: image
 * layers (conv2d, maxPool2d) first, then one flatten, then dense layers.
 */
export function layerOrderProblem(layers: readonly LayerSpec[]): { index: number; message: string } | undefined {
  let image = false;
  let flattened = false;
  for (const [i, layer] of layers.entries()) {
    const type = layerType(layer);
    const at = `layer ${i} (${type})`;
    if (type === 'conv2d' || type === 'maxPool2d') {
      if (flattened) return { index: i, message: `${at} comes after flatten: ${type} works on images, so it must come before the flatten` };
      const dense = layers.slice(0, i).findIndex((l) => isDenseLayer(l));
      if (dense >= 0) return { index: i, message: `${at} comes after dense layer ${dense}: ${type} works on images, so it must come before any dense layer` };
      image = true;
    } else if (type === 'flatten') {
      if (flattened) return { index: i, message: `${at}: the network is already flat (a second flatten)` };
      if (!image) return { index: i, message: `${at} has nothing to flatten: it belongs after the last conv2d or maxPool2d layer` };
      flattened = true;
      image = false;
    } else if (image) {
      return { index: i, message: `${at} follows an image layer: add {"type":"flatten"} before it` };
    }
  }
  if (image) return { index: layers.length - 1, message: `the output layer is dense: add {"type":"flatten"} after the last conv2d or maxPool2d layer` };
  return undefined;
}

/**
 * A player's network: hidden layers (dense by default; image tasks may start
 * with conv2d / maxPool2d layers and a flatten; the input and output layers
 * follow from the task), the optimizer and its learning rate, and the batch size.
 */
export const ModelSpec = z.object({
  layers: z
    .array(LayerSpec)
    .min(1, 'a network needs at least one hidden layer')
    .max(MAX_LAYERS, `a network may have at most ${MAX_LAYERS} hidden layers`)
    .superRefine((layers, ctx) => {
      const problem = layerOrderProblem(layers);
      if (problem) ctx.addIssue({ code: 'custom', path: [problem.index], message: problem.message });
    }),
  optimizer: OptimizerName.default('adam'),
  learningRate: z
    .number({ error: 'learningRate must be a number' })
    .gt(0, 'learningRate must be greater than 0')
    .max(10, 'learningRate must be at most 10'),
  batchSize: z
    .number({ error: 'batchSize must be a number' })
    .int('batchSize must be a whole number')
    .min(1, 'batchSize must be at least 1')
    .max(1024, 'batchSize must be at most 1024'),
  /** L1 penalty on kernels, added to the loss (0 = none). */
  l1: z.number({ error: 'l1 must be a number' }).min(0, 'l1 must be at least 0').max(1, 'l1 must be at most 1').default(0),
  /** L2 penalty on kernels, added to the loss (0 = none). */
  l2: z.number({ error: 'l2 must be a number' }).min(0, 'l2 must be at least 0').max(1, 'l2 must be at most 1').default(0),
  initializer: Initializer.default('auto'),
  /** Input features for 2D tasks (ignored by MNIST). */
  features: z
    .array(InputFeature)
    .min(1, 'features needs at least one input feature')
    .refine((f) => new Set(f).size === f.length, 'features must not repeat')
    .default(['x1', 'x2']),
  /**
   * Early stopping: once `patience` training samples pass without a better validation score (checked at each
   * automatic checkpoint), the run keeps its best checkpoint and ends (a `keepBest` control in its log).
   */
  earlyStopping: z
    .object({ patience: z.number({ error: 'patience must be a number' }).int('patience must be a whole number').min(1, 'patience must be at least 1 sample').max(5_000_000, 'patience must be at most 5000000 samples') })
    .optional(),
});
export type ModelSpec = z.infer<typeof ModelSpec>;
/** What a client may send: defaults not yet applied. */
export type ModelSpecInput = z.input<typeof ModelSpec>;

/** A spec that trains well on the 2D tasks; the designer's starting point. */
export const DEFAULT_SPEC: ModelSpec = ModelSpec.parse({
  layers: [
    { units: 16, activation: 'relu' },
    { units: 16, activation: 'relu' },
  ],
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: 32,
});
