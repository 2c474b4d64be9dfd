import type { ModelSpec } from './model-spec.schema.ts';
import { planSpec, squareImage, type ImageShape, type LayerPlan } from './model-spec.shapes.ts';

/**
 * The layers of a spec's network as planned (output layer last). For specs
 * with conv2d / maxPool2d layers `image` is the input's image shape (default:
 * the square one-channel image of `inputDim` pixels). A spec whose shapes do
 * not fit its input is planned up to the layer that does not fit.
 */
function plan(spec: ModelSpec, inputDim: number, outputDim: number, image?: ImageShape): LayerPlan[] {
  return planSpec(spec, inputDim, outputDim, image ?? squareImage(inputDim)).layers;
}

/** The layer widths of a spec including its input and output layers (an image layer's width is its number of outputs). */
export function layerWidths(spec: ModelSpec, inputDim: number, outputDim: number, image?: ImageShape): number[] {
  return [inputDim, ...plan(spec, inputDim, outputDim, image).map((l) => l.size)];
}

/** Trainable parameters (weights and biases) of a spec's network. */
export function parameterCount(spec: ModelSpec, inputDim: number, outputDim: number, image?: ImageShape): number {
  return plan(spec, inputDim, outputDim, image).reduce((a, l) => a + l.params, 0);
}

/**
 * Floating-point operations to train on one sample: a forward pass costs
 * 2 per multiply-add (one per parameter for dense layers, one per parameter
 * and output position for conv2d layers), and the backward pass about twice
 * the forward. Pooling and flatten are not counted.
 */
export function trainFlopsPerSample(spec: ModelSpec, inputDim: number, outputDim: number, image?: ImageShape): number {
  return 6 * plan(spec, inputDim, outputDim, image).reduce((a, l) => a + l.macs, 0);
}

/**
 * Bytes the model needs while training with `batchSize`: weights, their
 * gradients and two optimizer slots (float32), plus the activations of a batch.
 */
export function trainingMemoryBytes(spec: ModelSpec, inputDim: number, outputDim: number, image?: ImageShape): number {
  const params = parameterCount(spec, inputDim, outputDim, image);
  const activations = layerWidths(spec, inputDim, outputDim, image).reduce((a, b) => a + b, 0) * spec.batchSize * 2;
  return 4 * (params * 4 + activations);
}
