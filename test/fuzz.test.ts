import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logProblems, runFuzz } from './fuzz/fuzz-run.ts';
import { startFuzzServer } from './fuzz/fuzz-server.ts';

/** The seed of this run; FUZZ_SEED picks another (the summary prints it, so a failure can be replayed with `npm run fuzz -- --seed N`). */
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);

describe('the arena under fuzz', () => {
  let server: Awaited<ReturnType<typeof startFuzzServer>>;
  beforeAll(async () => {
    server = await startFuzzServer();
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('holds through 10,000 hostile messages in every room, then plays a fair race to its stored end', async () => {
    const summary = await runFuzz({ url: server.url, seed: SEED, messages: 10_000 });
    const problems = [...summary.problems, ...logProblems(server.log())];
    expect(problems, `seed ${SEED}: ${JSON.stringify(summary.phases)}`).toEqual([]);
    expect(summary.sent).toBeGreaterThanOrEqual(10_000);
    expect(summary.refusals, 'the rooms answered bad messages with errors').toBeGreaterThan(1000);
    expect(summary.phases.map((p) => p.name)).toContain('a fair race to its stored end');
    expect(server.child.exitCode).toBeNull();
  }, 300_000);
});
