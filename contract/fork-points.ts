import type { LoggedControl } from '../shared/control.schema.ts';
import type { CheckpointInfo } from './trainer.messages.ts';

/**
 * Where a run took each checkpoint it still had at its end (or now), and how many entries of its log had
 * taken effect by then, read from its control log alone: what the engine's training loop does (see
 * workers/engine/training-loop.ts). In each step's turn the controls logged at that step apply first, then the
 * automatic checkpoint is taken when the step is a multiple of `every` (not again at a step whose automatic
 * checkpoint is the latest taken), then the step trains. A `checkpoint` control keeps one before it is logged;
 * a rewind (logged where it was asked) takes the run back to its target and forgets the later checkpoints;
 * `stop` and `keepBest` end the run. Nothing else moves the step. A fork replays the log up to such a point
 * (`replayForkJob`), so none of the engine's checkpoint bytes are needed, and a stored run forks too.
 */
class LogWalk {
  readonly kept = new Map<number, number>();
  /** The step the run stands at after the log. */
  cur = 0;
  /** Entries of the log applied so far. */
  applied = 0;
  lastAuto = -1;
  ended = false;
  private readonly every: number;

  constructor(log: readonly LoggedControl[], every: number) {
    this.every = every;
    for (const { step, control } of log) {
      if (this.ended) break;
      this.autoBefore(Math.max(step, this.cur));
      this.cur = Math.max(step, this.cur);
      if (control.type === 'checkpoint' || control.type === 'keepBest') this.kept.set(this.cur, this.applied);
      this.applied++;
      if (control.type === 'rewind') {
        for (const s of [...this.kept.keys()]) if (s > control.toStep) this.kept.delete(s);
        this.cur = control.toStep;
      } else if (control.type === 'stop' || control.type === 'keepBest') this.ended = true;
    }
  }

  /** The turns from `cur` up to (not with) `end` pass with no control: their automatic checkpoints. */
  autoBefore(end: number): void {
    for (let c = Math.ceil(this.cur / this.every) * this.every; c < end; c += this.every) {
      if (c === this.lastAuto) continue;
      this.kept.set(c, this.applied);
      this.lastAuto = c;
    }
  }
}

/** Every checkpoint of a run whose log is `log`, before step `reached` (a live run's latest frame, or an ended run's last step), oldest first. */
export function forkPoints(log: readonly LoggedControl[], every: number, reached: number): CheckpointInfo[] {
  const walk = new LogWalk(log, every);
  if (!walk.ended) walk.autoBefore(reached);
  return [...walk.kept]
    .filter(([step]) => step < reached)
    .sort((a, b) => a[0] - b[0])
    .map(([step, controlsApplied]) => ({ step, controlsApplied }));
}

/**
 * The checkpoint at `step` of a run whose log is `log` (its end unknown: a stored run), or undefined when the
 * log shows there was none there. A step past the run's end is not caught here: the replay says so.
 */
export function forkPointAt(log: readonly LoggedControl[], every: number, step: number): CheckpointInfo | undefined {
  const walk = new LogWalk(log, every);
  if (!walk.ended && step >= walk.cur) walk.autoBefore(step + 1); // the automatic ones it takes (again) after its log
  const kept = walk.kept.get(step);
  return kept === undefined ? undefined : { step, controlsApplied: kept };
}
