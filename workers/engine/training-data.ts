import * as tf from '@tensorflow/tfjs';
import { expandFeatures } from '../../shared/features.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { isPlanar, taskKind, taskShape, type TaskSpec } from '../../shared/task.schema.ts';
import type { RawPoints } from './task-data.ts';

/** A split as tensors the network reads: inputs after feature expansion, and targets. */
export interface SplitTensors {
  /** Network inputs, [n, inputDim]. */
  x: tf.Tensor2D;
  /** One-hot labels [n, classes] for classification, targets [n, 1] for regression. */
  y: tf.Tensor2D;
  /** Class indices (classification only), [n]. */
  labels?: tf.Tensor1D;
  count: number;
}

/** Network inputs for raw points: the spec's features for planar tasks, the pixels for MNIST. */
export function networkInputs(raw: Float32Array, spec: ModelSpec, task: TaskSpec): Float32Array {
  return isPlanar(task.name) ? expandFeatures(raw, spec.features) : raw;
}

/** Uploads a split. */
export function toTensors(points: RawPoints, spec: ModelSpec, task: TaskSpec): SplitTensors {
  const inputs = networkInputs(points.x, spec, task);
  const inputDim = inputs.length / Math.max(1, points.count);
  const x = tf.tensor2d(inputs, [points.count, points.count ? inputDim : isPlanar(task.name) ? spec.features.length : 784]);
  if (taskKind(task.name) === 'regression') {
    return { x, y: tf.tensor2d(points.y, [points.count, 1]), count: points.count };
  }
  const labels = tf.tensor1d(Int32Array.from(points.y), 'int32');
  const y = tf.tidy(() => tf.oneHot(labels, taskShape(task.name).outputs).toFloat() as tf.Tensor2D);
  return { x, y, labels, count: points.count };
}

export function disposeSplit(s: SplitTensors): void {
  tf.dispose([s.x, s.y, ...(s.labels ? [s.labels] : [])]);
}
