/**
 * The server's telemetry reader against real Redis: one blocking read for
 * every run it follows, and a run watched while that read waits is read at
 * once, not when the read times out.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelemetryReader } from '../server/trainer/telemetry-reader.ts';
import { telemetryKey } from '../contract/redis-keys.ts';
import type { RunResult } from '../shared/run.schema.ts';
import { RunState } from '../workers/run-state.ts';
import { RunRecorder, waitFor } from './support/run-recorder.ts';
import { hasRedis, TEST_REDIS_URL } from './support/services.ts';

const ready = await hasRedis();

const result = (runId: string): RunResult => ({ runId, status: 'finished', steps: 1, samples: 32, flops: 0, final: { loss: 0, accuracy: 1, valLoss: 0, valAccuracy: 1 }, heldOutAccuracy: 1, weightsHash: 'h', backend: 'wasm', samplesPerSec: 1, durationMs: 1, controls: [] });

describe.skipIf(!ready)('TelemetryReader (real Redis)', () => {
  let redis: Redis;
  const runIds: string[] = [];
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    for (const id of runIds) await redis.del(telemetryKey(id));
    redis.disconnect();
  });

  it('a run watched while the read waits on other runs is read at once (the read is unblocked), not after the read times out', async () => {
    // A read that would wait a minute: only an unblock can end it within the test's time.
    const reader = new TelemetryReader(redis.duplicate(), { unblocker: redis, blockMs: 60_000 });
    const rec = new RunRecorder();
    const [quiet, late] = [`reader-quiet-${crypto.randomUUID()}`, `reader-late-${crypto.randomUUID()}`];
    runIds.push(quiet, late);
    try {
      reader.watch(quiet, rec.listen(quiet).listener);
      await waitFor(async () => ((await redis.client('LIST')) as string).split('\n').some((l) => l.includes('cmd=xread') && / flags=\S*b/.test(l)), 'the reader to block on the quiet run', 10_000);
      const state = new RunState(redis, late);
      state.done(result(late));
      await state.flush();
      const followed = rec.listen(late);
      reader.watch(late, followed.listener);
      await Promise.race([followed.settled, new Promise((_, reject) => setTimeout(() => reject(new Error('not read until the blocking read timed out')), 10_000))]);
      expect(followed.done).toEqual([result(late)]);
      // And it still follows the quiet one.
      const quietState = new RunState(redis, quiet);
      quietState.done(result(quiet));
      await quietState.flush();
      await waitFor(() => rec.timeline.some((e) => e.runId === quiet && e.kind === 'done'), 'the quiet run to be read too', 10_000);
    } finally {
      await reader.close();
    }
  });
});
