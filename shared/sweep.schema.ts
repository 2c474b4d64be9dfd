import { z } from 'zod';
import { MAX_UNITS } from './model-spec.schema.ts';

/** Most trials one sweep may train. */
export const MAX_SWEEP_TRIALS = 16;
/** Most values one dimension of a sweep may list. */
export const MAX_SWEEP_VALUES = 8;
/** Training samples each trial of a sweep may spend at most (every trial gets the same budget). */
export const MAX_TRIAL_BUDGET = 200_000;
/** Fewest training samples a trial may spend. */
export const MIN_TRIAL_BUDGET = 1_000;

/** Search methods: every combination of the listed values, or random draws from them. */
export const SweepMethod = z.enum(['grid', 'random'], { error: 'method must be grid or random' });
export type SweepMethod = z.infer<typeof SweepMethod>;

/** A list of distinct values of one dimension. */
function values<T extends z.ZodNumber>(name: string, item: T) {
  return z
    .array(item, { error: `${name} must be a list of numbers` })
    .min(1, `${name} needs at least one value`)
    .max(MAX_SWEEP_VALUES, `${name} may list at most ${MAX_SWEEP_VALUES} values`)
    .refine((v) => new Set(v).size === v.length, `${name} must not repeat a value`);
}

/**
 * A hyperparameter sweep over the playground's current network: learning rate,
 * batch size and the width of every dense hidden layer. `grid` trains every
 * combination of the listed values (at most MAX_SWEEP_TRIALS); `random` trains
 * `trials` draws: the learning rate log-uniformly between the smallest and largest
 * listed, batch size and width among the listed. Every trial spends the same
 * `budgetPerTrial` samples on the same data with the same seed, so they compare
 * fairly and each is repeatable: the same request gives the same figures.
 */
export const SweepRequest = z
  .object({
    method: SweepMethod,
    learningRates: values('learningRates', z.number({ error: 'learningRates must be numbers' }).gt(0, 'learningRates must be greater than 0').max(10, 'learningRates must be at most 10')),
    batchSizes: values('batchSizes', z.number({ error: 'batchSizes must be numbers' }).int('batchSizes must be whole numbers').min(1, 'batchSizes must be at least 1').max(1024, 'batchSizes must be at most 1024')),
    widths: values('widths', z.number({ error: 'widths must be numbers' }).int('widths must be whole numbers').min(1, 'widths must be at least 1').max(MAX_UNITS, `widths must be at most ${MAX_UNITS}`)),
    /** Random search only: how many trials to draw. */
    trials: z.number({ error: 'trials must be a number' }).int('trials must be a whole number').min(1, 'trials must be at least 1').max(MAX_SWEEP_TRIALS, `trials must be at most ${MAX_SWEEP_TRIALS}`).default(8),
    budgetPerTrial: z
      .number({ error: 'budgetPerTrial must be a number' })
      .int('budgetPerTrial must be a whole number')
      .min(MIN_TRIAL_BUDGET, `budgetPerTrial must be at least ${MIN_TRIAL_BUDGET} samples`)
      .max(MAX_TRIAL_BUDGET, `budgetPerTrial must be at most ${MAX_TRIAL_BUDGET} samples`)
      .default(20_000),
    /** Seed of the data and initial weights of every trial (the room's seed when absent, so a trial's network trains there the same way). */
    seed: z.number({ error: 'seed must be a number' }).int('seed must be a whole number').min(0, 'seed must be at least 0').max(2 ** 31 - 1, 'seed must be at most 2147483647').optional(),
  })
  .superRefine((r, ctx) => {
    if (r.method !== 'grid') return;
    const n = r.learningRates.length * r.batchSizes.length * r.widths.length;
    if (n > MAX_SWEEP_TRIALS)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `the grid has ${n} trials (${r.learningRates.length} learning rates × ${r.batchSizes.length} batch sizes × ${r.widths.length} widths): at most ${MAX_SWEEP_TRIALS}; list fewer values or use random search`,
      });
  });
export type SweepRequest = z.infer<typeof SweepRequest>;
export type SweepRequestInput = z.input<typeof SweepRequest>;

/** One trial's hyperparameters. */
export interface SweepPoint {
  learningRate: number;
  batchSize: number;
  width: number;
}

/** Trial states as the room shows them. `held`: a background trial paused while a live run shares its training thread. */
export const SweepTrialStatus = ['queued', 'training', 'held', 'finished', 'diverged', 'failed', 'cancelled'] as const;
export type SweepTrialStatus = (typeof SweepTrialStatus)[number];

/** Client → server messages of a sweep (owner only). */
export const SweepClientMessages = {
  /** Starts a sweep (refused while one runs). */
  sweep: SweepRequest,
  /** Cancels the running sweep: trials not finished stop. */
  sweepCancel: z.object({}),
  /** Trains trial `trial`'s network as the playground's next run (between runs). */
  sweepAdopt: z.object({ trial: z.number({ error: 'trial must be a number' }).int('trial must be a whole number').min(0, 'trial must be at least 0').max(MAX_SWEEP_TRIALS - 1, `trial must be at most ${MAX_SWEEP_TRIALS - 1}`) }),
} as const;
