import * as tf from '@tensorflow/tfjs';
import type { ProbeFrame } from '../../shared/run.schema.ts';
import { isPlanar } from '../../shared/task.schema.ts';
import { forward, trainableLayers } from './network.ts';
import type { TrainSession } from './training-session.ts';
import { networkInputs } from './training-data.ts';
import { inspectWorst, WORST_DIGITS, WORST_POINTS } from './worst-points.ts';

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

function histogram(values: Float32Array | Int32Array | Uint8Array): { min: number; max: number; counts: number[] } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(BINS).fill(0);
  const width = max > min ? (max - min) / BINS : 1;
  for (const v of values) counts[Math.min(BINS - 1, Math.floor((v - min) / width))]!++;
  return { min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0, counts };
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

/** The heavy probe: decision boundary, activation maps, histograms, confusion matrix and worst validation points (with what the network does with each). */
export function probe(s: TrainSession): ProbeFrame {
  const planar = isPlanar(s.job.task.name);
  const val = s.validation;
  return tf.tidy(() => {
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
    let out: tf.Tensor2D;
    if (fused) {
      frame.histograms = fused.kernels.map((w, i) => ({ layer: i, weights: histogram(w), gradients: histogram(fused.kernelGrads[i]!) }));
      out = tf.tensor2d(fused.output.slice(), [val.count, fused.output.length / val.count]);
    } else {
      const layers = trainableLayers(s.net);
      const vars = layers.flatMap((l) => [l.kernel, l.bias]);
      // Kept past the gradient's own scope, and given to this tidy to free.
      let kept: tf.Tensor2D | undefined;
      const { grads } = tf.variableGrads(() => s.lossOf((kept = tf.keep(forward(s.net, val.x))), val.y), vars);
      out = kept!.clone();
      kept!.dispose();
      frame.histograms = layers.map((l, i) => ({
        layer: i,
        weights: histogram(l.kernel.dataSync() as Float32Array),
        gradients: histogram(grads[l.kernel.name]!.dataSync() as Float32Array),
      }));
    }
    const worst = planar ? WORST_POINTS : WORST_DIGITS;
    if (s.kind === 'classification') {
      const classes = out.shape[1]!;
      const truth = val.labels!.dataSync();
      const predicted = tf.argMax(out, 1).dataSync();
      const perSample = tf.losses.softmaxCrossEntropy(val.y, out, undefined, undefined, tf.Reduction.NONE).dataSync();
      const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
      truth.forEach((t, i) => confusion[t]![predicted[i]!]!++);
      frame.confusion = confusion;
      frame.misclassified = Array.from(perSample, (loss, index) => ({ index, label: truth[index]!, predicted: predicted[index]!, loss }))
        .filter((m) => m.label !== m.predicted)
        .sort((a, b) => b.loss - a.loss)
        .slice(0, worst);
    } else {
      const y = val.y.dataSync();
      const p = out.dataSync();
      frame.misclassified = Array.from(p, (pred, index) => ({ index, label: y[index]!, predicted: pred, loss: (pred - y[index]!) ** 2 }))
        .sort((a, b) => b.loss - a.loss)
        .slice(0, worst);
    }
    const indices = frame.misclassified.map((m) => m.index);
    if (indices.length) frame.worst = inspectWorst(s, indices, tf.gather(out, tf.tensor1d(indices, 'int32')) as tf.Tensor2D);
    return frame;
  });
}
