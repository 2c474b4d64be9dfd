/**
 * What a server that starts does with the matches the previous process left
 * unfinished (live_matches): a running race is handed to a new room under its
 * old room id, which carries it on from its log; a match that cannot be carried
 * on is stored as aborted with the reason (no rating or XP moves); one that had
 * not started yet is closed. Nothing here stores a match twice: storing is
 * once per match id (progression.service).
 */
import { randomUUID } from 'node:crypto';
import { ServerError } from '@colyseus/core';
import type { Kysely } from 'kysely';
import { TrainJob } from '../../shared/run.schema.ts';
import type { Database } from '../db/tables.ts';
import { moduleLogger } from '../logger.ts';
import type { RaceResult } from '../progression/progression.service.ts';
import { drawFairSeed } from './fair-seed.ts';
import { MatchLifecycle } from './lifecycle.ts';
import { deleteLiveMatch, isMatchStored, listLiveMatches } from './live-match.repository.ts';
import type { MatchPhase } from './match-events.ts';
import { raceMatchResult, type RaceMatchOutcome, type ResumedRuns } from './match-runner.ts';

const log = moduleLogger('match-recovery');

/** A match offered to the room that carries it on, with the matches it carries along (a tournament's matches under way). */
export interface Resumed {
  match: MatchLifecycle;
  companions: MatchLifecycle[];
}

/** Matches found at start-up, each waiting for the room that carries it on, under a single-use token. */
export class ResumableMatches {
  private readonly waiting = new Map<string, Resumed>();

  /** Puts a match (and the matches it carries along) up for its room; the token goes in the room's create options. */
  offer(match: MatchLifecycle, companions: MatchLifecycle[] = []): string {
    const token = randomUUID();
    this.waiting.set(token, { match, companions });
    return token;
  }

  /** What was offered under `token`, once (undefined for a token nobody offered: a client cannot make one up). */
  take(token: string): Resumed | undefined {
    const resumed = this.waiting.get(token);
    this.waiting.delete(token);
    return resumed;
  }
}

/**
 * What a room is created to carry on (create options `{ resume: token }` from `recoverMatches`), or
 * undefined for an ordinary create. A token nobody offered, or a room id that is not the match's, is refused.
 */
export function takeResumedWith(resumable: ResumableMatches, raw: unknown, roomId: string): Resumed | undefined {
  const token = typeof raw === 'object' && raw !== null ? (raw as { resume?: unknown }).resume : undefined;
  if (token === undefined) return undefined;
  const resumed = typeof token === 'string' ? resumable.take(token) : undefined;
  if (!resumed) throw new ServerError(400, 'resume: no match waits to be carried on under that token');
  if (resumed.match.roomId !== roomId) throw new ServerError(500, `the match was in room ${resumed.match.roomId}, not ${roomId}`);
  return resumed;
}

/** The match a room is created to carry on (see `takeResumedWith`), or undefined for an ordinary create. */
export function takeResumed(resumable: ResumableMatches, raw: unknown, roomId: string): MatchLifecycle | undefined {
  return takeResumedWith(resumable, raw, roomId)?.match;
}

/** Whether `match` is a tournament's own log (round 0: its players, rounds and decided pairings), not one of its matches. */
export function isTournamentCourse(match: MatchLifecycle): boolean {
  return match.kind === 'tournament' && match.tournament?.round === 0;
}

/** The phase a log replays to (the header's may lag behind when it was written before the last events). */
function phaseOf(events: readonly unknown[]): MatchPhase {
  let phase: MatchPhase = 'lobby';
  for (const e of events as Array<{ type?: string; to?: MatchPhase }>) if (e.type === 'phase' && e.to) phase = e.to;
  return phase;
}

/**
 * What a room resuming `match` gives `runMatch`: each seat's job as launched and the samples its log had
 * heard (the last frame summary, or the result). A run that had ended before the restart is followed
 * again unpaced (the embedded trainer trains it again to the same result; BullMQ answers from its stream).
 */
export function resumedRuns(match: MatchLifecycle): ResumedRuns {
  const jobs = new Map<number, TrainJob>();
  const heard = new Map<number, number>();
  for (const entry of match.entries()) {
    if (!entry.job || !('spec' in entry.job)) continue;
    const frames = match.events.filter((e) => e.type === 'frame' && e.runId === entry.runId);
    const last = frames.at(-1);
    jobs.set(entry.seat, entry.result ? TrainJob.parse({ ...entry.job, paceMs: 0 }) : entry.job);
    heard.set(entry.seat, entry.result?.samples ?? (last?.type === 'frame' ? last.samples : 0));
  }
  return { jobs, heard };
}

/** The match as stored when it is called off: its entries and their runs as far as the log says, none ranked. */
export function abortedResult(match: MatchLifecycle, reason: string): Omit<RaceResult, 'events'> {
  const entries = match.entries().filter((e): e is typeof e & { job: TrainJob } => !!e.job && 'spec' in e.job);
  const first = entries[0]?.job;
  if (!first) throw new Error(`match ${match.id} launched no runs: there is nothing to store`);
  const outcomes: RaceMatchOutcome[] = entries.map((e) => {
    const frames = match.events.filter((x) => x.type === 'frame' && x.runId === e.runId);
    const last = frames.at(-1);
    return { entry: { seat: e.seat, player: e.name, playerId: e.playerId, spec: e.job.spec }, job: e.job, events: [], error: `aborted: ${reason}`, samples: last?.type === 'frame' ? last.samples : 0, rank: e.seat + 1 };
  });
  const startedAt = match.events.find((e) => e.type === 'phase' && e.to === 'running')?.at ?? match.events[0]?.at ?? Date.now();
  const curves = new Map(
    entries.map((e) => [
      e.seat,
      match.events.flatMap((x) => (x.type === 'frame' && x.runId === e.runId && x.loss !== null && x.valAccuracy !== null ? [{ samples: x.samples, loss: x.loss, valAccuracy: x.valAccuracy }] : [])),
    ]),
  );
  // A match from before fair seeds has none: it is stored as rated with a commitment to its own seed (it changes no rating anyway).
  const fairSeed = match.fairSeed ?? { ...drawFairSeed(first.seed), rated: true };
  const { runs, match: stored, tournament } = raceMatchResult(outcomes, {
    id: match.id,
    roomId: match.roomId,
    conditions: { task: first.task, budget: first.budget, seed: first.seed },
    fairSeed,
    startedAt: new Date(startedAt),
    curves,
    ...(match.tournament ? { tournament: match.tournament } : {}),
  });
  return { match: stored, runs, ...(tournament ? { tournament } : {}) };
}

/** What `recoverMatches` needs from the server. */
export interface RecoveryDeps {
  db: Kysely<Database>;
  /** Stores a called-off match (once per id, no rating or XP). */
  recordAborted(result: Omit<RaceResult, 'events'>, reason: string): Promise<unknown>;
  /** Closes a tournament called off (status aborted), when its own log cannot be carried on. */
  abortTournament(id: string): Promise<void>;
  /** Whether the match's result waits in the results outbox (the database was away): it is stored from there. */
  waitsInOutbox(matchId: string): boolean;
  /**
   * Creates the room that carries a running match on, under the match's room id, with the matches it carries
   * along (a tournament's matches under way); undefined for kinds no room resumes.
   */
  resumeRoom(match: MatchLifecycle, companions: MatchLifecycle[]): Promise<void> | undefined;
}

/** What start-up did with each unfinished match, by id. */
export interface RecoveryReport {
  resumed: string[];
  aborted: string[];
  closed: string[];
}

/**
 * Finds the matches the previous process left unfinished and deals with each:
 * stored already (the process died after storing it): forgotten; not started
 * (lobby, countdown): closed, nothing to store; running or settling: its room
 * is created again to carry it on, or, where no room can (or creating it
 * fails), it is stored as aborted with the reason. A log that cannot be read is
 * logged and forgotten.
 */
export async function recoverMatches(deps: RecoveryDeps): Promise<RecoveryReport> {
  const report: RecoveryReport = { resumed: [], aborted: [], closed: [] };
  const running: MatchLifecycle[] = [];
  for (const row of await listLiveMatches(deps.db)) {
    let match: MatchLifecycle;
    try {
      match = MatchLifecycle.restore({ ...row.header, phase: phaseOf(row.events), events: row.events });
    } catch (err) {
      log.error({ matchId: row.id, err }, 'an unfinished match cannot be read back: it is forgotten');
      await deleteLiveMatch(deps.db, row.id);
      report.closed.push(row.id);
      continue;
    }
    if (deps.waitsInOutbox(match.id)) continue; // storing it from the outbox deletes its live rows
    if ((await isMatchStored(deps.db, match.id)) || match.ended || match.phase === 'lobby' || match.phase === 'countdown') {
      if (match.phase === 'lobby' || match.phase === 'countdown') log.warn({ matchId: match.id, roomId: match.roomId, kind: match.kind }, 'a match that had not started when the server stopped is closed');
      await deleteLiveMatch(deps.db, match.id);
      report.closed.push(match.id);
      continue;
    }
    running.push(match);
  }
  // A tournament comes back with its matches under way: its room carries them on; they are not rooms of their own.
  const carried = new Set<MatchLifecycle>();
  const order = [...running.filter(isTournamentCourse), ...running.filter((m) => !isTournamentCourse(m))];
  for (const match of order) {
    if (carried.has(match)) continue;
    const companions = isTournamentCourse(match) ? running.filter((m) => m !== match && m.kind === 'tournament' && m.tournament?.id === match.tournament!.id) : [];
    try {
      const resuming = deps.resumeRoom(match, companions);
      if (resuming) {
        await resuming;
        log.info({ matchId: match.id, roomId: match.roomId, kind: match.kind, carried: companions.map((m) => m.id) }, 'carrying on a match after a restart');
        for (const m of [match, ...companions]) carried.add(m), report.resumed.push(m.id);
        continue;
      }
      await abort(deps, match, `the server restarted, and a ${match.kind} match cannot be carried on after a restart yet`);
    } catch (err) {
      log.error({ matchId: match.id, err }, 'could not carry a match on after a restart');
      await abort(deps, match, `the server restarted, and the match could not be carried on (${err instanceof Error ? err.message : String(err)})`);
    }
    report.aborted.push(match.id);
  }
  return report;
}

/** Stores a match as aborted if it launched runs (otherwise there is nothing to store) and forgets its live rows. */
async function abort(deps: RecoveryDeps, match: MatchLifecycle, reason: string): Promise<void> {
  log.warn({ matchId: match.id, roomId: match.roomId, kind: match.kind, reason }, 'an unfinished match is called off');
  if (match.entries().some((e) => e.job && 'spec' in e.job)) await deps.recordAborted(abortedResult(match, reason), reason);
  if (isTournamentCourse(match)) await deps.abortTournament(match.tournament!.id);
  await deleteLiveMatch(deps.db, match.id);
}
