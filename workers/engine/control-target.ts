import type { Rng } from '../../contract/random.ts';
import type { OptimizerName } from '../../shared/model-spec.schema.ts';
import type { TrainJob } from '../../shared/run.schema.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { Network } from './network.ts';
import type { RawPoints } from './task-data.ts';

/** The optimizer a run steps with: its rule, its learning rate and its step count (for Adam's bias correction). */
export interface OptimizerState {
  name: OptimizerName;
  learningRate: number;
  t: number;
}

/**
 * What a control may read and change of a training run, and nothing else.
 * The session hands one of these to `applyControl`; its own fields stay its own.
 */
export interface ControlTarget {
  /** The job (task, seed, budget): read only. */
  readonly job: TrainJob;
  /** The network, up to date with the last step; its layers may be edited in place. */
  readonly net: Network;
  /** The training set now. */
  readonly train: RawPoints;
  /** The generator controls draw their randomness from (noise), so a replayed log draws the same. */
  readonly controlRng: Rng;
  readonly optimizer: Readonly<OptimizerState>;
  /** Checkpoints kept for rewinds, by step. */
  readonly checkpoints: ReadonlyMap<number, Checkpoint>;
  /** Steps trained so far. */
  readonly step: number;
  setOptimizer(optimizer: OptimizerState): void;
  setBatchSize(batchSize: number): void;
  setAugmentation(enabled: boolean): void;
  /** Sets the difficulty ramp (extra input noise reached at the end of the budget). */
  setRamp(ramp: number): void;
  /** Replaces the training set (a new order of batches starts). */
  setTrain(points: RawPoints): void;
  /** How many `addSamples` controls came before this one (each draws its points with its own seed), counting this one. */
  nextAddition(): number;
  /** Spends samples of the budget without training on them (never past the budget). */
  spend(samples: number): void;
  keepCheckpoint(): void;
  /** Puts the run back to a kept checkpoint; the samples spent since stay spent. */
  rewind(cp: Checkpoint): void;
  /** Ends the run: no more steps, whatever is left of the budget. */
  stop(): void;
  /** Loss and accuracy (R² for regression) a kept checkpoint's weights score on the validation split. */
  validationOf(cp: Checkpoint): { loss: number; accuracy: number };
  /** Whether the task is classification or regression (which decides what "best" means). */
  readonly kind: 'classification' | 'regression';
}
