/**
 * A race's interventions: a player steers their own run while it trains, as often as the match allows,
 * and each costs part of the budget. An intervention is held while the engine decides; it counts (and the
 * budget is charged) only when the engine's `control` event confirms it, with the step it took effect.
 * A control the engine refuses (or a run that ends first) gives the intervention back and tells the
 * sender why, in the engine's words.
 */
import type { Control } from '../../shared/control.schema.ts';
import type { RoomErrorMessage } from '../../shared/protocol.ts';
import type { RaceSteeredMessage } from '../../shared/race.messages.ts';
import type { RunEvent } from '../../shared/run.schema.ts';
import type { Trainer } from '../trainer/trainer.port.ts';
import { ControlLedger, refusedControl, steerRefusal } from './control-rules.ts';

/** What interventions need of a seat: its run, whether it trains, the interventions left (mirrored to its player). */
export interface SteeredSeat {
  runId: string;
  player: string;
  interventionsLeft: number;
}

export interface InterventionRoom {
  trainer: Pick<Trainer, 'control'>;
  /** Interventions each player has, and what one costs in samples. */
  interventions: number;
  cost: number;
  /** Every seat by its player's session (the room state's entries). */
  seats: { get(sessionId: string): SteeredSeat | undefined; values(): Iterable<SteeredSeat> };
  /** Whether that seat's run trains now. */
  training(seat: SteeredSeat): boolean;
  /** The room's clients, to answer the sender (nothing when it has gone). */
  clients: { getById(sessionId: string): { send(type: string, message: unknown): void } | undefined };
  /** Logs a charge that could not be made. */
  warn(message: string, err: unknown): void;
}

export class Interventions {
  private readonly room: InterventionRoom;
  private readonly ledger = new ControlLedger<string>();

  constructor(room: InterventionRoom) {
    this.room = room;
  }

  /** A player's control: refused now if they may not steer that run, otherwise sent to the engine. */
  request(sessionId: string, runId: string, control: Control): RoomErrorMessage | undefined {
    const seat = this.room.seats.get(sessionId);
    const ownerOf = (id: string) => [...this.room.seats.values()].find((s) => s.runId === id)?.player;
    const no = steerRefusal({ isPlayer: !!seat, ownRunId: seat?.runId, runId, ownerOf, training: !!seat && this.room.training(seat), interventionsLeft: seat?.interventionsLeft ?? 0, interventions: this.room.interventions });
    if (no || !seat) return no;
    seat.interventionsLeft--; // held while the engine decides
    this.ledger.sent(runId, control, sessionId);
    this.room.trainer.control(runId, control).catch((err: unknown) => {
      for (const p of this.ledger.drop(runId)) this.giveBack(p.sender, p.control, `the run could not be steered: ${err instanceof Error ? err.message : String(err)}`);
    });
    return undefined;
  }

  /** An event of a run: the engine's answer to a pending control, if it is one. */
  onEvent(event: RunEvent): void {
    const answer = this.ledger.answer(event);
    if (!answer) return;
    const { sender, control, runId } = answer.pending;
    if (answer.outcome === 'refused') return this.giveBack(sender, control, answer.reason);
    const cost = this.room.cost;
    // Charged once the control took effect, so a refused one costs nothing; it applies a step or so later.
    if (cost > 0) this.room.trainer.control(runId, { type: 'spendBudget', samples: cost }).catch((err: unknown) => this.room.warn('could not charge an intervention', err));
    const steered: RaceSteeredMessage = { control, step: answer.step, cost, interventionsLeft: this.room.seats.get(sender)?.interventionsLeft ?? 0 };
    this.room.clients.getById(sender)?.send('steered', steered);
  }

  /** A run ended: controls it never answered are given back. */
  runEnded(runId: string): void {
    for (const p of this.ledger.drop(runId)) this.giveBack(p.sender, p.control, 'the run ended before it could take effect');
  }

  private giveBack(sessionId: string, control: Control, reason: string): void {
    const seat = this.room.seats.get(sessionId);
    if (seat) seat.interventionsLeft++;
    this.room.clients.getById(sessionId)?.send('error', refusedControl(control, reason));
  }
}
