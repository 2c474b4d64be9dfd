import * as tf from '@tensorflow/tfjs';
import type { ProbeFrame } from '../../shared/run.schema.ts';
import { isPlanar } from '../../shared/task.schema.ts';
import { forward, trainableLayers } from './network.ts';
import type { TrainSession } from './training-session.ts';
import { networkInputs } from './training-data.ts';
import { inspectWorst, stemWeights, WORST_DIGITS, WORST_POINTS } from './worst-points.ts';

/** Half-width of the square the boundary and activation maps cover. */
export const GRID_EXTENT = 1.2;
const MAP_RESOLUTION = 12;
const BINS = 20;

/** Raw points of a res×res grid over [-extent, extent]², row by row from the top. */
export function gridPoints(resolution: number, extent = GRID_EXTENT): Float32Array {
  const pts = new Float32Array(resolution * resolution * 2);
  for (let r = 0; r < resolution; r++) {
    for (let c = 0; c < resolution; c++) {
      const i = r * resolution + c;
      pts[2 * i] = -extent + (2 * extent * c) / (resolution - 1);
      pts[2 * i + 1] = extent - (2 * extent * r) / (resolution - 1);
    }
  }
  return pts;
}

/** The min and the max `rangeOf` found last (NaN left out: it compares false both ways). */
const range = new Float64Array(2);

/**
 * Counts of `values` in BINS equal bins from their min to their max. Indexed loops over the typed array
 * (a `for…of` over 100k floats, twice, was a third of an MNIST probe); the same arithmetic as ever, the min and
 * the max found in one pass. Each loop is a function of its own that returns nothing: V8 compiles a long loop
 * while it runs (on-stack replacement), and code after the loop that had never run then threw that code away again.
 */
export function histogram(values: Float32Array | Int32Array | Uint8Array): { min: number; max: number; counts: number[] } {
  rangeOf(values, range);
  const min = range[0]!;
  const max = range[1]!;
  const bins = new Float64Array(BINS);
  countBins(values, min, max > min ? (max - min) / BINS : 1, bins);
  return { min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0, counts: Array.from(bins) };
}

function rangeOf(values: Float32Array | Int32Array | Uint8Array, out: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  out[0] = min;
  out[1] = max;
}

function countBins(values: Float32Array | Int32Array | Uint8Array, min: number, width: number, bins: Float64Array): void {
  for (let i = 0; i < values.length; i++) bins[Math.min(BINS - 1, Math.floor((values[i]! - min) / width))]!++;
}

/**
 * The model's output over a grid of the plane: for two classes the
 * probability of class 1, for regression the predicted value.
 */
export function decisionBoundary(s: TrainSession, resolution: number): number[] {
  const inputs = gridInputs(s, resolution);
  return tf.tidy(() => {
    const out = forward(s.net, inputs);
    // Two classes: softmax's second column is sigmoid(z1 - z0), in fewer operations.
    const values =
      s.kind === 'regression' ? out : s.net.outputDim === 2 ? tf.sigmoid(tf.sub(out.slice([0, 1], [-1, 1]), out.slice([0, 0], [-1, 1]))) : tf.softmax(out).slice([0, 1], [-1, 1]);
    return Array.from(values.dataSync());
  });
}

/** Grid inputs stay on the backend between probes: the same grid and features every time. */
const gridCache = new WeakMap<TrainSession, Map<number, tf.Tensor2D>>();
function gridInputs(s: TrainSession, resolution: number): tf.Tensor2D {
  let bySize = gridCache.get(s);
  if (!bySize) gridCache.set(s, (bySize = new Map()));
  let t = bySize.get(resolution);
  if (!t) {
    t = tf.keep(tf.tensor2d(networkInputs(gridPoints(resolution), s.job.spec, s.job.task), [resolution * resolution, s.net.inputDim])); // probes run inside tf.tidy
    bySize.set(resolution, t);
    s.onDispose(() => t!.dispose());
  }
  return t;
}

/**
 * Each row's predicted class and cross-entropy loss, from a classifier's outputs (`outputs`: rows of `classes`
 * logits) and the rows' labels, in plain loops (no tensor): the class is the first largest logit, as
 * tf.argMax picks it, and the loss log Σ exp(z) − z_label, as tf.losses.softmaxCrossEntropy gives it per
 * row for one-hot labels (to float32 rounding).
 */
export function classifyRows(outputs: Float32Array, classes: number, labels: ArrayLike<number>): { predicted: Int32Array; loss: Float32Array } {
  const n = labels.length;
  const predicted = new Int32Array(n);
  const loss = new Float32Array(n);
  for (let r = 0, row = 0; r < n; r++, row += classes) {
    let max = outputs[row]!;
    let best = 0;
    for (let j = 1; j < classes; j++) {
      if (outputs[row + j]! > max) {
        max = outputs[row + j]!;
        best = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(outputs[row + j]! - max);
    predicted[r] = best;
    loss[r] = max + Math.log(sum) - outputs[row + labels[r]!]!;
  }
  return { predicted, loss };
}

/** The heavy probe: decision boundary, activation maps, histograms, confusion matrix and worst validation points (with what the network does with each). */
export function probe(s: TrainSession): ProbeFrame {
  let frame!: ProbeFrame;
  // The frame holds no tensor: returning it from tidy would have tf.js walk every array in it looking for
  // one (half a millisecond an MNIST probe, on its digits' pixels and activations).
  tf.tidy(() => void (frame = probeFrame(s)));
  return frame;
}

/** The probe's work, inside `tf.tidy`. */
function probeFrame(s: TrainSession): ProbeFrame {
  const planar = isPlanar(s.job.task.name);
  const val = s.validation;
  const frame: ProbeFrame = { runId: s.job.runId, step: s.stepCount, samples: s.samplesSpent, histograms: [], misclassified: [] };
  if (planar) {
    const res = s.job.boundaryResolution;
    frame.boundary = { resolution: res, extent: GRID_EXTENT, values: decisionBoundary(s, res) };
    const maps: NonNullable<ProbeFrame['activationMaps']> = [];
    const grid = networkInputs(gridPoints(MAP_RESOLUTION), s.job.spec, s.job.task);
    forward(s.net, tf.tensor2d(grid, [MAP_RESOLUTION * MAP_RESOLUTION, s.net.inputDim]), {
      onHidden: (layer, h) => {
        const cols = tf.transpose(h).arraySync() as number[][];
        maps.push({ layer, resolution: MAP_RESOLUTION, units: cols });
      },
    });
    frame.activationMaps = maps;
  }
  // Gradients of the validation loss, for the gradient histograms; the same pass's validation outputs
  // serve the confusion matrix and worst points below. On the fused step, all of it comes from there.
  const fused = s.fusedValidationPass();
  let out: Float32Array;
  if (fused) {
    frame.histograms = fused.kernels.map((w, i) => ({ layer: i, weights: histogram(w), gradients: histogram(fused.kernelGrads[i]!) }));
    out = fused.output;
  } else {
    const layers = trainableLayers(s.net);
    const vars = layers.flatMap((l) => [l.kernel, l.bias]);
    // Kept past the gradient's own scope, and given to this tidy to free.
    let kept: tf.Tensor2D | undefined;
    const { grads } = tf.variableGrads(() => s.lossOf((kept = tf.keep(forward(s.net, val.x))), val.y), vars);
    out = kept!.dataSync() as Float32Array;
    kept!.dispose();
    frame.histograms = layers.map((l, i) => ({
      layer: i,
      weights: histogram(l.kernel.dataSync() as Float32Array),
      gradients: histogram(grads[l.kernel.name]!.dataSync() as Float32Array),
    }));
  }
  const worst = planar ? WORST_POINTS : WORST_DIGITS;
  const width = out.length / val.count;
  if (s.kind === 'classification') {
    const truth = val.labels!.dataSync();
    const { predicted, loss } = classifyRows(out, width, truth);
    const confusion = Array.from({ length: width }, () => new Array<number>(width).fill(0));
    const wrong: ProbeFrame['misclassified'] = [];
    truth.forEach((t, i) => {
      confusion[t]![predicted[i]!]!++;
      if (t !== predicted[i]) wrong.push({ index: i, label: t, predicted: predicted[i]!, loss: loss[i]! });
    });
    frame.confusion = confusion;
    frame.misclassified = wrong.sort((a, b) => b.loss - a.loss).slice(0, worst);
  } else {
    const y = val.y.dataSync();
    frame.misclassified = Array.from(out, (pred, index) => ({ index, label: y[index]!, predicted: pred, loss: (pred - y[index]!) ** 2 }))
      .sort((a, b) => b.loss - a.loss)
      .slice(0, worst);
  }
  const indices = frame.misclassified.map((m) => m.index);
  if (indices.length) {
    const rows = new Float32Array(indices.length * width);
    indices.forEach((index, r) => rows.set(out.subarray(index * width, (index + 1) * width), r * width));
    frame.worst = inspectWorst(s, indices, rows);
  }
  // Conv nets only (never on the fused step): reading `s.net` of a fused run would copy its weights back into tf.js.
  const conv = s.job.spec.layers.some((l) => l.type === 'conv2d');
  const stem = indices.length && conv && s.net.stem ? stemWeights(s.net.stem) : undefined;
  if (stem) frame.convStem = stem;
  return frame;
}
