import { z } from 'zod';
import type { ProbeFrame, WorstPoint } from './run.schema.ts';

/**
 * One hidden layer's activations for one input, packed for the wire: values scaled to 0..255
 * between the layer's `min` and `max` for this input. `units` is the layer's width (a dense layer
 * shows its first MAX_INSPECT_UNITS units; a conv layer one mean activation per filter).
 */
export const PackedLayerActivations = z.object({
  layer: z.number().int().min(0),
  kind: z.enum(['dense', 'conv']),
  units: z.number().int().min(0),
  min: z.number(),
  max: z.number(),
  values: z.array(z.number().int().min(0).max(255)),
});
export type PackedLayerActivations = z.infer<typeof PackedLayerActivations>;

/**
 * One of the validation points the network gets most wrong now, for error analysis: where it is
 * (a planar point) or what it looks like (an MNIST digit), its true label and the prediction, and
 * what each layer does with it. Never a held-out point.
 */
export const ProbeWorstPoint = z.object({
  /** Index into the validation split: the same point in every probe of the room (its task and seed are fixed). */
  index: z.number().int().min(0),
  /** The true class (regression: the target). */
  label: z.number(),
  /** The predicted class (regression: the predicted value). */
  predicted: z.number(),
  /** Classification: the probability the network gives its prediction. */
  confidence: z.number().min(0).max(1).optional(),
  /** Cross-entropy (classification) or squared error (regression) of this point. */
  loss: z.number(),
  /** Planar tasks: the point (x1, x2). */
  point: z.array(z.number()).length(2).optional(),
  /**
   * MNIST: the digit's 784 grey levels (0..255, row by row). Sent when the digit was not among the
   * previous probe's worst points; a page keeps the pixels it got by index.
   */
  pixels: z.array(z.number().int().min(0).max(255)).length(784).optional(),
  /** Classification: each class's probability; regression: the predicted value. */
  output: z.array(z.number()),
  /** Each hidden layer's activations for this input, in the order of the network. */
  layers: z.array(PackedLayerActivations),
});
export type ProbeWorstPoint = z.infer<typeof ProbeWorstPoint>;

const round3 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(3)) : 0);

/** A layer's activations in bytes between their own min and max (non-finite values become the minimum). */
export function packLayerActivations(l: WorstPoint['layers'][number]): PackedLayerActivations {
  let min = Infinity;
  let max = -Infinity;
  for (const v of l.values) if (Number.isFinite(v)) (min = Math.min(min, v)), (max = Math.max(max, v));
  if (!Number.isFinite(min)) (min = 0), (max = 0);
  const span = max - min;
  const values = l.values.map((v) => (Number.isFinite(v) && span > 0 ? Math.max(0, Math.min(255, Math.round(((v - min) / span) * 255))) : 0));
  return { layer: l.layer, kind: l.kind, units: l.units, min: round3(min), max: round3(max), values };
}

/** A packed layer's values back on their own scale. */
export function unpackLayerActivations(l: Pick<PackedLayerActivations, 'min' | 'max' | 'values'>): number[] {
  const step = (l.max - l.min) / 255;
  return l.values.map((v) => l.min + v * step);
}

/** A probe's worst points for the wire: each misclassified entry with its inspection (`probe.worst`, matched by index). */
export function packWorstPoints(probe: Pick<ProbeFrame, 'misclassified' | 'worst'>, classification: boolean): ProbeWorstPoint[] {
  const byIndex = new Map((probe.worst ?? []).map((w) => [w.index, w]));
  return probe.misclassified.flatMap((m) => {
    const w = byIndex.get(m.index);
    if (!w) return [];
    return [
      {
        index: m.index,
        label: m.label,
        predicted: classification ? m.predicted : round3(m.predicted),
        ...(classification ? { confidence: round3(w.output[m.predicted] ?? 0) } : {}),
        loss: round3(m.loss),
        ...(w.point ? { point: w.point } : {}),
        ...(w.pixels ? { pixels: w.pixels } : {}),
        output: w.output.map(round3),
        layers: w.layers.map(packLayerActivations),
      },
    ];
  });
}

/** One class's share of validation points predicted right. */
export interface ClassAccuracy {
  label: number;
  correct: number;
  total: number;
  /** correct / total (0 for a class with no validation points). */
  accuracy: number;
}

/** Per-class accuracy from a confusion matrix (counts[true][predicted]). */
export function perClassAccuracy(confusion: readonly (readonly number[])[]): ClassAccuracy[] {
  return confusion.map((row, label) => {
    const total = row.reduce((a, b) => a + b, 0);
    const correct = row[label] ?? 0;
    return { label, correct, total, accuracy: total > 0 ? correct / total : 0 };
  });
}
