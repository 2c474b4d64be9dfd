import * as tf from '@tensorflow/tfjs';
import { MAX_STEM_WEIGHTS, type ConvStemWeights } from '../../shared/conv-feature-maps.ts';
import { MAX_INSPECT_UNITS, type WorstPoint } from '../../shared/run.schema.ts';
import { isPlanar } from '../../shared/task.schema.ts';
import type { ImageStem } from './image-stem.ts';
import { forward } from './network.ts';
import { round4 } from './round-significant.ts';
import type { RawPoints } from './task-data.ts';
import type { TrainSession } from './training-session.ts';

/** Worst validation points a probe shows on a planar task (highlighted on the boundary). */
export const WORST_POINTS = 5;
/** Misclassified validation digits a probe shows on MNIST (the error analysis grid). */
export const WORST_DIGITS = 12;

type HiddenLayer = WorstPoint['layers'][number];

/**
 * The worst validation points (`indices`, into the validation split) as the network sees them now:
 * each one's raw input, the network's output (`outputs`: its logits, or the value for regression,
 * one row per index, row-major; a classifier's shown as softmax probabilities) and every hidden layer's activations. On the fused step the activations come
 * from its weights, without copying them back into tf.js; elsewhere from tf.js. Call inside `tf.tidy`.
 */
export function inspectWorst(s: TrainSession, indices: number[], outputs: Float32Array): WorstPoint[] {
  if (indices.length === 0) return [];
  const n = indices.length;
  const planar = isPlanar(s.job.task.name);
  const raw = s.validationPoints;
  const width = outputs.length / n;
  const out = indices.map((_, r) => {
    const row = Array.from(outputs.subarray(r * width, (r + 1) * width));
    return s.kind === 'classification' ? softmax(row) : row;
  });
  const hidden: HiddenLayer[][] = indices.map(() => []);
  const fused = s.fusedHiddenActivations(indices);
  if (fused) {
    fused.forEach((rows, layer) => rows.forEach((values, r) => hidden[r]!.push(denseLayer(layer, values))));
  } else {
    const convs = new Set<number>();
    const x = tf.gather(s.validation.x, tf.tensor1d(indices, 'int32')) as tf.Tensor2D;
    forward(s.net, x, {
      onFeatureMaps: (conv, maps) => {
        convs.add(conv);
        const means = tf.mean(maps, [1, 2]).arraySync() as number[][];
        means.forEach((values, r) => hidden[r]!.push({ layer: conv, kind: 'conv', units: values.length, values: values.map(round4) }));
      },
      onHidden: (layer, h) => {
        if (convs.has(layer)) return; // a conv layer's maps came above
        const rows = h.arraySync() as number[][];
        rows.forEach((values, r) => hidden[r]!.push(denseLayer(layer, values)));
      },
    });
  }
  return indices.map((index, r) => {
    const input = raw.x.subarray(index * raw.dim, (index + 1) * raw.dim);
    return {
      index,
      ...(planar ? { point: [round4(input[0]!), round4(input[1]!)] } : { pixels: pixelsOf(raw, index) }),
      output: out[r]!.map(round4),
      layers: hidden[r]!,
    };
  });
}

/** Each digit's pixels as frames show them, per validation split: the same every probe, so made once a digit. */
const shownPixels = new WeakMap<RawPoints, Map<number, number[]>>();

/** Validation digit `index`'s pixels in 0–255 (a copy of the cached array: each frame owns its own). */
function pixelsOf(raw: RawPoints, index: number): number[] {
  let byIndex = shownPixels.get(raw);
  if (!byIndex) shownPixels.set(raw, (byIndex = new Map()));
  let pixels = byIndex.get(index);
  if (!pixels) {
    pixels = Array.from(raw.x.subarray(index * raw.dim, (index + 1) * raw.dim), (v) => Math.max(0, Math.min(255, Math.round(v * 255))));
    byIndex.set(index, pixels);
  }
  return pixels.slice();
}

/** Probabilities of a row of logits (as tf.softmax, to float32 rounding). */
function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function denseLayer(layer: number, values: ArrayLike<number>): HiddenLayer {
  return { layer, kind: 'dense', units: values.length, values: Array.from({ length: Math.min(values.length, MAX_INSPECT_UNITS) }, (_, i) => round4(values[i]!)) };
}

const round6 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : 0);

/**
 * A conv net's image layers with their current weights (6 significant digits), for the page to
 * compute any digit's feature maps; undefined when the stem holds more than MAX_STEM_WEIGHTS weights.
 */
export function stemWeights(stem: ImageStem): ConvStemWeights | undefined {
  let total = 0;
  for (const l of stem.layers) if (l.type === 'conv2d') total += l.kernel.size + l.bias.size;
  if (total > MAX_STEM_WEIGHTS) return undefined;
  return {
    image: [stem.image[0], stem.image[1], stem.image[2]],
    layers: stem.layers.map((l) => {
      if (l.type === 'maxPool2d') return { type: 'maxPool2d', poolSize: l.poolSize };
      const [k, , inChannels, filters] = l.kernel.shape as [number, number, number, number];
      const kernel = Array.from(l.kernel.dataSync(), round6);
      const bias = Array.from(l.bias.dataSync(), round6);
      return { type: 'conv2d', kernelSize: k, strides: l.strides, inChannels, filters, activation: l.activation, kernel, bias };
    }),
  };
}
