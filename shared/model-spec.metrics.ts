import type { ModelSpec } from './model-spec.schema.ts';

/** The layer widths of a spec including its input and output layers. */
export function layerWidths(spec: ModelSpec, inputDim: number, outputDim: number): number[] {
  return [inputDim, ...spec.layers.map((l) => l.units), outputDim];
}

/** Trainable parameters (weights and biases) of a spec's dense network. */
export function parameterCount(spec: ModelSpec, inputDim: number, outputDim: number): number {
  const w = layerWidths(spec, inputDim, outputDim);
  let total = 0;
  for (let i = 1; i < w.length; i++) total += w[i - 1]! * w[i]! + w[i]!;
  return total;
}

/**
 * Floating-point operations to train on one sample: a forward pass costs
 * 2·params multiply-adds, and the backward pass about twice the forward.
 */
export function trainFlopsPerSample(spec: ModelSpec, inputDim: number, outputDim: number): number {
  return 6 * parameterCount(spec, inputDim, outputDim);
}

/**
 * Bytes the model needs while training with `batchSize`: weights, their
 * gradients and two optimizer slots (float32), plus the activations of a batch.
 */
export function trainingMemoryBytes(spec: ModelSpec, inputDim: number, outputDim: number): number {
  const params = parameterCount(spec, inputDim, outputDim);
  const activations = layerWidths(spec, inputDim, outputDim).reduce((a, b) => a + b, 0) * spec.batchSize * 2;
  return 4 * (params * 4 + activations);
}
