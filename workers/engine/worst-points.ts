import * as tf from '@tensorflow/tfjs';
import { MAX_INSPECT_UNITS, type WorstPoint } from '../../shared/run.schema.ts';
import { isPlanar } from '../../shared/task.schema.ts';
import { forward } from './network.ts';
import type { TrainSession } from './training-session.ts';

/** Worst validation points a probe shows on a planar task (highlighted on the boundary). */
export const WORST_POINTS = 5;
/** Misclassified validation digits a probe shows on MNIST (the error analysis grid). */
export const WORST_DIGITS = 12;

const round4 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : 0);

type HiddenLayer = WorstPoint['layers'][number];

/**
 * The worst validation points (`indices`, into the validation split) as the network sees them now:
 * each one's raw input, the network's output (`outputs`: its logits, or the value for regression,
 * one row per index) and every hidden layer's activations. On the fused step the activations come
 * from its weights, without copying them back into tf.js; elsewhere from tf.js. Call inside `tf.tidy`.
 */
export function inspectWorst(s: TrainSession, indices: number[], outputs: tf.Tensor2D): WorstPoint[] {
  if (indices.length === 0) return [];
  const n = indices.length;
  const planar = isPlanar(s.job.task.name);
  const raw = s.validationPoints;
  const idx = tf.tensor1d(indices, 'int32');
  const x = tf.gather(s.validation.x, idx) as tf.Tensor2D;
  const out = (s.kind === 'classification' ? tf.softmax(outputs) : outputs).arraySync() as number[][];
  const hidden: HiddenLayer[][] = indices.map(() => []);
  const fused = s.fusedHiddenActivations(x.dataSync() as Float32Array, n);
  if (fused) {
    fused.forEach((rows, layer) => rows.forEach((values, r) => hidden[r]!.push(denseLayer(layer, values))));
  } else {
    const convs = new Set<number>();
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
      ...(planar ? { point: [round4(input[0]!), round4(input[1]!)] } : { pixels: Array.from(input, (v) => Math.max(0, Math.min(255, Math.round(v * 255)))) }),
      output: out[r]!.map(round4),
      layers: hidden[r]!,
    };
  });
}

function denseLayer(layer: number, values: ArrayLike<number>): HiddenLayer {
  return { layer, kind: 'dense', units: values.length, values: Array.from({ length: Math.min(values.length, MAX_INSPECT_UNITS) }, (_, i) => round4(values[i]!)) };
}
