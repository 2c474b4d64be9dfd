import { z } from 'zod';
import { ConvStemWeights } from './conv-feature-maps.ts';
import { LoggedControl } from './control.schema.ts';
import { keptCheckpointLimit, MAX_KEPT_CHECKPOINTS, MIN_KEPT_CHECKPOINTS } from './kept-checkpoints.ts';
import { ModelSpec } from './model-spec.schema.ts';
import { SeedReveal } from './seed-commitment.ts';
import { TaskSpec } from './task.schema.ts';
import { checkSpecSize } from './validation.ts';

/** Who waits for a run: a live room, or nobody in particular (sweeps, landscapes, replays). */
export const RunPriority = z.enum(['live', 'background']);
export type RunPriority = z.infer<typeof RunPriority>;

/** Largest training budget, in samples, a run may ask for. */
export const MAX_BUDGET = 50_000_000;

/** The fast path's arithmetic (see TrainJob.arithmetic): 1 or 2. */
export const Arithmetic = z.union([z.literal(1), z.literal(2)]);
export type Arithmetic = z.infer<typeof Arithmetic>;
/** The arithmetic new runs train with. */
export const CURRENT_ARITHMETIC: Arithmetic = 2;

/** Steps between two light telemetry frames when a job does not say (each frame adds a curve point). */
export const FRAME_EVERY_STEPS = 10;

/**
 * A run is a value: spec, task, seed, budget (in training samples) and the
 * ordered control log fix everything it will do. This is the job a trainer receives.
 */
/** How often a playground probes its run (ms): its decision boundary redraws about three times a second. */
export const PLAYGROUND_PROBE_INTERVAL_MS = 300;

export const TrainJob = z.object({
  runId: z.string().min(1).max(128),
  spec: ModelSpec,
  task: TaskSpec,
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  budget: z.number().int().min(1, 'budget must be at least 1 sample').max(MAX_BUDGET, `budget must be at most ${MAX_BUDGET} samples`),
  /** Controls to apply at given steps, e.g. when replaying or resuming a run. */
  controls: z.array(LoggedControl).default([]),
  /**
   * For a fork: the run and step it branched from. With `controlsApplied` (how many entries at the start of
   * `controls` are the parent's up to that checkpoint), a fork started without its checkpoint's bytes replays
   * its parent silently up to `step` and goes on from there: the same weights, since a run is a value.
   */
  parent: z.object({ runId: z.string(), step: z.number().int().min(0), controlsApplied: z.number().int().min(0).optional() }).optional(),
  /** Steps between two light telemetry frames (default FRAME_EVERY_STEPS). */
  frameEverySteps: z.number().int().min(1).max(100_000).default(FRAME_EVERY_STEPS),
  /**
   * Heavy probes (decision boundary, activation maps, histograms, confusion matrix) run only while someone
   * listens. By default they are timed, every `probeIntervalMs` (250 ms: a few a second); probes read the
   * model and change nothing, so timing them keeps the run deterministic. `probeEverySteps` > 0 instead
   * ties them to steps, for telemetry that repeats exactly. Both 0: no probes.
   */
  probeEverySteps: z.number().int().min(0).max(1_000_000).default(0),
  probeIntervalMs: z.number().int().min(0).max(3_600_000).default(250),
  /** Steps between two automatic checkpoints (default 50). */
  checkpointEverySteps: z.number().int().min(1).max(1_000_000).default(50),
  /**
   * Most checkpoints the run keeps in memory for rewinds (the first and early stopping's best always stay;
   * past it the oldest other goes, after each checkpoint, manual ones too). Rooms set `keptCheckpointLimit(job)`: about 64 MiB of them
   * however large the network. Absent, the run keeps to the rule runs had before it existed (200, one dropped
   * at each automatic checkpoint), so stored runs replay as they ran.
   */
  keepCheckpoints: z.number().int().min(MIN_KEPT_CHECKPOINTS).max(MAX_KEPT_CHECKPOINTS).optional(),
  /**
   * Which arithmetic the JavaScript fast path (small dense networks) trains with. 1, how every run before the
   * second trained (the default when absent, so stored runs replay to the bit): libm's tanh, and each softmax
   * probability as e^(log p). 2, what new runs take (newTrainJob sets CURRENT_ARITHMETIC): tanh and the softmax's
   * exponentials by table-driven approximations within 2e-15, and p as e/Σe: a 2-4-2 run takes about a fifth
   * less time. Both float64, both deterministic; larger networks ignore it.
   */
  arithmetic: Arithmetic.optional(),
  /** Side of the decision-boundary grid a probe computes (default 50). */
  boundaryResolution: z.number().int().min(4).max(200).default(50),
  /**
   * Stretches the run over at least this many milliseconds of wall clock, so spectators can follow it
   * (0, the default: as fast as training goes). Waiting changes nothing the run computes.
   */
  paceMs: z.number().int().min(0).max(3_600_000).default(0),
  /** Validation accuracy at which the run counts as converged (default 0.95). */
  targetAccuracy: z.number().gt(0).max(1).default(0.95),
  /**
   * Who waits for it: `live` (a room, the default when absent) is taken from the queue before any
   * `background` work (sweeps, landscapes, replays). Changes nothing the run computes. The embedded
   * trainer starts a background run only on an idle thread and pauses it while a live run shares its
   * thread (see `LocalTrainer`); BullMQ takes it after every waiting live run.
   */
  priority: RunPriority.optional(),
}).superRefine((job, ctx) => {
  const tooLarge = checkSpecSize(job.spec, job.task);
  if (tooLarge) ctx.addIssue({ code: 'custom', path: tooLarge.field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: tooLarge.message.slice(tooLarge.field.length + 2) });
});
export type TrainJob = z.infer<typeof TrainJob>;
export type TrainJobInput = z.input<typeof TrainJob>;

/**
 * The job of a new run (a room's, a sweep trial's, the CLI's): parsed, with the checkpoint limit its
 * network's size sets (`keepCheckpoints`, see keptCheckpointLimit) unless the input names one.
 */
export function newTrainJob(input: TrainJobInput): TrainJob {
  const job = TrainJob.parse(input);
  return { ...job, keepCheckpoints: job.keepCheckpoints ?? keptCheckpointLimit(job), arithmetic: job.arithmetic ?? CURRENT_ARITHMETIC };
}

/** Loss and accuracy at one point of a run. For regression, accuracy is R² (floored at 0). */
export const Metrics = z.object({
  loss: z.number(),
  accuracy: z.number(),
  valLoss: z.number(),
  valAccuracy: z.number(),
});
export type Metrics = z.infer<typeof Metrics>;

/** Per-layer health figures in a light frame. */
export const LayerStats = z.object({
  gradNorm: z.number(),
  weightMean: z.number(),
  weightStd: z.number(),
  /** ‖Δw‖ / ‖w‖ of the last step. */
  updateRatio: z.number(),
  /** Share of units whose output did not vary over the validation set. */
  deadFraction: z.number(),
});
export type LayerStats = z.infer<typeof LayerStats>;

/** A light telemetry frame, emitted every few steps of a run. */
export const TelemetryFrame = Metrics.extend({
  runId: z.string(),
  step: z.number().int(),
  samples: z.number().int(),
  flops: z.number(),
  learningRate: z.number(),
  batchSize: z.number().int(),
  samplesPerSec: z.number(),
  layers: z.array(LayerStats).default([]),
  /** Wall-clock time the frame was made, ms since the epoch. */
  createdAt: z.number(),
});
export type TelemetryFrame = z.infer<typeof TelemetryFrame>;

const Histogram = z.object({ min: z.number(), max: z.number(), counts: z.array(z.number().int()) });

/**
 * One of a probe's worst validation points as the network sees it now: its input, what the network
 * outputs for it and what each hidden layer does with it.
 */
export const WorstPoint = z.object({
  /** Index into the validation split. */
  index: z.number().int().min(0),
  /** Planar tasks: the point (x1, x2). */
  point: z.array(z.number()).length(2).optional(),
  /** MNIST: the digit's 784 grey levels (0..255, row by row). */
  pixels: z.array(z.number().int().min(0).max(255)).optional(),
  /** Classification: each class's probability (softmax of the logits); regression: the predicted value. */
  output: z.array(z.number()),
  /**
   * Each hidden layer's activations for this input, in the order of the network: a dense layer's units
   * (the first MAX_INSPECT_UNITS), a conv layer's mean activation per filter.
   */
  layers: z.array(z.object({ layer: z.number().int().min(0), kind: z.enum(['dense', 'conv']), units: z.number().int().min(0), values: z.array(z.number()) })),
});
export type WorstPoint = z.infer<typeof WorstPoint>;

/** Units of a dense layer a worst point's activations show at most. */
export const MAX_INSPECT_UNITS = 64;

/** A heavy probe, a few times a second. */
export const ProbeFrame = z.object({
  runId: z.string(),
  step: z.number().int(),
  samples: z.number().int(),
  /** Planar tasks: the model's output over a square grid on [-extent, extent]², row by row from the top (x2 = +extent). */
  boundary: z
    .object({ resolution: z.number().int(), extent: z.number(), values: z.array(z.number()) })
    .optional(),
  /** Planar tasks: each hidden unit's output over a coarse grid, per layer. */
  activationMaps: z.array(z.object({ layer: z.number().int(), resolution: z.number().int(), units: z.array(z.array(z.number())) })).optional(),
  histograms: z.array(z.object({ layer: z.number().int(), weights: Histogram, gradients: Histogram })),
  /** Classification: counts[true][predicted] on the validation split. */
  confusion: z.array(z.array(z.number().int())).optional(),
  /** Validation points the model gets most wrong. */
  misclassified: z.array(z.object({ index: z.number().int(), label: z.number(), predicted: z.number(), loss: z.number() })),
  /** The points of `misclassified`, in its order, for error analysis (validation points only, never held-out ones). */
  worst: z.array(WorstPoint).optional(),
  /** Conv nets: the image layers' weights, for a page to compute the feature maps of the worst digits (see conv-feature-maps.ts). */
  convStem: ConvStemWeights.optional(),
});
export type ProbeFrame = z.infer<typeof ProbeFrame>;

/** Something a run's detectors or controls want the world to know. */
export const RunEvent = z.object({
  runId: z.string(),
  step: z.number().int(),
  samples: z.number().int(),
  type: z.enum(['converged', 'diverged', 'vanishingGradients', 'gradientsRecovered', 'overfitting', 'control', 'controlRefused', 'paused', 'resumed']),
  message: z.string(),
  control: z.unknown().optional(),
  /**
   * A `control` event's step as the run's own control log has it: where the control took effect. `step` is
   * where the run stands after it, which a rewind moves back (to the step it went back to).
   */
  appliedAt: z.number().int().min(0).optional(),
  /** A `control` event: how many points the training set holds after it (data controls and rewinds change it). */
  trainSize: z.number().int().min(0).optional(),
});
export type RunEvent = z.infer<typeof RunEvent>;

/** The step a control event's control took effect at (what a replay or a resumed run applies it at): `appliedAt`, else `step`. */
export function appliedStep(event: Pick<RunEvent, 'step' | 'appliedAt'>): number {
  return event.appliedAt ?? event.step;
}

/** What a finished run reports. `heldOutAccuracy` must never reach a client before the race ends. */
export const RunResult = z.object({
  runId: z.string(),
  status: z.enum(['finished', 'diverged']).default('finished'),
  steps: z.number().int(),
  samples: z.number().int(),
  flops: z.number(),
  final: Metrics,
  heldOutAccuracy: z.number(),
  weightsHash: z.string(),
  backend: z.string(),
  samplesPerSec: z.number(),
  durationMs: z.number(),
  /** Every control that took effect, with its step. */
  controls: z.array(LoggedControl).default([]),
  /** For a diverged run: the step of the last checkpoint with finite weights. */
  lastGoodStep: z.number().int().optional(),
});
export type RunResult = z.infer<typeof RunResult>;

/** A run file: everything needed to replay a run, and what it should come to. */
export const RunFile = z.object({
  format: z.literal('gradient-arena-run'),
  version: z.literal(1),
  spec: ModelSpec,
  task: TaskSpec,
  seed: z.number().int(),
  budget: z.number().int(),
  controls: z.array(LoggedControl),
  /** The fast path's arithmetic the run trained with (see TrainJob.arithmetic); absent: 1, as every run file written before it. */
  arithmetic: Arithmetic.optional(),
  parent: z.object({ runId: z.string(), step: z.number().int().min(0) }).optional(),
  expected: z.object({ weightsHash: z.string(), backend: z.string(), samples: z.number().int() }).optional(),
  /** For a match's run: the seed commitment published when the match started, with the seed and salt revealed at its end (`arena replay` checks it). */
  seedReveal: SeedReveal.optional(),
});
export type RunFile = z.infer<typeof RunFile>;

/**
 * The job that trains a run file's run again from scratch (`arena replay`, a model export, a test's check): its
 * spec, task, seed, budget and control log, in the arithmetic it trained with (the first when the file names none).
 */
export function runFileJob(file: Pick<RunFile, 'spec' | 'task' | 'seed' | 'budget' | 'controls' | 'arithmetic'>, runId: string): TrainJob {
  return TrainJob.parse({ runId, spec: file.spec, task: file.task, seed: file.seed, budget: file.budget, controls: file.controls, arithmetic: file.arithmetic });
}

/** The run file of a finished run: its job's inputs, every control it took, and what it came to. */
export function runFileOf(job: Pick<TrainJob, 'spec' | 'task' | 'seed' | 'budget' | 'parent' | 'arithmetic'>, result: RunResult): RunFile {
  return {
    format: 'gradient-arena-run',
    version: 1,
    spec: job.spec,
    task: job.task,
    seed: job.seed,
    budget: job.budget,
    controls: result.controls,
    ...(job.arithmetic !== undefined && job.arithmetic !== 1 ? { arithmetic: job.arithmetic } : {}),
    ...(job.parent ? { parent: { runId: job.parent.runId, step: job.parent.step } } : {}),
    expected: { weightsHash: result.weightsHash, backend: result.backend, samples: result.samples },
  };
}
