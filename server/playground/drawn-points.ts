import type { Control } from '../../shared/control.schema.ts';
import type { PlaygroundPointsMessage } from '../../shared/playground.messages.ts';

type PointEdit = Extract<Control, { type: 'addPoints' | 'removePoints' }>;

/** Whether a control edits the training set point by point (what the page draws follows it). */
export function isPointEdit(c: Control): c is PointEdit {
  return c.type === 'addPoints' || c.type === 'removePoints';
}

/** The points after one edit: added points join the end; removed ones are those inside the rectangle. */
export function applyPointEdit(points: PlaygroundPointsMessage, edit: PointEdit): PlaygroundPointsMessage {
  if (edit.type === 'addPoints') return { x: [...points.x, ...edit.points.flatMap((p) => p.x)], y: [...points.y, ...edit.points.map((p) => p.label)] };
  const [lo1, hi1] = [Math.min(edit.from[0], edit.to[0]), Math.max(edit.from[0], edit.to[0])];
  const [lo2, hi2] = [Math.min(edit.from[1], edit.to[1]), Math.max(edit.from[1], edit.to[1])];
  const x: number[] = [];
  const y: number[] = [];
  points.y.forEach((label, i) => {
    const [a, b] = [points.x[2 * i]!, points.x[2 * i + 1]!];
    if (a >= lo1 && a <= hi1 && b >= lo2 && b <= hi2) return;
    x.push(a, b);
    y.push(label);
  });
  return { x, y };
}

/**
 * The training points a page draws for one run: the task's (thinned, as sent on joining) with the point edits
 * that took effect applied in order. A rewind forgets the edits after the step it went back to, as the engine's
 * checkpoint there does (a step's controls take effect before its checkpoint is taken).
 */
export class DrawnPoints {
  private readonly base: PlaygroundPointsMessage;
  private edits: Array<{ step: number; edit: PointEdit }> = [];
  private current: PlaygroundPointsMessage;

  constructor(base: PlaygroundPointsMessage) {
    this.base = base;
    this.current = base;
  }

  get points(): PlaygroundPointsMessage {
    return this.current;
  }

  /** A control took effect at `step`; returns whether the drawn points changed. */
  applied(control: Control, step: number): boolean {
    if (isPointEdit(control)) {
      this.edits.push({ step, edit: control });
      this.current = applyPointEdit(this.current, control);
      return true;
    }
    if (control.type !== 'rewind') return false;
    const kept = this.edits.filter((e) => e.step <= control.toStep);
    if (kept.length === this.edits.length) return false;
    this.edits = kept;
    this.current = kept.reduce((p, e) => applyPointEdit(p, e.edit), this.base);
    return true;
  }
}
