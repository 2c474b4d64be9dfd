import { schema, t, type SchemaType } from '@colyseus/schema';
import { PlaygroundSweep } from './sweep.state.ts';

/**
 * A fork of the playground's run (B, beside the run A it branched from): its
 * live figures, what its controls have set and its downsampled curve, for
 * the A/B comparison and for steering it.
 */
export const PlaygroundFork = schema(
  {
    /** '' (no fork), 'training', 'finished' or 'failed'. */
    phase: t.string().default(''),
    runId: t.string().default(''),
    /** The run it was forked from (A's id, or a stored run's), and the step of that run's checkpoint it started from. */
    parentRunId: t.string().default(''),
    fromStep: t.uint32().default(0),
    step: t.uint32().default(0),
    samples: t.uint32().default(0),
    loss: t.float32().default(0),
    valAccuracy: t.float32().default(0),
    learningRate: t.float32().default(0),
    batchSize: t.uint16().default(0),
    optimizer: t.string().default(''),
    heldOutAccuracy: t.float32().default(0),
    /** What the controls have set on the fork, as on the run (see PlaygroundState). */
    paused: t.boolean().default(false),
    augmentation: t.boolean().default(false),
    difficulty: t.float32().default(0),
    /** Points in the fork's training set now. */
    trainSize: t.uint32().default(0),
    activations: t.array('string'),
    frozen: t.array('boolean'),
    /** Steps of the fork that have a checkpoint to rewind to (the first is the one it started from). */
    checkpoints: t.array('uint32'),
    /** The last control that took effect on the fork, in words. */
    lastControl: t.string().default(''),
    curveSamples: t.array('uint32'),
    curveLoss: t.array('float32'),
    curveValAccuracy: t.array('float32'),
    /** Training accuracy and validation loss at the same points (train and validation side by side). */
    curveAccuracy: t.array('float32'),
    curveValLoss: t.array('float32'),
  },
  'PlaygroundFork',
);
export type PlaygroundFork = SchemaType<typeof PlaygroundFork>;

/**
 * A playground's state: one run, its live figures, a downsampled learning
 * curve and what the controls have set, as every client sees it.
 */
export const PlaygroundState = schema(
  {
    phase: t.string().default('design'),
    paused: t.boolean().default(false),
    task: t.string().default('spiral'),
    budget: t.uint32().default(0),
    owner: t.string().default(''),
    ownerConnected: t.boolean().default(false),
    spectators: t.uint16().default(0),
    /** Short description of the network, e.g. "2-16-16-2 relu · adam 0.01 · batch 32". */
    summary: t.string().default(''),
    params: t.uint32().default(0),
    /** Runs started in this room. */
    runs: t.uint16().default(0),
    /** The current run's id ('' before the first): stored under it once it ends. */
    runId: t.string().default(''),
    step: t.uint32().default(0),
    samples: t.uint32().default(0),
    loss: t.float32().default(0),
    accuracy: t.float32().default(0),
    valAccuracy: t.float32().default(0),
    samplesPerSec: t.float32().default(0),
    /** What the run uses now (after controls). */
    learningRate: t.float32().default(0),
    batchSize: t.uint16().default(0),
    optimizer: t.string().default(''),
    /** Whether augmentation jitters the training inputs, as applied. */
    augmentation: t.boolean().default(false),
    /** The difficulty ramp as applied: extra input noise (standard deviation) reached at the end of the budget. */
    difficulty: t.float32().default(0),
    /** Points in the training set now (clicked points, removed ones and rewinds change it), as the engine reports it. */
    trainSize: t.uint32().default(0),
    /** Activation of each hidden layer, and which layers (hidden, then output) are frozen. */
    activations: t.array('string'),
    frozen: t.array('boolean'),
    /** Steps that have a checkpoint to rewind to. */
    checkpoints: t.array('uint32'),
    /** The last control that took effect or was refused, in words. */
    lastControl: t.string().default(''),
    controlsApplied: t.uint16().default(0),
    /** Recent run events (detectors, controls), newest last. */
    log: t.array('string'),
    heldOutAccuracy: t.float32().default(0),
    /** The room's challenge in words ('' for free play), where the current run stands on it, and the verdict's reason. */
    challenge: t.string().default(''),
    /** The lesson of the learning path this playground plays ('' for none): its id, for the page to show its text. */
    lesson: t.string().default(''),
    challengeStatus: t.string().default(''),
    challengeDetail: t.string().default(''),
    /** Downsampled learning curve: samples seen, training loss, validation accuracy. */
    curveSamples: t.array('uint32'),
    curveLoss: t.array('float32'),
    curveValAccuracy: t.array('float32'),
    /** Training accuracy and validation loss at the same points (train and validation side by side). */
    curveAccuracy: t.array('float32'),
    curveValLoss: t.array('float32'),
    /** A fork of the run (B), trained beside it. */
    fork: t.ref(PlaygroundFork),
    /** A hyperparameter sweep over the network, trained in the background. */
    sweep: t.ref(PlaygroundSweep),
  },
  'PlaygroundState',
);
export type PlaygroundState = SchemaType<typeof PlaygroundState>;
