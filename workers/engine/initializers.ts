import type { Activation, Initializer } from '../../shared/model-spec.schema.ts';

const RELU_LIKE = new Set<string>(['relu', 'leakyRelu', 'elu', 'swish']);

/** The spread of a layer's initial weights: `auto` is He-normal for ReLU-like activations, Glorot-normal otherwise. */
export function initStd(init: Initializer, activation: Activation | 'output', fanIn: number, fanOut: number): { std: number; uniform: boolean } {
  const chosen = init === 'auto' ? (RELU_LIKE.has(activation) ? 'heNormal' : 'glorotNormal') : init;
  switch (chosen) {
    case 'heNormal':
      return { std: Math.sqrt(2 / fanIn), uniform: false };
    case 'lecunNormal':
      return { std: Math.sqrt(1 / fanIn), uniform: false };
    case 'glorotUniform':
      return { std: Math.sqrt(6 / (fanIn + fanOut)), uniform: true };
    case 'glorotNormal':
      return { std: Math.sqrt(2 / (fanIn + fanOut)), uniform: false };
  }
}
