import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../shared/model-spec.schema.ts';

/** A tf.js optimizer for the arena's optimizer names. */
export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, 0.9);
    case 'adam':
      return tf.train.adam(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}
