import type { Kysely } from 'kysely';
import { Match, type MatchEntry } from '../../shared/match.schema.ts';
import type { Database } from '../db/tables.ts';
import { findMatchRows, insertMatch } from './match.repository.ts';

/** Stores a finished match and its entries. */
export async function saveMatch(db: Kysely<Database>, match: Match): Promise<void> {
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
    },
    entries: match.entries.map((e: MatchEntry) => ({
      seat: e.seat,
      player_name: e.player,
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
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A stored match, or undefined when there is none with that id. */
export async function loadMatch(db: Kysely<Database>, id: string): Promise<Match | undefined> {
  if (!UUID.test(id)) return undefined;
  const rows = await findMatchRows(db, id);
  if (!rows) return undefined;
  const { match, entries } = rows;
  return Match.parse({
    id: match.id,
    roomId: match.room_id,
    kind: match.kind,
    task: match.task,
    seed: match.seed,
    budget: match.budget,
    startedAt: match.started_at.toISOString(),
    finishedAt: match.finished_at.toISOString(),
    entries: entries.map((e) => ({
      seat: e.seat,
      player: e.player_name,
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
    })),
  });
}
