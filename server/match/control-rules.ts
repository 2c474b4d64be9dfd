/**
 * Steering a run during a match: who may steer which run and when (their own, while it trains, while
 * they have interventions left), and the ledger of controls sent to the engine and not yet answered.
 * A control counts only once the engine's `control` event for it arrives (with the step it took effect);
 * the engine's `controlRefused` answers it with the engine's reason, and then it costs nothing.
 */
import { Control } from '../../shared/control.schema.ts';
import { ErrorCode, type RoomErrorMessage } from '../../shared/protocol.ts';
import type { RunEvent } from '../../shared/run.schema.ts';

/** What the permission check knows about the sender and the run they name. */
export interface SteerRequest {
  /** The sender's own run, or null for a spectator (or a player without a run). */
  ownRunId: string | null | undefined;
  isPlayer: boolean;
  /** The run the control names. */
  runId: string;
  /** Whose run that is, if it is in this match. */
  ownerOf: (runId: string) => string | undefined;
  /** Whether the sender's run is training now. */
  training: boolean;
  /** Interventions the sender has left (counting those awaiting the engine), and how many the match allows. */
  interventionsLeft: number;
  interventions: number;
}

/** Why the sender may not steer that run now, if they may not. */
export function steerRefusal(r: SteerRequest): RoomErrorMessage | undefined {
  if (!r.isPlayer) return { code: ErrorCode.NotAllowed, message: 'spectators cannot steer a model', about: 'control' };
  if (r.ownRunId !== r.runId) {
    const owner = r.ownerOf(r.runId);
    const message = owner ? `run ${r.runId} belongs to ${owner}: you can only steer your own` : `there is no run ${r.runId} in this match`;
    return { code: ErrorCode.NotAllowed, field: 'runId', message, about: 'control' };
  }
  if (!r.training) return { code: ErrorCode.WrongPhase, message: 'you can steer only while your run trains', about: 'control' };
  if (r.interventionsLeft <= 0) return { code: ErrorCode.NotAllowed, message: `you have used all ${r.interventions} interventions`, about: 'control' };
  return undefined;
}

/** The error the sender of a control the engine refused gets: the engine's reason, word for word. */
export function refusedControl(control: Control, reason: string): RoomErrorMessage {
  return { code: ErrorCode.ControlRefused, message: `${control.type} was refused: ${reason}`, about: 'control' };
}

/** Two controls are the same when their fields are, whatever the order of their keys. */
export function sameControl(a: Control, b: Control): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** A control sent to the engine, with what the room needs to answer its sender. */
export interface PendingControl<T> {
  runId: string;
  control: Control;
  /** Who sent it and what it would cost them (the room's own record). */
  sender: T;
}

/** How the engine answered a pending control. */
export type ControlAnswer<T> =
  | { outcome: 'applied'; pending: PendingControl<T>; step: number }
  | { outcome: 'refused'; pending: PendingControl<T>; step: number; reason: string };

/**
 * Controls sent and not yet answered, per run, in the order they were sent. The engine answers live
 * controls in that order, each with a `control` or `controlRefused` event carrying the control, so an
 * event answers the oldest pending control equal to its own; other `control` events (a resumed run's
 * scheduled ones) answer nothing.
 */
export class ControlLedger<T> {
  private readonly pending: Array<PendingControl<T>> = [];

  sent(runId: string, control: Control, sender: T): void {
    this.pending.push({ runId, control, sender });
  }

  /** The pending control an engine event answers, if any (it is then no longer pending). */
  answer(event: RunEvent): ControlAnswer<T> | undefined {
    if (event.type !== 'control' && event.type !== 'controlRefused') return undefined;
    const control = Control.safeParse(event.control);
    if (!control.success) return undefined;
    const i = this.pending.findIndex((p) => p.runId === event.runId && sameControl(p.control, control.data));
    if (i < 0) return undefined;
    const [pending] = this.pending.splice(i, 1);
    return event.type === 'control' ? { outcome: 'applied', pending: pending!, step: event.step } : { outcome: 'refused', pending: pending!, step: event.step, reason: event.message };
  }

  /** How many of `sender`'s controls await an answer. */
  awaiting(match: (sender: T) => boolean): number {
    return this.pending.filter((p) => match(p.sender)).length;
  }

  /** Forgets a run's pending controls (it ended before answering them) and returns them. */
  drop(runId: string): Array<PendingControl<T>> {
    const gone = this.pending.filter((p) => p.runId === runId);
    for (const p of gone) this.pending.splice(this.pending.indexOf(p), 1);
    return gone;
  }
}
