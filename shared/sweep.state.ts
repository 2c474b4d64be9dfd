import { schema, t, type SchemaType } from '@colyseus/schema';

/** One trial of a playground's sweep: its hyperparameters, how far it is, and its validation and held-out figures once it ends. */
export const SweepTrial = schema(
  {
    index: t.uint8().default(0),
    learningRate: t.float64().default(0),
    batchSize: t.uint16().default(0),
    width: t.uint16().default(0),
    /** One of SweepTrialStatus. */
    status: t.string().default('queued'),
    samples: t.uint32().default(0),
    /** Validation figures (live while it trains, final once it ends); R² for regression tasks. */
    valAccuracy: t.float32().default(0),
    valLoss: t.float32().default(0),
    /** The held-out split, once it finished (never used to rank trials). */
    heldOutAccuracy: t.float32().default(0),
    /** The trained weights' hash: the same request trains the same weights. */
    weightsHash: t.string().default(''),
    durationMs: t.uint32().default(0),
    /** Why it failed, in words. */
    message: t.string().default(''),
  },
  'SweepTrial',
);
export type SweepTrial = SchemaType<typeof SweepTrial>;

/** A playground's hyperparameter sweep, as every client sees it. */
export const PlaygroundSweep = schema(
  {
    /** '' (none yet), 'running', 'finished' or 'cancelled'. */
    phase: t.string().default(''),
    method: t.string().default(''),
    seed: t.uint32().default(0),
    budgetPerTrial: t.uint32().default(0),
    /** The network every trial varies, in words. */
    base: t.string().default(''),
    total: t.uint8().default(0),
    /** Trials that ended (finished, diverged or failed). */
    done: t.uint8().default(0),
    /** Index of the best finished trial (validation accuracy, then loss), -1 before any. */
    best: t.int8().default(-1),
    trials: t.array(SweepTrial),
  },
  'PlaygroundSweep',
);
export type PlaygroundSweep = SchemaType<typeof PlaygroundSweep>;
