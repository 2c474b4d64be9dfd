import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../shared/model-spec.schema.ts';
import { RunFile } from '../../shared/run.schema.ts';
import { ModelReplayer, ReplayBusyError } from './model-replayer.ts';

const file = (seed: number, budget = 2000): RunFile => RunFile.parse({ format: 'gradient-arena-run', version: 1, spec: DEFAULT_SPEC, task: { name: 'xor' }, seed, budget, controls: [] });

describe('the model replayer (a thread of its own, one replay at a time)', () => {
  let replayer: ModelReplayer | undefined;
  afterEach(async () => replayer?.close());

  it('replays a run once for simultaneous asks, keeps it, and gives the same weights as a second replay of the same file', async () => {
    replayer = new ModelReplayer({ nice: 0, cacheSize: 1 });
    const [a, b] = await Promise.all([replayer.model('run-a', file(1)), replayer.model('run-a', file(1))]);
    expect(b).toBe(a);
    expect(a.weightsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.samples).toBe(2000);
    expect(a.modelJson).toMatchObject({ format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'] }], userDefinedMetadata: { preprocessing: { task: 'xor' } } });
    expect(await replayer.model('run-a', file(1))).toBe(a); // kept
    const other = await replayer.model('run-b', file(2)); // pushes run-a out of a one-model cache
    expect(other.weightsHash).not.toBe(a.weightsHash);
    const again = await replayer.model('run-a', file(1));
    expect(again).not.toBe(a);
    expect(again.weightsHash).toBe(a.weightsHash);
  });

  it('abandons a replay past its time on a fresh thread for the next, and refuses more than maxWaiting', async () => {
    replayer = new ModelReplayer({ nice: 0, timeoutMs: 8000, maxWaiting: 1 });
    const slow = replayer.model('slow', file(3, 50_000_000));
    const waiting = replayer.model('quick', file(4));
    await expect(replayer.model('third', file(5))).rejects.toBeInstanceOf(ReplayBusyError);
    await expect(slow).rejects.toThrow(/took longer than 8000 ms and was abandoned/);
    expect((await waiting).samples).toBe(2000);
  });
});
