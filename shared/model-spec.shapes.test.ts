import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { describeSpec } from '../server/match/spec-rules.ts';
import { architectureOf } from '../server/runs/architecture.ts';
import { DEFAULT_SPEC, ModelSpec, type ModelSpecInput } from './model-spec.schema.ts';
import { parameterCount, trainFlopsPerSample, trainingMemoryBytes } from './model-spec.metrics.ts';
import { planSpec } from './model-spec.shapes.ts';
import { networkDims } from './network-dims.ts';
import { TrainJob } from './run.schema.ts';
import { TaskSpec } from './task.schema.ts';
import { checkSpecSize, describeZodError } from './validation.ts';

const mnist = TaskSpec.parse({ name: 'mnist' });
const spiral = TaskSpec.parse({ name: 'spiral' });
const conv = (filters: number, kernelSize: number, strides = 1) => ({ type: 'conv2d' as const, filters, kernelSize, strides, activation: 'relu' as const });
const pool = (poolSize = 2) => ({ type: 'maxPool2d' as const, poolSize });
const flatten = { type: 'flatten' as const };
const dense = (units: number) => ({ units, activation: 'relu' as const });
const spec = (layers: ModelSpecInput['layers']): ModelSpecInput => ({ layers, learningRate: 0.002, batchSize: 32 });

function orderError(layers: ModelSpecInput['layers']) {
  const parsed = ModelSpec.safeParse(spec(layers));
  expect(parsed.success).toBe(false);
  return describeZodError(parsed.error!, 'spec');
}

describe('conv layers in specs', () => {
  it('reads dense layers without a type exactly as before, and with type dense the same way', () => {
    expect(ModelSpec.parse(DEFAULT_SPEC)).toEqual(DEFAULT_SPEC);
    expect(DEFAULT_SPEC.layers[0]).not.toHaveProperty('type');
    const typed = ModelSpec.parse(spec([{ type: 'dense', units: 16, activation: 'relu' }]));
    expect(parameterCount(typed, 2, 2)).toBe(parameterCount(ModelSpec.parse(spec([dense(16)])), 2, 2));
  });

  it('reads the example conv spec the CLI README points at', async () => {
    const example = ModelSpec.parse(JSON.parse(await readFile(new URL('../examples/conv-mnist.json', import.meta.url), 'utf8')));
    expect(example.layers.map((l) => l.type ?? 'dense')).toEqual(['conv2d', 'maxPool2d', 'flatten', 'dense']);
    expect(checkSpecSize(example, mnist)).toBeUndefined();
  });

  it('fills in strides 1, relu and pool 2', () => {
    const parsed = ModelSpec.parse(spec([{ type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'maxPool2d' }, flatten]));
    expect(parsed.layers).toEqual([{ type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, activation: 'relu' }, { type: 'maxPool2d', poolSize: 2 }, flatten]);
  });

  it.each([
    [[conv(8, 3), flatten, conv(8, 3), flatten], 'spec.layers.2', 'layer 2 (conv2d) comes after flatten'],
    [[dense(8), conv(8, 3), flatten], 'spec.layers.1', 'must come before any dense layer'],
    [[conv(8, 3), dense(16)], 'spec.layers.1', 'add {"type":"flatten"} before it'],
    [[conv(8, 3), pool()], 'spec.layers.1', 'add {"type":"flatten"} after the last conv2d'],
    [[flatten, dense(8)], 'spec.layers.0', 'nothing to flatten'],
    [[conv(8, 3), flatten, flatten], 'spec.layers.2', 'already flat'],
    [[{ type: 'conv3d', filters: 2 }], 'spec.layers.0.type', 'type must be one of dense, conv2d, maxPool2d, flatten'],
    [[{ ...conv(0, 3) }, flatten], 'spec.layers.0.filters', 'filters must be at least 1'],
    [[{ ...conv(8, 9) }, flatten], 'spec.layers.0.kernelSize', 'kernelSize must be at most 7'],
    [[{ units: 0, activation: 'relu' }], 'spec.layers.0.units', 'units must be at least 1'],
  ] as Array<[ModelSpecInput['layers'], string, string]>)('refuses %j in words at %s', (layers, field, words) => {
    const err = orderError(layers);
    expect(err.field).toBe(field);
    expect(err.message).toContain(words);
  });

  it.each([
    [spiral, [conv(8, 3), flatten], 'spec.layers.0', "layer 0 (conv2d) needs an image task such as mnist: spiral's inputs are 2 features, not an image"],
    [mnist, [conv(8, 5), pool(4), pool(2), conv(4, 5), flatten], 'spec.layers.3', 'layer 3 (conv2d): kernel 5 is larger than its 3×3 input'],
    [mnist, [conv(8, 7, 4), pool(4), pool(4), flatten], 'spec.layers.2', 'layer 2 (maxPool2d): pool 4 is larger than its 1×1 input'],
  ] as Array<[TaskSpec, ModelSpecInput['layers'], string, string]>)('on %s refuses a misfit layer in words', (task, layers, field, words) => {
    const parsed = ModelSpec.parse(spec(layers));
    const err = checkSpecSize(parsed, task);
    expect(err).toEqual({ field, message: `${field}: ${words}` });
    // The same refusal at the job boundary, on the same field.
    const job = TrainJob.safeParse({ runId: 'r', spec: parsed, task, seed: 1, budget: 100 });
    expect(job.success).toBe(false);
    expect(describeZodError(job.error!)).toEqual({ field, message: `${field}: ${words}` });
  });

  it('counts parameters, FLOPs and memory of conv8×3 · pool2 · flatten · 64 on MNIST by hand', () => {
    const parsed = ModelSpec.parse(spec([conv(8, 3), pool(), flatten, dense(64)]));
    const { inputDim, outputDim, image } = networkDims(parsed, mnist);
    const convParams = 3 * 3 * 1 * 8 + 8;
    const denseParams = 13 * 13 * 8 * 64 + 64;
    const outParams = 64 * 10 + 10;
    expect(parameterCount(parsed, inputDim, outputDim, image)).toBe(convParams + denseParams + outParams);
    // Forward multiply-adds: the conv's kernel and bias at each of its 26×26 positions; dense layers once per parameter.
    expect(trainFlopsPerSample(parsed, inputDim, outputDim, image)).toBe(6 * (26 * 26 * convParams + denseParams + outParams));
    const activations = 784 + 26 * 26 * 8 + 13 * 13 * 8 + 13 * 13 * 8 + 64 + 10;
    expect(trainingMemoryBytes(parsed, inputDim, outputDim, image)).toBe(4 * ((convParams + denseParams + outParams) * 4 + activations * 32 * 2));
    expect(planSpec(parsed, inputDim, outputDim, image).layers.map((l) => l.shape)).toEqual([[26, 26, 8], [13, 13, 8], [1352], [64], [10]]);
  });

  it('summarises a conv net in words for rooms and stored runs', () => {
    const parsed = ModelSpec.parse(spec([conv(8, 3, 2), pool(), flatten, dense(64)]));
    expect(describeSpec(parsed, mnist).summary).toBe('784-conv8×3/2-pool2-flatten-64-10 relu · adam 0.002 · batch 32');
    expect(architectureOf(parsed, mnist)).toBe('784-conv8×3/2-pool2-flatten-64-10 relu,relu');
    expect(architectureOf(DEFAULT_SPEC, spiral)).toBe('2-16-16-2 relu,relu');
  });
});
