import { architectureOf } from './architecture.ts';
import { z } from 'zod';
import { LoggedControl } from '../../shared/control.schema.ts';
import { decimate } from '../match/curve-downsample.ts';
import { RunCurve, STORED_CURVE_POINTS } from '../../shared/match.schema.ts';
import { ModelSpec } from '../../shared/model-spec.schema.ts';
import { parameterCount } from '../../shared/model-spec.metrics.ts';
import { networkDims } from '../../shared/network-dims.ts';
import { Arithmetic, Metrics, type RunEvent, type RunResult, type TrainJob } from '../../shared/run.schema.ts';
import { TaskSpec } from '../../shared/task.schema.ts';

/** A run as the server stores it (zod: it is read back from the results outbox too). */
export const RunRecord = z.object({
  id: z.string(),
  playerId: z.string().nullable(),
  matchId: z.string().nullable(),
  spec: ModelSpec,
  task: TaskSpec,
  seed: z.number().int(),
  budget: z.number().int(),
  controls: z.array(LoggedControl),
  /** The fast path's arithmetic (see TrainJob.arithmetic); absent in records written before it: 1. */
  arithmetic: Arithmetic.optional(),
  status: z.enum(['finished', 'diverged', 'failed']),
  final: Metrics.nullable(),
  heldOutAccuracy: z.number().nullable(),
  samples: z.number(),
  flops: z.number(),
  parameters: z.number(),
  architecture: z.string(),
  convergedSamples: z.number().nullable(),
  convergedFlops: z.number().nullable(),
  weightsHash: z.string().nullable(),
  backend: z.string().nullable(),
  parentRunId: z.string().nullable(),
  parentStep: z.number().nullable(),
  /** The learning curve as the room saw it, downsampled. */
  curve: RunCurve.nullable().optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

/** A live curve's points as a stored curve of at most STORED_CURVE_POINTS (the last point always kept). */
export function storedCurve(points: ReadonlyArray<{ samples: number; loss: number; valAccuracy: number; accuracy?: number; valLoss?: number }>): RunCurve | null {
  if (points.length === 0) return null;
  const kept = decimate(points, STORED_CURVE_POINTS - 1);
  if (kept.at(-1) !== points.at(-1)) kept.push(points.at(-1)!);
  const both = (k: 'accuracy' | 'valLoss') => (kept.every((p) => p[k] !== undefined) ? { [k]: kept.map((p) => p[k]!) } : {});
  return { samples: kept.map((p) => p.samples), loss: kept.map((p) => p.loss), valAccuracy: kept.map((p) => p.valAccuracy), ...both('accuracy'), ...both('valLoss') };
}

/** What a run came to, from its job, its result (absent if it failed) and the events it raised. */
export function runRecordOf(
  job: TrainJob,
  outcome: { result?: RunResult; events: readonly RunEvent[]; playerId: string | null; matchId: string | null; samplesIfFailed?: number },
): RunRecord {
  const { result, events } = outcome;
  const { inputDim, outputDim } = networkDims(job.spec, job.task);
  const converged = events.find((e) => e.type === 'converged');
  const flopsPerSample = result && result.samples > 0 ? result.flops / result.samples : 0;
  return {
    id: job.runId,
    playerId: outcome.playerId,
    matchId: outcome.matchId,
    spec: job.spec,
    task: job.task,
    seed: job.seed,
    budget: job.budget,
    controls: result?.controls ?? [],
    arithmetic: job.arithmetic ?? 1,
    status: result?.status ?? 'failed',
    final: result?.final ?? null,
    heldOutAccuracy: result?.heldOutAccuracy ?? null,
    samples: result?.samples ?? outcome.samplesIfFailed ?? 0,
    flops: result?.flops ?? 0,
    parameters: parameterCount(job.spec, inputDim, outputDim),
    architecture: architectureOf(job.spec, job.task),
    convergedSamples: converged ? converged.samples : null,
    convergedFlops: converged ? converged.samples * flopsPerSample : null,
    weightsHash: result?.weightsHash ?? null,
    backend: result?.backend ?? null,
    parentRunId: job.parent?.runId ?? null,
    parentStep: job.parent?.step ?? null,
  };
}
