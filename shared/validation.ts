import type { z } from 'zod';
import { MAX_PARAMETERS, type ModelSpec } from './model-spec.schema.ts';
import { parameterCount } from './model-spec.metrics.ts';
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

/** Refuses a spec whose network would be larger than the arena trains. */
export function checkSpecSize(spec: ModelSpec, task: TaskSpec): FieldError | undefined {
  const { inputDim, outputDim } = networkDims(spec, task);
  const params = parameterCount(spec, inputDim, outputDim);
  if (params <= MAX_PARAMETERS) return undefined;
  return {
    field: 'spec.layers',
    message: `spec.layers: the network has ${params.toLocaleString('en')} parameters on ${task.name}; the arena trains at most ${MAX_PARAMETERS.toLocaleString('en')}`,
  };
}
