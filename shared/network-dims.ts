import type { ModelSpec } from './model-spec.schema.ts';
import type { ImageShape } from './model-spec.shapes.ts';
import { isPlanar, taskShape, type TaskName, type TaskSpec } from './task.schema.ts';

/** Tasks whose inputs are images, with their shape (conv2d and maxPool2d layers need one). */
const IMAGE_INPUTS: Partial<Record<TaskName, ImageShape>> = { mnist: [28, 28, 1] };

/** Input and output widths of a spec's network on a task, and the input's image shape on image tasks. */
export function networkDims(spec: ModelSpec, task: Pick<TaskSpec, 'name'>): { inputDim: number; outputDim: number; image?: ImageShape } {
  const { rawDim, outputs } = taskShape(task.name);
  const image = IMAGE_INPUTS[task.name];
  return { inputDim: isPlanar(task.name) ? spec.features.length : rawDim, outputDim: outputs, ...(image ? { image } : {}) };
}
