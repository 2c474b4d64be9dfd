import { z } from 'zod';
import { Metrics, RunFile } from '../../shared/run.schema.ts';

/** A stored run, as `GET /api/runs/:id` returns it, with its run file for replay. */
export const RunView = z.object({
  id: z.string(),
  playerId: z.string().nullable(),
  matchId: z.string().nullable(),
  status: z.enum(['finished', 'diverged', 'failed']),
  final: Metrics.nullable(),
  heldOutAccuracy: z.number().nullable(),
  samples: z.number().int(),
  flops: z.number(),
  parameters: z.number().int().nullable(),
  architecture: z.string().nullable(),
  weightsHash: z.string().nullable(),
  backend: z.string().nullable(),
  parentRunId: z.string().nullable(),
  parentStep: z.number().int().nullable(),
  createdAt: z.string(),
  runFile: RunFile,
});
export type RunView = z.infer<typeof RunView>;
