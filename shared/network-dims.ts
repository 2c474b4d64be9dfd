import type { ModelSpec } from './model-spec.schema.ts';
import { isPlanar, taskShape, type TaskSpec } from './task.schema.ts';

/** Input and output widths of a spec's network on a task. */
export function networkDims(spec: ModelSpec, task: Pick<TaskSpec, 'name'>): { inputDim: number; outputDim: number } {
  const { rawDim, outputs } = taskShape(task.name);
  return { inputDim: isPlanar(task.name) ? spec.features.length : rawDim, outputDim: outputs };
}
