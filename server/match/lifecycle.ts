/**
 * One match (a race, a tournament match, a GAN battle, a playground run) as a value: a small state
 * machine (lobby → countdown → running → settling → stored, or aborted with a reason) and an
 * append-only log of zod-typed events. Rooms are adapters between clients and this value; whatever
 * persists matches subscribes to it and can rebuild it with `MatchLifecycle.restore(json)`.
 * Pure: no timers, no I/O; the clock is injected.
 */
import { z } from 'zod';
import type { LoggedControl } from '../../shared/control.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { FairSeed } from './fair-seed.ts';
import { MatchEvent, MatchKind, MatchPhase, type MatchEventInput } from './match-events.ts';

/** Which phases each phase may move on to. Stored and aborted are final. */
const NEXT: Record<MatchPhase, readonly MatchPhase[]> = {
  lobby: ['countdown', 'running', 'aborted'],
  countdown: ['lobby', 'running', 'aborted'],
  running: ['settling', 'aborted'],
  settling: ['stored', 'aborted'],
  stored: [],
  aborted: [],
};

/** Whether a match may move from one phase to the other. */
export function canTransition(from: MatchPhase, to: MatchPhase): boolean {
  return NEXT[from].includes(to);
}

/** Raised for a transition the state machine does not have (the message names both phases). */
export class IllegalTransitionError extends Error {
  readonly code = 'ILLEGAL_TRANSITION' as const;
  readonly from: MatchPhase;
  readonly to: MatchPhase;
  constructor(from: MatchPhase, to: MatchPhase) {
    super(`a match cannot go from ${from} to ${to}${NEXT[from].length ? ` (only to ${NEXT[from].join(', ')})` : ` (${from} is final)`}`);
    this.from = from;
    this.to = to;
  }
}

/** JSON as the log keeps it (create options, tournament context). */
const Json = z.json();

/** A lifecycle as JSON: what `toJSON` gives and `restore` takes. */
export const MatchLifecycleJson = z.object({
  version: z.literal(1),
  id: z.string().min(1),
  kind: MatchKind,
  roomId: z.string(),
  /** The room's create options as it parsed them (task, budget, pace, ...). */
  options: z.record(z.string(), Json),
  /** The seed every run of the match trains with (null where the kind has none yet). */
  seed: z.number().int().nullable(),
  /** The seed with its salt and commitment, where the server drew it (fair seeds): secret until the match is over. */
  fairSeed: FairSeed.optional(),
  /** Set for a tournament's match: which tournament and round. */
  tournament: z.object({ id: z.string(), round: z.number().int().min(0) }).optional(),
  /** Derived from the log; checked on restore. */
  phase: MatchPhase,
  events: z.array(MatchEvent),
});
export type MatchLifecycleJson = z.infer<typeof MatchLifecycleJson>;

/** What a listener hears after each change: the event appended, its index in the log, and the phase after it. */
export interface MatchChange {
  seq: number;
  event: MatchEvent;
  phase: MatchPhase;
}
export type MatchListener = (change: MatchChange, match: MatchLifecycle) => void;

/** A seat as the log tells it: who, with which network, which run, and how it ended. */
export interface MatchEntry {
  seat: number;
  playerId: string;
  name: string;
  spec?: ModelSpec;
  /** A GAN battle's side: its role and design. */
  design?: Extract<MatchEvent, { type: 'design' }>['design'];
  role?: Extract<MatchEvent, { type: 'design' }>['role'];
  params?: number;
  summary?: string;
  runId?: string;
  job?: Extract<MatchEvent, { type: 'launch' }>['job'];
  result?: Extract<MatchEvent, { type: 'result' }>;
}

export interface MatchLifecycleInit {
  id: string;
  kind: MatchKind;
  roomId: string;
  options?: Record<string, unknown>;
  seed?: number | null;
  fairSeed?: FairSeed;
  tournament?: { id: string; round: number };
}

/** The clock a lifecycle stamps events with (ms since the epoch); `Date.now` by default. */
export type Clock = () => number;

export class MatchLifecycle {
  readonly id: string;
  readonly kind: MatchKind;
  readonly roomId: string;
  readonly options: Readonly<Record<string, z.infer<typeof Json>>>;
  readonly seed: number | null;
  readonly fairSeed?: FairSeed;
  readonly tournament?: { id: string; round: number };
  private readonly log: MatchEvent[] = [];
  private current: MatchPhase = 'lobby';
  private readonly listeners = new Set<MatchListener>();
  private readonly now: Clock;

  constructor(init: MatchLifecycleInit, now: Clock = Date.now) {
    this.id = init.id;
    this.kind = MatchKind.parse(init.kind);
    this.roomId = init.roomId;
    // Through JSON once, so what is kept is exactly what `toJSON` gives back (no undefined keys, no class instances).
    this.options = z.record(z.string(), Json).parse(JSON.parse(JSON.stringify(init.options ?? {})));
    this.seed = init.seed ?? init.fairSeed?.seed ?? null;
    if (init.fairSeed) this.fairSeed = FairSeed.parse(init.fairSeed);
    if (init.tournament) this.tournament = { ...init.tournament };
    this.now = now;
  }

  /** The phase the match is in. */
  get phase(): MatchPhase {
    return this.current;
  }

  /** Whether the match is over (stored or aborted). */
  get ended(): boolean {
    return this.current === 'stored' || this.current === 'aborted';
  }

  /** The log, oldest first. */
  get events(): readonly MatchEvent[] {
    return this.log;
  }

  /**
   * Moves the match to `to`, logging a `phase` event (and an `aborted` event when aborting, which needs a reason).
   * Throws `IllegalTransitionError` for a move the state machine does not have.
   */
  transition(to: MatchPhase, reason?: string): void {
    const from = this.current;
    if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
    if (to === 'aborted' && !reason) throw new Error('a match is aborted with a reason');
    this.append({ type: 'phase', at: this.now(), from, to, ...(reason ? { reason } : {}) });
    if (to === 'aborted') this.append({ type: 'aborted', at: this.now(), reason: reason! });
  }

  /**
   * Appends an event (validated; `at` defaults to the clock). Phase changes go through `transition`;
   * a `stored` event moves a settling match to stored, an `aborted` one aborts it.
   */
  record(input: MatchEventInput): MatchEvent {
    const event = MatchEvent.parse({ at: this.now(), ...input });
    if (event.type === 'phase') throw new Error('a phase change is made with transition(), not recorded');
    if (event.type === 'aborted') {
      this.transition('aborted', event.reason);
      return this.log.at(-1)!;
    }
    if (event.type === 'stored') {
      if (!canTransition(this.current, 'stored')) throw new IllegalTransitionError(this.current, 'stored');
      this.append({ type: 'phase', at: event.at, from: this.current, to: 'stored' });
    }
    this.append(event);
    return event;
  }

  /** Hears every change from now on; returns the function that stops it. */
  subscribe(listener: MatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every seat taken and still held, in seat order, with what the log says about it. */
  entries(): MatchEntry[] {
    const seats = new Map<number, MatchEntry>();
    const byRun = new Map<string, MatchEntry>();
    for (const e of this.log) {
      if (e.type === 'join' && e.role === 'player' && e.seat !== undefined && e.playerId) seats.set(e.seat, { seat: e.seat, playerId: e.playerId, name: e.name });
      else if (e.type === 'leave' && e.role === 'player' && e.seat !== undefined) seats.delete(e.seat);
      else if (e.type === 'spec') {
        const entry = seats.get(e.seat);
        if (entry) Object.assign(entry, { spec: e.spec, params: e.params, summary: e.summary });
      } else if (e.type === 'design') {
        const entry = seats.get(e.seat);
        if (entry) Object.assign(entry, { design: e.design, role: e.role, summary: e.summary });
      } else if (e.type === 'launch' && e.seat !== undefined) {
        const entry = seats.get(e.seat);
        if (entry) {
          Object.assign(entry, { runId: e.runId, job: e.job });
          byRun.set(e.runId, entry);
        }
      } else if (e.type === 'result') {
        const entry = byRun.get(e.runId);
        if (entry) entry.result = e;
      }
    }
    return [...seats.values()].sort((a, b) => a.seat - b.seat);
  }

  /** The controls that took effect in a run, in order, with their steps: what a resumed run replays. */
  controls(runId: string): LoggedControl[] {
    return this.log.flatMap((e) => (e.type === 'control' && e.runId === runId ? [{ step: e.step, control: e.control }] : []));
  }

  /** What `toJSON` gives but the phase and the log: the match's fixed facts, without copying its (growing) log. */
  header(): Omit<MatchLifecycleJson, 'phase' | 'events'> {
    return {
      version: 1,
      id: this.id,
      kind: this.kind,
      roomId: this.roomId,
      options: JSON.parse(JSON.stringify(this.options)),
      seed: this.seed,
      ...(this.fairSeed ? { fairSeed: { ...this.fairSeed } } : {}),
      ...(this.tournament ? { tournament: { ...this.tournament } } : {}),
    };
  }

  toJSON(): MatchLifecycleJson {
    return { ...this.header(), phase: this.current, events: this.log.map((e) => structuredClone(e)) };
  }

  /** Rebuilds a lifecycle from `toJSON`'s output (validated; the log must replay to the phase it claims). */
  static restore(json: unknown, now: Clock = Date.now): MatchLifecycle {
    const data = MatchLifecycleJson.parse(json);
    const match = new MatchLifecycle(
      { id: data.id, kind: data.kind, roomId: data.roomId, options: data.options, seed: data.seed, ...(data.fairSeed ? { fairSeed: data.fairSeed } : {}), ...(data.tournament ? { tournament: data.tournament } : {}) },
      now,
    );
    for (const event of data.events) {
      if (event.type === 'phase') {
        if (event.from !== match.current) throw new Error(`the log is broken: a phase event from ${event.from} while the match is ${match.current}`);
        if (!canTransition(event.from, event.to)) throw new IllegalTransitionError(event.from, event.to);
        match.current = event.to;
      }
      match.log.push(event);
    }
    if (match.current !== data.phase) throw new Error(`the log replays to ${match.current}, not to ${data.phase}`);
    return match;
  }

  private append(event: MatchEvent): void {
    if (event.type === 'phase') this.current = event.to;
    this.log.push(event);
    const change: MatchChange = { seq: this.log.length - 1, event, phase: this.current };
    for (const listener of this.listeners) listener(change, this);
  }
}
