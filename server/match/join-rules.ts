/**
 * Who may come into a game room, and as what: the options a room is created or joined with, the
 * rules for taking a seat (phase, capacity, one seat per player), and the spectator count. Refusals
 * are `ServerError`s, which Colyseus hands the joining client as the reason its join failed.
 */
import { ServerError } from '@colyseus/core';
import type { z } from 'zod';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import { describeZodError } from '../../shared/validation.ts';

/** Parses a room's create or join options with its schema; a bad one is a 400 naming the option. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
  return parsed.data;
}

/** What a seat request is checked against. */
export interface SeatRule {
  /** Whether players may still take a seat (before the start). */
  open: boolean;
  /** Seats taken, and how many there are. */
  seated: number;
  capacity: number;
  /** Player ids already seated: one seat per player. */
  seatedIds: Iterable<string>;
  /** The refusals in the room's words, e.g. `the race has already started: join as a spectator`. */
  words: { started: string; full: string; again: string };
}

/** Why a player may not take a seat now, as a 409, if they may not. */
export function seatRefusal(rule: Omit<SeatRule, 'seatedIds'>): ServerError | undefined {
  if (!rule.open) return new ServerError(409, rule.words.started);
  if (rule.seated >= rule.capacity) return new ServerError(409, rule.words.full);
  return undefined;
}

/**
 * Checks that `who` may take a seat, makes sure they have an account, and returns its id. Throws the
 * refusal (started, full, or already seated under that account).
 */
export async function claimSeat(
  who: RoomIdentity,
  rule: SeatRule,
  ensurePlayer: (playerId: string | undefined, name: string) => Promise<string>,
): Promise<string> {
  const refusal = seatRefusal(rule);
  if (refusal) throw refusal;
  const playerId = await ensurePlayer(who.playerId ?? undefined, who.name);
  if ([...rule.seatedIds].includes(playerId)) throw new ServerError(409, rule.words.again);
  return playerId;
}

/** The spectators of a room, counted into its state's `spectators`. */
export class Spectators {
  private readonly ids = new Set<string>();
  private readonly target: { spectators: number };

  constructor(target: { spectators: number }) {
    this.target = target;
  }

  add(sessionId: string): void {
    if (this.ids.has(sessionId)) return;
    this.ids.add(sessionId);
    this.target.spectators = this.ids.size;
  }

  /** Whether `sessionId` was a spectator (now gone). */
  remove(sessionId: string): boolean {
    if (!this.ids.delete(sessionId)) return false;
    this.target.spectators = this.ids.size;
    return true;
  }

  has(sessionId: string): boolean {
    return this.ids.has(sessionId);
  }
}
