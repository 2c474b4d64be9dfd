import { z } from 'zod';
import { ModelSpec } from './model-spec.schema.ts';
import { TaskSpec } from './task.schema.ts';

/** Largest training budget, in samples, a run may ask for. */
export const MAX_BUDGET = 50_000_000;

/**
 * A run is a value: spec, task, seed and budget (in training samples) fix
 * everything it will do. This is the job a trainer receives.
 */
export const TrainJob = z.object({
  runId: z.string().min(1).max(128),
  spec: ModelSpec,
  task: TaskSpec,
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  budget: z.number().int().min(1, 'budget must be at least 1 sample').max(MAX_BUDGET, `budget must be at most ${MAX_BUDGET} samples`),
  /** Steps between two telemetry frames (default 10). */
  frameEverySteps: z.number().int().min(1).max(10_000).default(10),
});
export type TrainJob = z.infer<typeof TrainJob>;
export type TrainJobInput = z.input<typeof TrainJob>;

/** Loss and accuracy at one point of a run. */
export const Metrics = z.object({
  loss: z.number(),
  accuracy: z.number(),
  valLoss: z.number(),
  valAccuracy: z.number(),
});
export type Metrics = z.infer<typeof Metrics>;

/** A light telemetry frame, emitted every few steps of a run. */
export const TelemetryFrame = Metrics.extend({
  runId: z.string(),
  step: z.number().int(),
  samples: z.number().int(),
  flops: z.number(),
  learningRate: z.number(),
  batchSize: z.number().int(),
  samplesPerSec: z.number(),
  /** Wall-clock time the frame was made, ms since the epoch. */
  createdAt: z.number(),
});
export type TelemetryFrame = z.infer<typeof TelemetryFrame>;

/** What a finished run reports. `heldOutAccuracy` must never reach a client before the race ends. */
export const RunResult = z.object({
  runId: z.string(),
  steps: z.number().int(),
  samples: z.number().int(),
  flops: z.number(),
  final: Metrics,
  heldOutAccuracy: z.number(),
  weightsHash: z.string(),
  backend: z.string(),
  samplesPerSec: z.number(),
  durationMs: z.number(),
});
export type RunResult = z.infer<typeof RunResult>;
