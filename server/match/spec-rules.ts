/**
 * A player's network for a match: refused when the arena would not train it, otherwise described for
 * the room's state (parameter count and the one-line summary every room shows).
 */
import { parameterCount } from '../../shared/model-spec.metrics.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { layerActivations, layerLabel } from '../../shared/model-spec.shapes.ts';
import { networkDims } from '../../shared/network-dims.ts';
import { ErrorCode, type RoomErrorMessage } from '../../shared/protocol.ts';
import type { TaskSpec } from '../../shared/task.schema.ts';
import { checkSpecSize } from '../../shared/validation.ts';

/** What state shows of a spec. */
export interface SpecSummary {
  params: number;
  /** E.g. `2-16-16-1 relu · adam 0.01 · batch 32`: widths from inputs to outputs, activations, optimizer, batch. */
  summary: string;
}

/** The parameters and summary line of `spec` on `task`. */
export function describeSpec(spec: ModelSpec, task: TaskSpec): SpecSummary {
  const { inputDim, outputDim, image } = networkDims(spec, task);
  const widths = [inputDim, ...spec.layers.map(layerLabel), outputDim].join('-');
  const acts = [...new Set(layerActivations(spec.layers))].join('/');
  return { params: parameterCount(spec, inputDim, outputDim, image), summary: `${widths} ${acts} · ${spec.optimizer} ${spec.learningRate} · batch ${spec.batchSize}` };
}

/**
 * Checks a spec a player sent: a refusal for the sender when the network is larger than the arena trains
 * (or `limit` refuses its parameter count, e.g. a challenge's), otherwise its summary.
 */
export function acceptSpec(spec: ModelSpec, task: TaskSpec, limit?: (params: number) => string | undefined): { refusal: RoomErrorMessage } | { accepted: SpecSummary } {
  const tooLarge = checkSpecSize(spec, task);
  if (tooLarge) return { refusal: { code: ErrorCode.SpecTooLarge, ...tooLarge, about: 'spec' } };
  const accepted = describeSpec(spec, task);
  const over = limit?.(accepted.params);
  if (over) return { refusal: { code: ErrorCode.SpecTooLarge, message: over, field: 'spec.layers', about: 'spec' } };
  return { accepted };
}

/**
 * A spec a client sent, accepted into `target` (the state that shows its parameters and summary), or
 * refused to that client alone. Returns the summary when accepted.
 */
export function applySpec(
  client: { send(type: string, message: unknown): void },
  spec: ModelSpec,
  task: TaskSpec,
  target: SpecSummary,
  limit?: (params: number) => string | undefined,
): SpecSummary | undefined {
  const verdict = acceptSpec(spec, task, limit);
  if ('refusal' in verdict) {
    client.send('error', verdict.refusal);
    return undefined;
  }
  Object.assign(target, verdict.accepted);
  return verdict.accepted;
}
