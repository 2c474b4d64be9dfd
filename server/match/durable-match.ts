/**
 * What makes a room's match outlive the server process: its lifecycle is
 * persisted as it changes; on SIGTERM the room goes without cancelling its runs
 * or forgetting the match, so the next process carries it on; a room created
 * to carry a match on after a restart gives its runs MATCH_RESUME_TIMEOUT_MS to
 * answer, then calls the match off (stored as aborted: no rating or XP moves);
 * and once over, such a room stays a while for players who have not come back.
 */
import type { Delayed } from '@colyseus/core';
import type { ArenaServices } from '../arena.services.ts';
import { moduleLogger } from '../logger.ts';
import type { MatchLifecycle } from './lifecycle.ts';
import { abortedResult } from './match-recovery.ts';

/** How long the room of a match carried on after a restart stays, once over, for players who have not come back yet (s). */
export const ENDED_ROOM_SECONDS = 300;

/** What durability needs of a room. */
export interface DurableRoom {
  roomId: string;
  autoDispose: boolean;
  clients: { length: number };
  clock: { setTimeout(cb: () => void, ms: number): Delayed };
}

/** Runs a room can stop. */
interface Stoppable {
  cancel(): Promise<void>;
}

export class DurableMatch {
  readonly match: MatchLifecycle;
  /** Created to carry the match on after a restart. */
  readonly resumed: boolean;
  private readonly room: DurableRoom;
  private readonly matches: ArenaServices['matches'];
  private readonly persisted: { flush(): Promise<void>; stop(): void };
  private shuttingDown = false;

  constructor(room: DurableRoom, matches: ArenaServices['matches'], match: MatchLifecycle, resumed: boolean) {
    this.room = room;
    this.matches = matches;
    this.match = match;
    this.resumed = resumed;
    this.persisted = matches.persist(match);
  }

  /** Resolves once everything the match has logged so far is written. */
  flush(): Promise<void> {
    return this.persisted.flush();
  }

  /** The match runs: the room stays, and the match goes on and is stored, even when everyone has left. */
  running(): void {
    this.room.autoDispose = false;
  }

  /**
   * Follows the runs of `seats` back after a restart: returns what to call when a seat's run is heard from;
   * if some are still silent after the resume timeout, `giveUp` hears why.
   */
  awaitRuns(seats: Iterable<number>, giveUp: (reason: string) => void): (seat: number) => void {
    const waiting = new Set(seats);
    const ms = this.matches.resumeTimeoutMs;
    const timer = this.room.clock.setTimeout(() => {
      if (waiting.size > 0) giveUp(`the server restarted and ${waiting.size} of the runs did not come back within ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`}`);
    }, ms);
    return (seat) => {
      if (waiting.delete(seat) && waiting.size === 0) timer.clear();
    };
  }

  /**
   * Calls the match off: its runs stopped, stored as aborted with the reason (no rating, XP or achievement),
   * the lifecycle aborted. Resolves with whether it was stored (false when the database refused it).
   */
  async abort(runs: Stoppable | undefined, reason: string): Promise<boolean> {
    await runs?.cancel();
    let stored = false;
    try {
      stored = await this.matches.recordAborted(abortedResult(this.match, reason), reason);
    } catch (err) {
      moduleLogger('match').error({ roomId: this.room.roomId, matchId: this.match.id, err }, 'could not store an aborted match');
    }
    if (!this.match.ended) this.match.transition('aborted', reason);
    this.over();
    return stored;
  }

  /**
   * The match is over: the room goes once nobody is in it, but a room that carried the match on after a
   * restart waits ENDED_ROOM_SECONDS first, for players who have not come back yet to see how it ended.
   */
  over(): void {
    if (this.room.clients.length > 0 || !this.resumed) this.room.autoDispose = true;
    else this.room.clock.setTimeout(() => (this.room.autoDispose = true), ENDED_ROOM_SECONDS * 1000);
  }

  /** Call from the room's `onBeforeShutdown`: the process is stopping, and the match is for the next one. */
  shutdown(): void {
    this.shuttingDown = true;
  }

  /**
   * Call from the room's `onDispose`. Stopping with the process: what the match logged is written and its
   * runs are left to the trainer (embedded: saved; BullMQ: they train on). Otherwise a match that never
   * started is closed and any runs still going are stopped.
   */
  async dispose(runs: Stoppable | undefined): Promise<void> {
    if (this.shuttingDown && !this.match.ended) {
      await this.persisted.flush();
      this.persisted.stop();
      return;
    }
    if (!this.match.ended && (this.match.phase === 'lobby' || this.match.phase === 'countdown')) this.match.transition('aborted', 'everyone left before the start');
    await runs?.cancel();
    this.persisted.stop();
  }
}
