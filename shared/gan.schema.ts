import { z } from 'zod';
import { DenseLayerSpec, OptimizerName } from './model-spec.schema.ts';

/** 2D distributions a generator learns to imitate. */
export const GanDistribution = z.enum(['ring', 'line', 'moons', 'spiral']);
export type GanDistribution = z.infer<typeof GanDistribution>;

/** One side of a GAN: its hidden layers, optimizer, learning rate and steps per iteration. */
export const GanSide = z.object({
  layers: z.array(DenseLayerSpec).min(1, 'a network needs at least one hidden layer').max(8, 'at most 8 hidden layers'),
  optimizer: OptimizerName.default('adam'),
  learningRate: z.number().gt(0, 'learningRate must be greater than 0').max(1, 'learningRate must be at most 1').default(0.001),
  /** Updates of this side per iteration (default 1). */
  steps: z.number().int().min(1).max(10).default(1),
});
export type GanSide = z.infer<typeof GanSide>;

/** A GAN run: generator against discriminator on a 2D distribution. */
export const GanJob = z.object({
  runId: z.string().min(1).max(128),
  distribution: GanDistribution.default('ring'),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  /** Iterations to train (each: the discriminator's steps, then the generator's). */
  iterations: z.number().int().min(1).max(1_000_000),
  batchSize: z.number().int().min(8).max(1024).default(128),
  /** Width of the generator's noise input (default 4). */
  latentDim: z.number().int().min(1).max(64).default(4),
  generator: GanSide,
  discriminator: GanSide,
  /** Iterations between two frames (default 25). */
  frameEveryIterations: z.number().int().min(1).max(100_000).default(25),
  /** Side of the discriminator heatmap grid (default 30). */
  heatmapResolution: z.number().int().min(4).max(200).default(30),
});
export type GanJob = z.infer<typeof GanJob>;
export type GanJobInput = z.input<typeof GanJob>;

/** A number that may be NaN (a diverged network); JSON carries NaN as null, read back as NaN. */
const Figure = z.union([z.number(), z.nan(), z.null().transform(() => NaN)]);

/** What spectators of a GAN battle see: both losses, generated points, the discriminator's view and the distance. */
export const GanFrame = z.object({
  runId: z.string(),
  iteration: z.number().int(),
  dLoss: Figure,
  gLoss: Figure,
  /** The discriminator's accuracy on a fresh batch of real and generated points. */
  dAccuracy: Figure,
  /** Sliced Wasserstein-1 distance between real and generated points (lower: the generator is closer). */
  distance: Figure,
  /** Generated points, flattened (x1, x2, x1, x2, …). */
  generated: z.array(Figure),
  /** The discriminator's probability of "real" over [-extent, extent]², row by row from the top. */
  heatmap: z.object({ resolution: z.number().int(), extent: z.number(), values: z.array(Figure) }),
  createdAt: z.number(),
});
export type GanFrame = z.infer<typeof GanFrame>;

/** What a finished GAN run reports. */
export const GanResult = z.object({
  runId: z.string(),
  iterations: z.number().int(),
  final: GanFrame.pick({ dLoss: true, gLoss: true, dAccuracy: true, distance: true }),
  weightsHash: z.string(),
});
export type GanResult = z.infer<typeof GanResult>;
