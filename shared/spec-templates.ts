import { ModelSpec, type ModelSpecInput } from './model-spec.schema.ts';

const spec = (s: ModelSpecInput): ModelSpec => ModelSpec.parse(s);

/** Starting points for the designer and the CLI's bots, from strong to weak. */
export const SPEC_TEMPLATES: ReadonlyArray<{ name: string; spec: ModelSpec }> = [
  {
    name: 'Deep ReLU',
    spec: spec({ layers: [{ units: 32, activation: 'relu' }, { units: 32, activation: 'relu' }, { units: 32, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 }),
  },
  {
    name: 'Classic',
    spec: spec({ layers: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 }),
  },
  {
    name: 'Smooth tanh',
    spec: spec({ layers: [{ units: 24, activation: 'tanh' }, { units: 24, activation: 'tanh' }], optimizer: 'rmsprop', learningRate: 0.005, batchSize: 16 }),
  },
  {
    name: 'Tiny SGD',
    spec: spec({ layers: [{ units: 8, activation: 'relu' }], optimizer: 'sgd', learningRate: 0.1, batchSize: 32 }),
  },
  {
    name: 'Swish',
    spec: spec({ layers: [{ units: 24, activation: 'swish' }, { units: 24, activation: 'swish' }], optimizer: 'adam', learningRate: 0.01, batchSize: 64 }),
  },
  {
    name: 'Wide shallow',
    spec: spec({ layers: [{ units: 64, activation: 'elu' }], optimizer: 'momentum', learningRate: 0.05, batchSize: 32 }),
  },
  {
    name: 'Leaky deep',
    spec: spec({ layers: [{ units: 16, activation: 'leakyRelu' }, { units: 16, activation: 'leakyRelu' }, { units: 16, activation: 'leakyRelu' }], optimizer: 'adam', learningRate: 0.005, batchSize: 32 }),
  },
  {
    name: 'Sigmoid retro',
    spec: spec({ layers: [{ units: 16, activation: 'sigmoid' }], optimizer: 'sgd', learningRate: 0.5, batchSize: 16 }),
  },
];

/** Starting points for image tasks (MNIST) only: small conv nets (examples/conv-mnist.json is the first). */
export const IMAGE_SPEC_TEMPLATES: ReadonlyArray<{ name: string; spec: ModelSpec }> = [
  {
    name: 'Small conv',
    spec: spec({
      layers: [{ type: 'conv2d', filters: 8, kernelSize: 3, strides: 1, activation: 'relu' }, { type: 'maxPool2d', poolSize: 2 }, { type: 'flatten' }, { type: 'dense', units: 64, activation: 'relu' }],
      optimizer: 'adam',
      learningRate: 0.002,
      batchSize: 32,
    }),
  },
  {
    name: 'Two conv layers',
    spec: spec({
      layers: [
        { type: 'conv2d', filters: 8, kernelSize: 3, strides: 1, activation: 'relu' },
        { type: 'maxPool2d', poolSize: 2 },
        { type: 'conv2d', filters: 16, kernelSize: 3, strides: 1, activation: 'relu' },
        { type: 'maxPool2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 64, activation: 'relu' },
      ],
      optimizer: 'adam',
      learningRate: 0.002,
      batchSize: 32,
    }),
  },
];
