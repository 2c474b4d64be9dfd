/**
 * The results the outbox can hold, each with its schema (a waiting result is read back from disk) and the
 * store it waits for. Every store here is idempotent by its key: a match or run already stored is not
 * stored again, XP and achievements pay once per source key, and a tournament's rows are upserts.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { LessonId } from '../../shared/lesson.schema.ts';
import { Match } from '../../shared/match.schema.ts';
import { GanMatch } from '../../shared/gan-match.schema.ts';
import { RunEvent } from '../../shared/run.schema.ts';
import type { Database } from '../db/tables.ts';
import { recordAbortedMatch, recordGanResult, recordRaceResult, recordSoloRun, recordTournamentResult, type Unlock } from '../progression/progression.service.ts';
import { RunRecord } from '../runs/run.record.ts';
import { insertTournament } from '../tournament/tournament.repository.ts';
import type { OutboxKind } from './result-outbox.ts';

export const RacePayload = z.object({
  match: Match,
  runs: z.array(RunRecord),
  /** The runs' events by run id (a Map in memory). */
  events: z.array(z.tuple([z.string(), z.array(RunEvent)])),
  tournament: z.object({ id: z.string(), round: z.number().int() }).optional(),
});

/** A match called off (after a restart its runs could not be carried on): stored with no rating or XP. */
export const AbortedPayload = RacePayload.omit({ events: true }).extend({ reason: z.string().min(1) });

export const SoloPayload = z.object({
  run: RunRecord,
  events: z.array(RunEvent),
  credit: z.object({ challengePassed: z.enum(['target', 'smallest', 'robust']).optional(), lessonPassed: LessonId.optional() }).optional(),
});

const TournamentRow = z.object({ id: z.string(), name: z.string(), format: z.enum(['single_elimination', 'swiss']), task: z.unknown() });
export const TournamentFinishPayload = TournamentRow.extend({ ranking: z.array(z.string()), rated: z.boolean() });

/** A GAN battle, stored as a match of kind `gan` (see `recordGanResult`). */
export const GanBattlePayload = GanMatch;

/** The kinds of result the outbox keeps, bound to a database. */
export function storedResults(db: Kysely<Database>) {
  return {
    race: {
      schema: RacePayload,
      store: (p: z.infer<typeof RacePayload>): Promise<Unlock[]> => recordRaceResult(db, { match: p.match, runs: p.runs, events: new Map(p.events), ...(p.tournament ? { tournament: p.tournament } : {}) }),
    } satisfies OutboxKind<z.infer<typeof RacePayload>, Unlock[]>,
    aborted: {
      schema: AbortedPayload,
      store: (p: z.infer<typeof AbortedPayload>): Promise<boolean> => recordAbortedMatch(db, { match: p.match, runs: p.runs, ...(p.tournament ? { tournament: p.tournament } : {}) }, p.reason),
    } satisfies OutboxKind<z.infer<typeof AbortedPayload>, boolean>,
    solo: {
      schema: SoloPayload,
      store: (p: z.infer<typeof SoloPayload>): Promise<Unlock[]> => recordSoloRun(db, p.run, p.events, p.credit ?? {}),
    } satisfies OutboxKind<z.infer<typeof SoloPayload>, Unlock[]>,
    tournamentOpen: {
      schema: TournamentRow,
      store: async (p: z.infer<typeof TournamentRow>): Promise<Unlock[]> => (await insertTournament(db, p), []),
    } satisfies OutboxKind<z.infer<typeof TournamentRow>, Unlock[]>,
    tournamentFinish: {
      schema: TournamentFinishPayload,
      store: (p: z.infer<typeof TournamentFinishPayload>): Promise<Unlock[]> => recordTournamentResult(db, p),
    } satisfies OutboxKind<z.infer<typeof TournamentFinishPayload>, Unlock[]>,
    ganBattle: {
      schema: GanBattlePayload,
      store: (p: z.infer<typeof GanBattlePayload>): Promise<Unlock[]> => recordGanResult(db, p),
    } satisfies OutboxKind<z.infer<typeof GanBattlePayload>, Unlock[]>,
  };
}
export type StoredResults = ReturnType<typeof storedResults>;
