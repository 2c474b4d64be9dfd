import type { Kysely } from 'kysely';
import { RunView } from './run-view.schema.ts';
import type { Database } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import { findRunRow, findRunSeedReveal } from './run.repository.ts';

/** A stored run with its run file, or undefined. */
export async function loadRun(db: Kysely<Database>, id: string): Promise<RunView | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await findRunRow(db, id);
  if (!r) return undefined;
  const m = r.match_id ? await findRunSeedReveal(db, r.match_id) : undefined;
  return RunView.parse({
    id: r.id,
    playerId: r.player_id,
    matchId: r.match_id,
    status: r.status,
    final: r.final,
    heldOutAccuracy: r.held_out_accuracy,
    samples: r.samples,
    flops: r.flops,
    parameters: r.parameters,
    architecture: r.architecture,
    weightsHash: r.weights_hash,
    backend: r.backend,
    parentRunId: r.parent_run_id,
    parentStep: r.parent_step,
    createdAt: r.created_at.toISOString(),
    runFile: {
      format: 'gradient-arena-run',
      version: 1,
      spec: r.spec,
      task: r.task,
      seed: r.seed,
      budget: r.budget,
      controls: r.controls,
      ...(r.arithmetic !== 1 ? { arithmetic: r.arithmetic } : {}),
      ...(r.parent_run_id && r.parent_step !== null ? { parent: { runId: r.parent_run_id, step: r.parent_step } } : {}),
      ...(r.weights_hash && r.backend ? { expected: { weightsHash: r.weights_hash, backend: r.backend, samples: r.samples } } : {}),
      ...(m ? { seedReveal: { scheme: m.seed_scheme, commitment: m.seed_commitment, seed: m.seed, salt: m.seed_salt } } : {}),
    },
  });
}
