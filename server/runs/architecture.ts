import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { layerActivations, layerLabel } from '../../shared/model-spec.shapes.ts';
import { networkDims } from '../../shared/network-dims.ts';
import type { TaskSpec } from '../../shared/task.schema.ts';

/** The shape a network is known by: widths from input to output and the hidden activations, e.g. "2-16-16-2 relu,relu". */
export function architectureOf(spec: ModelSpec, task: Pick<TaskSpec, 'name'>): string {
  const { inputDim, outputDim } = networkDims(spec, task);
  return `${[inputDim, ...spec.layers.map(layerLabel), outputDim].join('-')} ${layerActivations(spec.layers).join(',')}`;
}
