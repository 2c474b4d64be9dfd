import { layerType, type Activation, type LayerSpec, type LayerType, type ModelSpec } from './model-spec.schema.ts';

/** An image input: height, width, channels (tf.js's NHWC order without the batch). */
export type ImageShape = readonly [height: number, width: number, channels: number];

/**
 * The image behind a flat input of `inputDim` pixels: the tasks' images are
 * square with one channel (MNIST: 784 = 28×28×1). Undefined when `inputDim`
 * is not a square, i.e. the input is not an image.
 */
export function squareImage(inputDim: number): ImageShape | undefined {
  const side = Math.round(Math.sqrt(inputDim));
  return side > 1 && side * side === inputDim ? [side, side, 1] : undefined;
}

/** One layer of a network as planned: what it outputs per sample and what it costs. */
export interface LayerPlan {
  /** Index in `spec.layers`; the output layer is `spec.layers.length`. */
  index: number;
  type: LayerType;
  /** Output shape of one sample: [height, width, channels] for image layers, [width] otherwise. */
  shape: number[];
  /** Output values per sample. */
  size: number;
  /** Trainable parameters (weights and biases). */
  params: number;
  /** Multiply-adds of the forward pass for one sample (biases counted as one each). */
  macs: number;
}

/** A spec's layers planned on an input, or the first shape problem in words. */
export type SpecPlan = { layers: LayerPlan[]; problem?: undefined } | { layers: LayerPlan[]; problem: { index: number; message: string } };

/**
 * Plans a spec's network on an input of `inputDim` values (an image when
 * `image` is given) with `outputDim` outputs: each layer's output shape,
 * parameters and multiply-adds, the output layer last. Stops at the first
 * layer that cannot apply (an image layer on an input that is no image, a
 * kernel or pool larger than its input) and says why. `inputWords` names the
 * input in that message, e.g. `spiral's inputs are 2 features`.
 */
export function planSpec(spec: Pick<ModelSpec, 'layers'>, inputDim: number, outputDim: number, image?: ImageShape, inputWords = `the inputs are ${inputDim} values`): SpecPlan {
  const layers: LayerPlan[] = [];
  let shape: number[] = [inputDim];
  let size = inputDim;
  const fail = (index: number, message: string): SpecPlan => ({ layers, problem: { index, message } });
  for (const [index, layer] of spec.layers.entries()) {
    const type = layerType(layer);
    const at = `layer ${index} (${type})`;
    if (layer.type === 'conv2d' || layer.type === 'maxPool2d') {
      if (shape.length === 1) {
        if (!image || index > 0) return fail(index, `${at} needs an image task such as mnist: ${inputWords}, not an image`);
        shape = [...image];
      }
      const [h, w, c] = shape as [number, number, number];
      const k = layer.type === 'conv2d' ? layer.kernelSize : layer.poolSize;
      if (k > h || k > w) return fail(index, `${at}: ${layer.type === 'conv2d' ? 'kernel' : 'pool'} ${k} is larger than its ${h}×${w} input`);
      if (layer.type === 'conv2d') {
        const oh = Math.floor((h - k) / layer.strides) + 1;
        const ow = Math.floor((w - k) / layer.strides) + 1;
        const params = k * k * c * layer.filters + layer.filters;
        shape = [oh, ow, layer.filters];
        layers.push({ index, type, shape, size: oh * ow * layer.filters, params, macs: oh * ow * params });
      } else {
        shape = [Math.floor(h / k), Math.floor(w / k), c];
        layers.push({ index, type, shape, size: shape[0]! * shape[1]! * c, params: 0, macs: 0 });
      }
    } else if (layer.type === 'flatten') {
      shape = [size];
      layers.push({ index, type, shape, size, params: 0, macs: 0 });
    } else {
      const params = size * layer.units + layer.units;
      shape = [layer.units];
      layers.push({ index, type, shape, size: layer.units, params, macs: params });
    }
    size = layers.at(-1)!.size;
  }
  const params = size * outputDim + outputDim;
  layers.push({ index: spec.layers.length, type: 'dense', shape: [outputDim], size: outputDim, params, macs: params });
  return { layers };
}

/** A layer in a few characters: `16` for a dense layer, `conv8×3` (`conv8×3/2` with strides 2), `pool2`, `flatten`. */
export function layerLabel(layer: LayerSpec): string {
  switch (layer.type) {
    case 'conv2d':
      return `conv${layer.filters}×${layer.kernelSize}${layer.strides > 1 ? `/${layer.strides}` : ''}`;
    case 'maxPool2d':
      return `pool${layer.poolSize}`;
    case 'flatten':
      return 'flatten';
    default:
      return String(layer.units);
  }
}

/** The activations of a spec's layers that have one (dense and conv2d), in order. */
export function layerActivations(layers: readonly LayerSpec[]): Activation[] {
  return layers.flatMap((l) => ('activation' in l ? [l.activation] : []));
}
