import { describe, expect, it } from 'vitest';
import { commitmentOf } from '../server/match/fair-seed.ts';
import { DEFAULT_SPEC } from '../shared/model-spec.schema.ts';
import { RunFile } from '../shared/run.schema.ts';
import { SEED_SCHEME } from '../shared/seed-commitment.ts';
import { seedProblem, verdictOf } from './replay.command.ts';
import { apiUrlOf } from './replay-source.ts';

const expected = { weightsHash: 'a'.repeat(64), backend: 'wasm', samples: 1000 };

describe('arena replay verdicts', () => {
  it('verifies only a replay that ends where the file expects, on the same backend', () => {
    expect(verdictOf(expected, { weightsHash: 'a'.repeat(64), samples: 1000 }, 'wasm')).toEqual({ outcome: 'match' });
    expect(verdictOf(expected, { weightsHash: 'b'.repeat(64), samples: 1000 }, 'wasm')).toMatchObject({ outcome: 'mismatch' });
    expect(verdictOf(expected, { weightsHash: 'a'.repeat(64), samples: 999 }, 'wasm')).toMatchObject({ outcome: 'mismatch' });
    expect(verdictOf(undefined, { weightsHash: 'a'.repeat(64), samples: 1000 }, 'wasm')).toMatchObject({ outcome: 'unverified', why: expect.stringContaining('no expected block') });
    expect(verdictOf(expected, { weightsHash: 'a'.repeat(64), samples: 1000 }, 'cpu')).toMatchObject({ outcome: 'unverified', why: expect.stringContaining('made on the wasm backend') });
  });

  it('holds a seed reveal to its commitment and every run to the revealed seed', async () => {
    const salt = '3c'.repeat(32);
    const reveal = { scheme: SEED_SCHEME, commitment: commitmentOf(9, salt), seed: 9, salt };
    const run = (seed: number, extra: Partial<RunFile> = {}) => ({ label: `run on ${seed}`, run: RunFile.parse({ format: 'gradient-arena-run', version: 1, spec: DEFAULT_SPEC, task: { name: 'xor' }, seed, budget: 100, controls: [], ...extra }) });
    expect(await seedProblem(reveal, [run(9), run(9, { seedReveal: reveal })])).toBeUndefined();
    expect(await seedProblem({ ...reveal, seed: 10 }, [run(10)])).toContain('not to the commitment');
    expect(await seedProblem(reveal, [run(9), run(10)])).toContain('run on 10 trained on seed 10');
    expect(await seedProblem(reveal, [run(9, { seedReveal: { ...reveal, commitment: 'd'.repeat(64) } })])).toContain('not its match');
  });

  it("takes the match page's address for the API's", () => {
    const id = '0b9d0c9e-5a3c-4c1e-9a43-7b3e2b7b5f10';
    expect(apiUrlOf(`https://arena.example/#/matches/${id}`).href).toBe(`https://arena.example/api/matches/${id}`);
    expect(apiUrlOf(`http://localhost:2567/api/runs/${id}`).href).toBe(`http://localhost:2567/api/runs/${id}`);
  });
});
