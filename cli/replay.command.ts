import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { RunFile, TrainJob } from '../shared/run.schema.ts';
import { describeZodError } from '../shared/validation.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { runTraining } from '../workers/engine/run-training.ts';
import { UsageError } from './usage-error.ts';

export const REPLAY_USAGE = `arena replay FILE [--json]
  Replays a run file (spec, task, seed, budget, control log) and checks that it ends with the
  weights hash the file expects. Exit code 1 when it does not; a file made on another backend
  is replayed but cannot be compared bit for bit.`;

/** `arena replay`: re-runs a run file and verifies it bit for bit. */
export async function replayCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const file = positionals[0];
  if (!file) throw new UsageError('give the run file to replay: arena replay FILE');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = RunFile.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${file}: ${describeZodError(parsed.error).message}`);
  const run = parsed.data;
  const backend = await initBackend();
  const result = await runTraining(TrainJob.parse({ runId: 'replay', spec: run.spec, task: run.task, seed: run.seed, budget: run.budget, controls: run.controls }));
  const expected = run.expected;
  const comparable = expected !== undefined && expected.backend === backend;
  const match = comparable ? expected.weightsHash === result.weightsHash : null;
  const report = { weightsHash: result.weightsHash, expected: expected?.weightsHash ?? null, backend, expectedBackend: expected?.backend ?? null, match, samples: result.samples, final: result.final };
  if (values.json) console.log(JSON.stringify(report));
  else if (match === true) console.log(`replayed bit for bit: ${result.weightsHash}`);
  else if (match === false) console.log(`MISMATCH: replay ended with ${result.weightsHash}, the file expects ${expected!.weightsHash}`);
  else console.log(`replayed (${backend}): ${result.weightsHash}; ${expected ? `the file was made on ${expected.backend}, so it cannot be compared` : 'the file has no expected hash'}`);
  if (match === false) process.exitCode = 1;
}
