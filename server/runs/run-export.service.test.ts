import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../shared/model-spec.schema.ts';
import type { ReplayedModel } from './model-replayer.ts';
import { exportRunModel, RunExportError } from './run-export.service.ts';
import type { RunView } from './run-view.schema.ts';

const expected = { weightsHash: 'a'.repeat(64), backend: 'wasm', samples: 1000 };
const run = (over: Partial<RunView> = {}): RunView =>
  ({
    id: '00000000-0000-4000-8000-000000000001',
    status: 'finished',
    runFile: { format: 'gradient-arena-run', version: 1, spec: DEFAULT_SPEC, task: { name: 'xor' }, seed: 1, budget: 1000, controls: [], expected },
    ...over,
  }) as RunView;
const replayed = (over: Partial<ReplayedModel> = {}): ReplayedModel => ({ backend: 'wasm', weightsHash: expected.weightsHash, samples: 1000, heldOutAccuracy: 0.9, modelJson: {}, weights: new Uint8Array(4), ...over });
const replayer = (m: ReplayedModel) => ({ model: async () => m });

describe("exporting a stored run's model", () => {
  it('gives the replayed model only when it ends with the weights the run was stored with', async () => {
    await expect(exportRunModel(run(), replayer(replayed()))).resolves.toMatchObject({ weightsHash: expected.weightsHash });
    await expect(exportRunModel(run(), replayer(replayed({ weightsHash: 'b'.repeat(64) })))).rejects.toMatchObject({ code: 'NOT_REPRODUCED', message: expect.stringContaining('the replay did not reproduce them') });
    await expect(exportRunModel(run(), replayer(replayed({ weightsHash: 'b'.repeat(64), backend: 'tensorflow' })))).rejects.toMatchObject({ code: 'NOT_REPRODUCED', message: expect.stringContaining('this server replays on tensorflow') });
  });

  it('refuses a failed run, which has no model, without replaying it', async () => {
    let asked = false;
    const failed = run({ status: 'failed', runFile: { ...run().runFile, expected: undefined } });
    const err = await exportRunModel(failed, { model: async () => ((asked = true), replayed()) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunExportError);
    expect(err).toMatchObject({ code: 'NO_MODEL' });
    expect(asked).toBe(false);
  });
});
