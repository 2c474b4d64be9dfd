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

export const DenseLayerSpec = z.object({
  units: z
    .number({ error: 'units must be a number' })
    .int('units must be a whole number')
    .min(1, 'units must be at least 1')
    .max(MAX_UNITS, `units must be at most ${MAX_UNITS}`),
  activation: Activation,
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
});
export type ModelSpec = z.infer<typeof ModelSpec>;
/** What a client may send: defaults not yet applied. */
export type ModelSpecInput = z.input<typeof ModelSpec>;

/** A spec that trains well on the 2D tasks; the designer's starting point. */
export const DEFAULT_SPEC: ModelSpec = {
  layers: [
    { units: 16, activation: 'relu' },
    { units: 16, activation: 'relu' },
  ],
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: 32,
};
