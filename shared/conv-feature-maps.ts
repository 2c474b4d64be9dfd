import { z } from 'zod';
import { activationValue } from './activation-value.ts';
import { Activation } from './model-spec.schema.ts';

/**
 * A conv net's image layers with their weights, small enough to send with a probe, so that a page
 * can compute the feature maps of any digit it has the pixels of (the engine sends no maps: eight
 * 26×26 maps for each of a dozen digits, a few times a second, would be most of the probe).
 * Kernels are laid out as tf.js keeps them: [kernelSize, kernelSize, inChannels, filters].
 */

/** Weights (kernels and biases of every conv layer) a probe carries at most; bigger stems send none. */
export const MAX_STEM_WEIGHTS = 4096;

const StemConv = z.object({
  type: z.literal('conv2d'),
  kernelSize: z.number().int().min(1).max(15),
  strides: z.number().int().min(1).max(8),
  inChannels: z.number().int().min(1).max(64),
  filters: z.number().int().min(1).max(64),
  activation: Activation,
  kernel: z.array(z.number()).max(MAX_STEM_WEIGHTS),
  bias: z.array(z.number()).max(64),
});
const StemPool = z.object({ type: z.literal('maxPool2d'), poolSize: z.number().int().min(1).max(8) });

export const ConvStemWeights = z
  .object({
    /** The image the flat input is read as: height, width, channels. */
    image: z.tuple([z.number().int().min(1).max(64), z.number().int().min(1).max(64), z.number().int().min(1).max(4)]),
    layers: z.array(z.discriminatedUnion('type', [StemConv, StemPool])).min(1).max(16),
  })
  .superRefine((stem, ctx) => {
    let channels = stem.image[2];
    stem.layers.forEach((l, i) => {
      if (l.type !== 'conv2d') return;
      if (l.inChannels !== channels) ctx.addIssue({ code: 'custom', path: ['layers', i, 'inChannels'], message: `conv layer ${i + 1} reads ${channels} channels, not ${l.inChannels}` });
      const want = l.kernelSize * l.kernelSize * l.inChannels * l.filters;
      if (l.kernel.length !== want) ctx.addIssue({ code: 'custom', path: ['layers', i, 'kernel'], message: `conv layer ${i + 1}'s kernel needs ${want} weights, not ${l.kernel.length}` });
      if (l.bias.length !== l.filters) ctx.addIssue({ code: 'custom', path: ['layers', i, 'bias'], message: `conv layer ${i + 1}'s bias needs ${l.filters} values, not ${l.bias.length}` });
      channels = l.filters;
    });
  });
export type ConvStemWeights = z.infer<typeof ConvStemWeights>;

/** One conv layer's output for one input: `filters` maps of height×width, stored position by position (HWC). */
export interface FeatureMaps {
  /** Index among the stem's conv layers. */
  conv: number;
  height: number;
  width: number;
  filters: number;
  values: Float32Array;
}

/** One filter's map out of a layer's HWC values, row by row. */
export function filterMap(maps: FeatureMaps, filter: number): Float32Array {
  const out = new Float32Array(maps.height * maps.width);
  for (let i = 0; i < out.length; i++) out[i] = maps.values[i * maps.filters + filter]!;
  return out;
}

/**
 * Every conv layer's feature maps for one input (`input`: the flat values the network reads, e.g.
 * a digit's pixels in [0, 1]): valid-padding convolutions with their activation and max pools of
 * stride poolSize, as the engine's stem computes them (in float64 here, so they agree to about 1e-6).
 */
export function computeFeatureMaps(stem: ConvStemWeights, input: ArrayLike<number>): FeatureMaps[] {
  let [height, width, channels] = stem.image;
  let x = Float64Array.from(input);
  const out: FeatureMaps[] = [];
  for (const l of stem.layers) {
    if (l.type === 'maxPool2d') {
      const p = l.poolSize;
      const oh = Math.floor(height / p);
      const ow = Math.floor(width / p);
      const y = new Float64Array(oh * ow * channels);
      for (let r = 0; r < oh; r++)
        for (let c = 0; c < ow; c++)
          for (let ch = 0; ch < channels; ch++) {
            let m = -Infinity;
            for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) m = Math.max(m, x[((r * p + i) * width + c * p + j) * channels + ch]!);
            y[(r * ow + c) * channels + ch] = m;
          }
      (x = y), (height = oh), (width = ow);
      continue;
    }
    const { kernelSize: k, strides: s, filters: f, kernel, bias, activation } = l;
    const oh = Math.floor((height - k) / s) + 1;
    const ow = Math.floor((width - k) / s) + 1;
    const y = new Float64Array(Math.max(0, oh * ow * f));
    for (let r = 0; r < oh; r++)
      for (let c = 0; c < ow; c++)
        for (let fi = 0; fi < f; fi++) {
          let z = bias[fi]!;
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++)
              for (let ch = 0; ch < channels; ch++) z += x[((r * s + i) * width + c * s + j) * channels + ch]! * kernel[((i * k + j) * channels + ch) * f + fi]!;
          y[(r * ow + c) * f + fi] = activationValue(z, activation);
        }
    (x = y), (height = oh), (width = ow), (channels = f);
    out.push({ conv: out.length, height, width, filters: f, values: Float32Array.from(y) });
  }
  return out;
}
