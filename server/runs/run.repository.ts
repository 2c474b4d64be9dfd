import type { Kysely } from 'kysely';
import type { Database, MatchRow, RunRow } from '../db/tables.ts';
import type { RunRecord } from './run.record.ts';

/** Inserts runs (one statement). */
export async function insertRuns(db: Kysely<Database>, runs: readonly RunRecord[]): Promise<void> {
  if (runs.length === 0) return;
  await db
    .insertInto('runs')
    .values(
      runs.map((r) => ({
        id: r.id,
        player_id: r.playerId,
        match_id: r.matchId,
        spec: JSON.stringify(r.spec),
        task: JSON.stringify(r.task),
        seed: r.seed,
        budget: r.budget,
        controls: JSON.stringify(r.controls),
        arithmetic: r.arithmetic ?? 1,
        status: r.status,
        final: r.final ? JSON.stringify(r.final) : null,
        held_out_accuracy: r.heldOutAccuracy,
        samples: r.samples,
        flops: r.flops,
        parameters: r.parameters,
        architecture: r.architecture,
        converged_samples: r.convergedSamples,
        converged_flops: r.convergedFlops,
        weights_hash: r.weightsHash,
        backend: r.backend,
        parent_run_id: r.parentRunId,
        parent_step: r.parentStep,
        checkpoint_ref: null,
        curve: r.curve ? JSON.stringify(r.curve) : null,
      })),
    )
    .execute();
}

export function findRunRow(db: Kysely<Database>, id: string): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The seed commitment and reveal of the match a run belongs to, if it has one. */
export function findRunSeedReveal(db: Kysely<Database>, matchId: string): Promise<Pick<MatchRow, 'seed' | 'seed_scheme' | 'seed_commitment' | 'seed_salt'> | undefined> {
  return db.selectFrom('matches').select(['seed', 'seed_scheme', 'seed_commitment', 'seed_salt']).where('id', '=', matchId).where('seed_commitment', 'is not', null).executeTakeFirst();
}
