import type { z } from 'zod';
import { MAX_PARAMETERS, type ModelSpec } from './model-spec.schema.ts';
import { parameterCount } from './model-spec.metrics.ts';
import { planSpec } from './model-spec.shapes.ts';
import { networkDims } from './network-dims.ts';
import type { TaskSpec } from './task.schema.ts';

/** A validation failure in words: which field, and what was wrong with it. */
export interface FieldError {
  /** Dotted path of the bad field, e.g. `spec.layers.0.units`; empty for the whole value. */
  field: string;
  message: string;
}

/** The first problem zod found, as a field and a sentence that names it. */
export function describeZodError(error: z.ZodError, prefix = ''): FieldError {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  const message = issue?.message ?? 'invalid value';
  return { field: path, message: path ? `${path}: ${message}` : message };
}

/**
 * Refuses a spec whose layers do not fit the task's input, in words: an image
 * layer (conv2d, maxPool2d) on a task whose inputs are no image, or a kernel or
 * pool larger than the image that reaches it.
 */
export function checkSpecShape(spec: ModelSpec, task: Pick<TaskSpec, 'name'>): FieldError | undefined {
  const { inputDim, outputDim, image } = networkDims(spec, task);
  const { problem } = planSpec(spec, inputDim, outputDim, image, `${task.name}'s inputs are ${inputDim} features`);
  if (!problem) return undefined;
  const field = `spec.layers.${problem.index}`;
  return { field, message: `${field}: ${problem.message}` };
}

/** Refuses a spec whose network does not fit the task (see `checkSpecShape`) or would be larger than the arena trains. */
export function checkSpecSize(spec: ModelSpec, task: TaskSpec): FieldError | undefined {
  const misfit = checkSpecShape(spec, task);
  if (misfit) return misfit;
  const { inputDim, outputDim, image } = networkDims(spec, task);
  const params = parameterCount(spec, inputDim, outputDim, image);
  if (params <= MAX_PARAMETERS) return undefined;
  return {
    field: 'spec.layers',
    message: `spec.layers: the network has ${params.toLocaleString('en')} parameters on ${task.name}; the arena trains at most ${MAX_PARAMETERS.toLocaleString('en')}`,
  };
}
