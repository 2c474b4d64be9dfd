import type { Kysely } from 'kysely';
import { RunCurve } from '../../shared/match.schema.ts';
import type { Database } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import type { ModelReplayer, ReplayedModel } from './model-replayer.ts';
import type { RunView } from './run-view.schema.ts';
import { findRunRow } from './run.repository.ts';

/** Why a stored run cannot be exported as asked (the API answers 404, 409 or 503 with the message). */
export class RunExportError extends Error {
  readonly code: 'NOT_FOUND' | 'NO_CURVE' | 'NO_MODEL' | 'NOT_REPRODUCED';
  constructor(code: RunExportError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** A stored run's curve; undefined when there is no such run, null when it kept none. */
export async function loadRunCurve(db: Kysely<Database>, id: string): Promise<RunCurve | null | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await findRunRow(db, id);
  if (!row) return undefined;
  return row.curve ? RunCurve.parse(row.curve) : null;
}

/**
 * A stored run's model: its run file trained again (runs are deterministic on a backend), checked against the
 * weights hash the run was stored with, so what is exported is the very model the run ended with.
 */
export async function exportRunModel(run: RunView, replayer: Pick<ModelReplayer, 'model'>): Promise<ReplayedModel> {
  const expected = run.runFile.expected;
  if (run.status === 'failed' || !expected) throw new RunExportError('NO_MODEL', `run ${run.id} failed before it finished: it has no model to export`);
  const model = await replayer.model(run.id, run.runFile);
  if (model.weightsHash !== expected.weightsHash || model.samples !== expected.samples) {
    const why = model.backend === expected.backend ? 'the replay did not reproduce them' : `the run was trained on the ${expected.backend} backend and this server replays on ${model.backend}`;
    throw new RunExportError('NOT_REPRODUCED', `run ${run.id} ended with weights ${expected.weightsHash}; replaying it here gave ${model.weightsHash} (${why}), so no model is exported`);
  }
  return model;
}
