import type { Control } from '../../shared/control.schema.ts';
import { MAX_KEPT_CHECKPOINTS } from '../../shared/kept-checkpoints.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { PlaygroundPhase } from '../../shared/playground.messages.ts';
import { ErrorCode } from '../../shared/protocol.ts';

/** A refusal in words, with its code. */
export interface Refusal {
  code: ErrorCode;
  message: string;
}

/** What a playground client may ask for. */
export type PlaygroundAction = 'spec' | 'start' | 'control' | 'landscape' | 'sweep' | 'fork';

/**
 * Who may do what, when: only the owner steers (spectators watch); the
 * network changes between runs, controls apply to a live run.
 */
export function refusal(action: PlaygroundAction, who: { owner: boolean; ownerName: string }, phase: string, hasSpec = true): Refusal | undefined {
  const live = phase === PlaygroundPhase.Training;
  if (action === 'landscape') {
    return live ? undefined : { code: ErrorCode.WrongPhase, message: 'the loss landscape needs a live run: start training first' };
  }
  if (!who.owner) return { code: ErrorCode.NotAllowed, message: `spectators cannot steer: only ${who.ownerName || 'the owner'} steers this run` };
  if (action === 'control') return live ? undefined : { code: ErrorCode.WrongPhase, message: 'controls steer a running run: start training first' };
  if (action === 'sweep') return undefined; // a sweep trains beside the run, in the background
  if (action === 'fork') return phase === PlaygroundPhase.Design ? { code: ErrorCode.WrongPhase, message: 'there is no run to fork yet: train one first' } : undefined;
  if (live) return { code: ErrorCode.WrongPhase, message: `the network can change between runs: this one is still training` };
  if (action === 'start' && !hasSpec) return { code: ErrorCode.WrongPhase, message: 'send a model spec before starting' };
  return undefined;
}

/** Whether someone joining as a player may take the seat: it is free, or theirs and empty. */
export function mayTakeSeat(owner: { playerId: string; connected: boolean } | undefined, joining: string | undefined): boolean {
  if (!owner) return true;
  return !owner.connected && joining !== undefined && joining === owner.playerId;
}

/** What the controls have made of the network, as the page shows it. */
export interface ModelView {
  learningRate: number;
  batchSize: number;
  optimizer: string;
  /** Activation of each hidden layer, in the spec's order ('' for maxPool2d and flatten, which have none). */
  activations: string[];
  /** Frozen flags of the hidden layers, then the output layer. */
  frozen: boolean[];
  /** Whether augmentation jitters the training inputs. */
  augmentation: boolean;
  /** The difficulty ramp: extra input noise reached at the end of the budget. */
  ramp: number;
}

/** The view of a network before any control: its spec's settings, on a task whose difficulty ramp is `ramp`. */
export function viewOfSpec(spec: ModelSpec, ramp = 0): ModelView {
  return {
    augmentation: false,
    ramp,
    learningRate: spec.learningRate,
    batchSize: spec.batchSize,
    optimizer: spec.optimizer,
    activations: spec.layers.map((l) => ('activation' in l ? l.activation : '')),
    frozen: [...spec.layers.map(() => false), false],
  };
}

/** The view after a control took effect (rewinds restore a snapshot instead: see `CheckpointBook`). */
export function applyToView(v: ModelView, c: Control): ModelView {
  const next: ModelView = { ...v, activations: [...v.activations], frozen: [...v.frozen] };
  switch (c.type) {
    case 'setLearningRate':
      next.learningRate = c.learningRate;
      break;
    case 'setBatchSize':
      next.batchSize = c.batchSize;
      break;
    case 'setOptimizer':
      next.optimizer = c.optimizer;
      if (c.learningRate !== undefined) next.learningRate = c.learningRate;
      break;
    case 'setActivation':
      next.activations[c.layer] = c.activation;
      break;
    case 'freeze':
      next.frozen[c.layer] = c.frozen;
      break;
    case 'setAugmentation':
      next.augmentation = c.enabled;
      break;
    case 'setDifficulty':
      next.ramp = c.ramp;
      break;
    case 'addLayer':
      next.activations.splice(c.index, 0, c.activation);
      next.frozen.splice(c.index, 0, false);
      break;
    case 'removeLayer':
      next.activations.splice(c.layer, 1);
      next.frozen.splice(c.layer, 1);
      break;
    default:
      break;
  }
  return next;
}

/** A control in a few words, for the page's log. */
export function describeControl(c: Control): string {
  switch (c.type) {
    case 'setLearningRate':
      return `learning rate → ${c.learningRate}`;
    case 'setBatchSize':
      return `batch size → ${c.batchSize}`;
    case 'setOptimizer':
      return `optimizer → ${c.optimizer}`;
    case 'setActivation':
      return `layer ${c.layer + 1} activation → ${c.activation}`;
    case 'freeze':
      return `${c.frozen ? 'froze' : 'unfroze'} layer ${c.layer + 1}`;
    case 'injectNoise':
      return `noise on ${c.target} (${c.strength})`;
    case 'setAugmentation':
      return `augmentation ${c.enabled ? 'on' : 'off'}`;
    case 'addSamples':
      return `added ${c.count} samples`;
    case 'removeSamples':
      return `removed ${c.count} samples`;
    case 'addPoints':
      return c.points.length === 1 ? `added a point of ${c.points[0]!.label} at (${c.points[0]!.x.map((v) => v.toFixed(2)).join(', ')})` : `added ${c.points.length} points`;
    case 'removePoints':
      return `removed the points in [${[c.from[0], c.to[0]].sort((a, b) => a - b).map((v) => v.toFixed(2)).join(', ')}] × [${[c.from[1], c.to[1]].sort((a, b) => a - b).map((v) => v.toFixed(2)).join(', ')}]`;
    case 'setDifficulty':
      return `difficulty ramp → ${c.ramp}`;
    case 'addLayer':
      return `added a ${c.activation} layer at ${c.index + 1}`;
    case 'removeLayer':
      return `removed layer ${c.layer + 1}`;
    case 'pause':
      return 'paused';
    case 'resume':
      return 'resumed';
    case 'checkpoint':
      return 'checkpoint';
    case 'rewind':
      return `rewound to step ${c.toStep}`;
    case 'stop':
      return 'stopped';
    case 'keepBest':
      return c.toStep === undefined ? 'kept the best checkpoint' : `kept the best checkpoint (step ${c.toStep})`;
    default:
      return c.type;
  }
}

/**
 * The checkpoints a run can be rewound to, mirrored from what the engine
 * does: one where it starts (before step 0, or a fork's checkpoint), one
 * every `every` steps, one for each manual `checkpoint`; a rewind forgets
 * those after its target. Each keeps the view the network had, so a rewind
 * restores activations and frozen layers too.
 */
export class CheckpointBook {
  private readonly kept = new Map<number, ModelView>();
  private readonly every: number;
  /** Most kept at once, the first always among them: `listedCheckpointLimit` of the job, each one the engine still holds. */
  private readonly limit: number;
  /** The next automatic checkpoint not known to exist yet. */
  private next: number;

  /** A book for a run that starts at `fromStep` (0, or a fork's checkpoint) with the network `start`, keeping at most `limit` (see listedCheckpointLimit). */
  constructor(every: number, start: ModelView, fromStep = 0, limit = MAX_KEPT_CHECKPOINTS) {
    this.every = every;
    this.limit = limit;
    this.next = (Math.floor(fromStep / every) + 1) * every;
    this.kept.set(fromStep, start);
  }

  /** Steps that can be rewound to, oldest first. */
  get steps(): number[] {
    return [...this.kept.keys()].sort((a, b) => a - b);
  }

  /** A frame at `step` arrived: automatic checkpoints before it exist now (they are taken before a step is trained). */
  reached(step: number, view: ModelView): void {
    for (; this.next < step; this.next += this.every) this.keep(this.next, view);
  }

  /** A manual checkpoint took effect at `step`. */
  manual(step: number, view: ModelView): void {
    this.keep(step, view);
  }

  /** A rewind to `toStep` took effect: later checkpoints are gone (training from there takes new ones); returns the view restored. */
  rewound(toStep: number): ModelView | undefined {
    for (const s of [...this.kept.keys()]) if (s > toStep) this.kept.delete(s);
    this.next = (Math.floor(toStep / this.every) + 1) * this.every;
    return this.kept.get(toStep);
  }

  private keep(step: number, view: ModelView): void {
    this.kept.set(step, view);
    while (this.kept.size > this.limit) this.kept.delete(this.steps[1]!);
  }
}
