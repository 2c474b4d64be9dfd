import type { Control, LoggedControl } from '../../shared/control.schema.ts';
import { applyToView, CheckpointBook, type ModelView } from './playground.rules.ts';

/** The fields of a run's state that its controls set: what the page shows beside the controls. */
export interface SteeredState {
  learningRate: number;
  batchSize: number;
  optimizer: string;
  paused: boolean;
  /** Augmentation on or off, and the difficulty ramp, as applied. */
  augmentation: boolean;
  difficulty: number;
  activations: { clear(): void; push(...v: string[]): number };
  frozen: { clear(): void; push(...v: boolean[]): number };
  checkpoints: { readonly length: number; [i: number]: number | undefined; clear(): void; push(...v: number[]): number };
}

/** Shows `view` in `target`: what the controls set (frames then report the learning rate and batch size as trained). */
export function showView(target: SteeredState, view: ModelView, paused = false): void {
  target.learningRate = view.learningRate;
  target.batchSize = view.batchSize;
  target.optimizer = view.optimizer;
  target.paused = paused;
  target.augmentation = view.augmentation;
  target.difficulty = view.ramp;
  target.activations.clear();
  target.activations.push(...view.activations);
  target.frozen.clear();
  target.frozen.push(...view.frozen);
}

/**
 * Where the controls that took effect have taken one run (the playground's
 * run A, or its fork B): the network's view, the checkpoints it can be
 * rewound to (each with the view it had), and whether it is paused; mirrored
 * into `target` for every client when there is one.
 */
export class RunSteering {
  private readonly target: SteeredState | undefined;
  private readonly book: CheckpointBook;
  private current: ModelView;
  private pausedNow = false;

  /** A run that starts at `fromStep` (a fork: its parent's checkpoint there) with the network `view`, listing at most `keep` checkpoints (`listedCheckpointLimit` of its job). */
  constructor(target: SteeredState | undefined, checkpointEverySteps: number, view: ModelView, fromStep = 0, keep?: number) {
    this.target = target;
    this.current = view;
    this.book = new CheckpointBook(checkpointEverySteps, view, fromStep, keep);
    this.mirrorView();
    this.mirrorCheckpoints();
  }

  /**
   * Replays a run's log from its spec's view: where the network stood after
   * those controls (a fork's starting view is its parent's at the checkpoint).
   */
  static replay(view: ModelView, checkpointEverySteps: number, log: readonly LoggedControl[]): ModelView {
    const replay = new RunSteering(undefined, checkpointEverySteps, view);
    for (const { step, control } of log) {
      replay.reached(step); // the engine applies a step's controls, then takes that step's checkpoint
      replay.applied(control, step);
    }
    return replay.view;
  }

  get view(): ModelView {
    return this.current;
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  /** A frame at `step` arrived: the automatic checkpoints before it exist now. */
  reached(step: number): void {
    this.book.reached(step, this.current);
    this.mirrorCheckpoints();
  }

  /** `control` took effect at `step`. */
  applied(control: Control, step: number): void {
    if (control.type === 'pause') this.pausedNow = true;
    else if (control.type === 'resume') this.pausedNow = false;
    else if (control.type === 'checkpoint') this.book.manual(step, this.current);
    else if (control.type === 'rewind') this.current = this.book.rewound(control.toStep) ?? this.current;
    else this.current = applyToView(this.current, control);
    this.mirrorView();
    this.mirrorCheckpoints();
  }

  /** The run ended: nothing is paused any more. */
  ended(): void {
    this.pausedNow = false;
    if (this.target) this.target.paused = false;
  }

  private mirrorView(): void {
    if (this.target) showView(this.target, this.current, this.pausedNow);
  }

  private mirrorCheckpoints(): void {
    const t = this.target;
    if (!t) return;
    const steps = this.book.steps;
    if (steps.length === t.checkpoints.length && steps.every((s, i) => t.checkpoints[i] === s)) return;
    t.checkpoints.clear();
    t.checkpoints.push(...steps);
  }
}
