import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../shared/model-spec.schema.ts';
import type { Slots } from './network.ts';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;
const MOMENTUM = 0.9;
const RMS_DECAY = 0.9;

/** How many slot tensors each optimizer keeps per variable. */
export const SLOT_COUNT: Record<OptimizerName, number> = { sgd: 0, momentum: 1, adam: 2, rmsprop: 1 };

/**
 * The update rules, written out so the engine owns every piece of optimizer
 * state: slots live on their layer (so freezing, adding or removing a layer
 * never misaligns them) and can be checkpointed and restored exactly.
 * Returns the new value of the variable; slots are updated in place.
 * `t` is the 1-based step count of this optimizer (Adam's bias correction).
 */
export function optimizerUpdate(name: OptimizerName, lr: number, t: number, value: tf.Tensor, grad: tf.Tensor, slots: Slots): tf.Tensor {
  if (slots.length === 0) {
    for (let i = 0; i < SLOT_COUNT[name]; i++) slots.push(tf.variable(tf.zerosLike(value), false));
  }
  switch (name) {
    case 'sgd':
      return tf.sub(value, tf.mul(grad, lr));
    case 'momentum': {
      const acc = tf.add(tf.mul(slots[0]!, MOMENTUM), grad);
      slots[0]!.assign(acc);
      return tf.sub(value, tf.mul(acc, lr));
    }
    case 'adam': {
      const m = tf.add(tf.mul(slots[0]!, BETA1), tf.mul(grad, 1 - BETA1));
      const v = tf.add(tf.mul(slots[1]!, BETA2), tf.mul(tf.square(grad), 1 - BETA2));
      slots[0]!.assign(m);
      slots[1]!.assign(v);
      const step = (lr * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
      return tf.sub(value, tf.mul(tf.div(m, tf.add(tf.sqrt(v), EPSILON)), step));
    }
    case 'rmsprop': {
      const ms = tf.add(tf.mul(slots[0]!, RMS_DECAY), tf.mul(tf.square(grad), 1 - RMS_DECAY));
      slots[0]!.assign(ms);
      return tf.sub(value, tf.mul(tf.div(grad, tf.sqrt(tf.add(ms, EPSILON))), lr));
    }
  }
}
