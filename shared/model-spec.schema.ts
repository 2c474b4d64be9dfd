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

/**
 * A player's network: hidden dense layers (the input and output layers follow
 * from the task), the optimizer and its learning rate, and the batch size.
 */
export const ModelSpec = z.object({
  layers: z
    .array(DenseLayerSpec)
    .min(1, 'a network needs at least one hidden layer')
    .max(MAX_LAYERS, `a network may have at most ${MAX_LAYERS} hidden layers`),
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
