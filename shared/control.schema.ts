import { z } from 'zod';
import { Activation, OptimizerName } from './model-spec.schema.ts';

/** A coordinate on the plane that planar tasks live on ([-1, 1]², with room for a point a little outside). */
const coordinate = z.number({ error: 'a coordinate must be a number' }).min(-1.5, 'a point must lie within [-1.5, 1.5]').max(1.5, 'a point must lie within [-1.5, 1.5]');
const planePoint = z.tuple([coordinate, coordinate], { error: 'a point is [x1, x2]' });

/** Standard deviation of the jitter that augmentation adds to each training input (raw units), per batch. */
export const AUGMENT_STD = 0.03;

/** Most points one `addPoints` control adds. */
export const MAX_ADDED_POINTS = 50;

const layerIndex = z.number({ error: 'layer must be a number' }).int('layer must be a whole number').min(0, 'layer must be at least 0');

/**
 * Commands that steer a run between two steps. Each is validated, applied at
 * a step boundary and appended to the run's log with that step, so the run
 * can be replayed exactly. Layer indices count hidden layers from 0; the
 * output layer is index `layers.length` (only `freeze` may name it).
 */
export const Control = z.discriminatedUnion('type', [
  z.object({ type: z.literal('setLearningRate'), learningRate: z.number().gt(0, 'learningRate must be greater than 0').max(10, 'learningRate must be at most 10') }),
  z.object({ type: z.literal('setBatchSize'), batchSize: z.number().int().min(1, 'batchSize must be at least 1').max(1024, 'batchSize must be at most 1024') }),
  z.object({ type: z.literal('setOptimizer'), optimizer: OptimizerName, learningRate: z.number().gt(0).max(10).optional() }),
  z.object({ type: z.literal('setActivation'), layer: layerIndex, activation: Activation }),
  z.object({ type: z.literal('freeze'), layer: layerIndex, frozen: z.boolean() }),
  z.object({
    type: z.literal('injectNoise'),
    target: z.enum(['weights', 'inputs', 'labels']),
    /** Weights: noise std relative to each layer's weight std. Inputs: std added to training inputs. Labels: share of training labels replaced at random. */
    strength: z.number().min(0, 'strength must be at least 0').max(1, 'strength must be at most 1'),
  }),
  z.object({ type: z.literal('setAugmentation'), enabled: z.boolean() }),
  z.object({ type: z.literal('addSamples'), count: z.number().int().min(1).max(10_000, 'count must be at most 10000') }),
  z.object({ type: z.literal('removeSamples'), count: z.number().int().min(1).max(100_000) }),
  /**
   * Planar tasks: adds these points to the training set, each with its label (a class index, or a regression
   * target). The points travel in the control, so a replay adds the same ones.
   */
  z.object({
    type: z.literal('addPoints'),
    points: z
      .array(z.object({ x: planePoint, label: z.number({ error: 'label must be a number' }).min(-100, 'label must be at least -100').max(100, 'label must be at most 100') }), { error: 'points must be a list of { x: [x1, x2], label }' })
      .min(1, 'points must hold at least one point')
      .max(MAX_ADDED_POINTS, `points must hold at most ${MAX_ADDED_POINTS} points`),
  }),
  /** Planar tasks: removes every training point inside the rectangle with corners `from` and `to` (in either order). */
  z.object({ type: z.literal('removePoints'), from: planePoint, to: planePoint }),
  /** Difficulty ramp: the extra input noise (standard deviation) reached at the end of the budget, rising linearly from 0 (replaces the task's `ramp`). */
  z.object({ type: z.literal('setDifficulty'), ramp: z.number({ error: 'ramp must be a number' }).min(0, 'ramp must be at least 0').max(1, 'ramp must be at most 1') }),
  /** Inserts an identity-initialised layer before hidden layer `index` (or at the end), so the function does not change. */
  z.object({ type: z.literal('addLayer'), index: layerIndex, activation: Activation.default('linear') }),
  /** Removes a hidden layer, folding its weights into the next layer. */
  z.object({ type: z.literal('removeLayer'), layer: layerIndex }),
  /** Spends training samples without training: what a race charges for an intervention. */
  z.object({ type: z.literal('spendBudget'), samples: z.number().int().min(1, 'samples must be at least 1').max(5_000_000, 'samples must be at most 5000000') }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('checkpoint') }),
  /** Restores the checkpoint taken at `toStep` (weights, optimizer, data order, random state). */
  z.object({ type: z.literal('rewind'), toStep: z.number().int().min(0) }),
  /** Ends the run now, with the weights it has: the rest of the budget is not spent. */
  z.object({ type: z.literal('stop') }),
  /**
   * Ends the run with the weights of its best point: the kept checkpoint (the moment itself included) with the
   * best validation score (accuracy, then loss; loss alone for regression). The log records the step it chose
   * as `toStep`, so a replay restores the same checkpoint without scoring any.
   */
  z.object({ type: z.literal('keepBest'), toStep: z.number().int().min(0).optional() }),
]);
export type Control = z.infer<typeof Control>;
export type ControlInput = z.input<typeof Control>;

/** A control as the run's log keeps it: the step it took effect at (before that step's batch). */
export const LoggedControl = z.object({ step: z.number().int().min(0), control: Control });
export type LoggedControl = z.infer<typeof LoggedControl>;

/** Controls that change what the run computes (pause, resume and checkpoint do not). */
export function changesTraining(control: Control): boolean {
  return control.type !== 'pause' && control.type !== 'resume' && control.type !== 'checkpoint';
}
