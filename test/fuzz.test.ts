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
    // What the operator sees: one warn line per connection the gate or the transport closed, never a stack trace.
    const records = server.log().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const gate = records.filter((r) => r.module === 'gate');
    expect(gate.some((r) => r.msg === 'closed a connection that sent what no client sends' && r.level === 40)).toBe(true);
    expect(gate.some((r) => r.msg === 'closed a WebSocket that sent a bad frame' && r.level === 40)).toBe(true);
    expect(records.filter((r) => 'stack' in r || JSON.stringify(r).includes('    at ')), 'no stack traces in the log').toEqual([]);
  }, 300_000);
});
