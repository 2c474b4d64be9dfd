import type { Kysely } from 'kysely';
import { Match, type MatchEntry } from '../../shared/match.schema.ts';
import type { Database } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import type { RunRecord } from '../runs/run.record.ts';
import { insertRuns } from '../runs/run.repository.ts';
import { findMatchRows, insertMatch } from './match.repository.ts';

/**
 * Stores a finished match, its entries and their runs. Pass a transaction to
 * store it together with what the match changes elsewhere (ratings, XP).
 */
export async function saveMatch(db: Kysely<Database>, match: Match, runs: readonly RunRecord[], tournament?: { id: string; round: number }): Promise<void> {
  await insertRuns(db, runs.map((r) => ({ ...r, matchId: null })));
  await insertMatch(db, {
    match: {
      id: match.id,
      room_id: match.roomId,
      kind: match.kind,
      task: match.task,
      seed: match.seed,
      budget: match.budget,
      started_at: new Date(match.startedAt),
      finished_at: new Date(match.finishedAt),
      tournament_id: tournament?.id ?? null,
      round: tournament?.round ?? null,
      rated: match.rated,
      seed_scheme: match.seedReveal?.scheme ?? null,
      seed_commitment: match.seedReveal?.commitment ?? null,
      seed_salt: match.seedReveal?.salt ?? null,
      status: match.status ?? 'finished',
      abort_reason: match.status === 'aborted' ? (match.abortReason ?? 'aborted') : null,
    },
    entries: match.entries.map((e: MatchEntry) => ({
      seat: e.seat,
      player_name: e.player,
      player_id: e.playerId,
      run_id: e.runId,
      spec: e.spec,
      status: e.status,
      rank: e.rank,
      held_out_accuracy: e.heldOutAccuracy,
      val_accuracy: e.valAccuracy,
      loss: e.loss,
      samples: e.samples,
      weights_hash: e.weightsHash,
      backend: e.backend,
      error: e.error,
    })),
  });
  // Runs are inserted before their match exists (entries point at runs); link them now.
  if (runs.length > 0) await db.updateTable('runs').set({ match_id: match.id }).where('id', 'in', runs.map((r) => r.id)).execute();
}

/** A stored match, or undefined when there is none with that id. */
export async function loadMatch(db: Kysely<Database>, id: string): Promise<Match | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await findMatchRows(db, id);
  if (!rows) return undefined;
  const { match, entries } = rows;
  return Match.parse({
    id: match.id,
    roomId: match.room_id,
    kind: match.kind,
    task: match.task,
    seed: match.seed,
    rated: match.rated,
    seedReveal: match.seed_commitment === null ? null : { scheme: match.seed_scheme, commitment: match.seed_commitment, seed: match.seed, salt: match.seed_salt },
    budget: match.budget,
    startedAt: match.started_at.toISOString(),
    finishedAt: match.finished_at.toISOString(),
    status: match.status,
    abortReason: match.abort_reason,
    entries: entries.map((e) => ({
      seat: e.seat,
      player: e.player_name,
      playerId: e.player_id,
      runId: e.run_id,
      spec: e.spec,
      status: e.status,
      rank: e.rank,
      heldOutAccuracy: e.held_out_accuracy,
      valAccuracy: e.val_accuracy,
      loss: e.loss,
      samples: e.samples,
      weightsHash: e.weights_hash,
      backend: e.backend,
      error: e.error,
      curve: e.curve ?? null,
    })),
  });
}
