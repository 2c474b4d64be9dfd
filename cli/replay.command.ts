import { parseArgs } from 'node:util';
import type { Match } from '../shared/match.schema.ts';
import { runFileJob, type RunFile, type RunResult } from '../shared/run.schema.ts';
import { checkSeedReveal, type SeedReveal } from '../shared/seed-commitment.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { loadReplaySource, matchRuns, type RunToReplay } from './replay-source.ts';
import { UsageError } from './usage-error.ts';

export const REPLAY_USAGE = `arena replay SOURCE [--json]
  SOURCE: a run file (arena train --export DIR writes DIR/run.json), a run as GET /api/runs/ID
  answers (a file, or its URL), or a stored match: http://HOST/api/matches/ID or the match
  page's address http://HOST/#/matches/ID (every finished entry is replayed).
  A run or match that carries a seed commitment is checked first: its seed and salt must hash to
  the commitment published when the match started, and every run must use that seed; if not,
  nothing is replayed. Each run is then trained again from its spec, task, seed, budget and
  control log, and its weights hash compared with the one it expects.
  Exit codes: 0 every run replayed bit for bit; 1 a mismatch (weights hash, samples, or a seed
  reveal that does not match its commitment); 2 a bad file or address; 3 nothing verified (a run
  file without its expected block, or one made on another tf.js backend).`;

/** Exit codes, as documented above. */
export const ReplayExit = { Verified: 0, Mismatch: 1, BadInput: 2, NothingVerified: 3 } as const;
type ReplayExit = (typeof ReplayExit)[keyof typeof ReplayExit];

/** How one replay compares with what its file expects. */
export type ReplayVerdict = { outcome: 'match' } | { outcome: 'mismatch'; why: string } | { outcome: 'unverified'; why: string };

/** Compares a replay with the file's `expected` block; a missing block or another backend verifies nothing. */
export function verdictOf(expected: RunFile['expected'], result: Pick<RunResult, 'weightsHash' | 'samples'>, backend: string): ReplayVerdict {
  if (!expected) return { outcome: 'unverified', why: 'the file has no expected block: nothing to compare the replay with' };
  if (expected.backend !== backend) return { outcome: 'unverified', why: `the file was made on the ${expected.backend} backend and this machine runs ${backend}: the weights cannot be compared bit for bit` };
  if (expected.weightsHash !== result.weightsHash) return { outcome: 'mismatch', why: `the replay ended with weights ${result.weightsHash}; the file expects ${expected.weightsHash}` };
  if (expected.samples !== result.samples) return { outcome: 'mismatch', why: `the replay trained ${result.samples} samples; the file expects ${expected.samples}` };
  return { outcome: 'match' };
}

/** Why a seed reveal (and the seeds the runs used) does not hold, or undefined when it does. */
export async function seedProblem(reveal: SeedReveal, runs: readonly RunToReplay[]): Promise<string | undefined> {
  const check = await checkSeedReveal(reveal);
  if (!check.ok) return check.reason;
  const off = runs.find((r) => r.run.seed !== reveal.seed);
  if (off) return `${off.label} trained on seed ${off.run.seed}, but the seed revealed for its match is ${reveal.seed}`;
  const other = runs.find((r) => r.run.seedReveal && r.run.seedReveal.commitment !== reveal.commitment);
  if (other) return `${other.label} carries the commitment ${other.run.seedReveal!.commitment}, not its match's ${reveal.commitment}`;
  return undefined;
}

/** `arena replay`: checks a seed commitment, re-runs each run and verifies it bit for bit. */
export async function replayCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const source = positionals[0];
  if (!source) throw new UsageError('give what to replay: arena replay FILE, or arena replay http://HOST/api/matches/ID');
  const loaded = await loadReplaySource(source);
  let match: Match | undefined;
  let runs: RunToReplay[];
  let reveal: SeedReveal | undefined;
  if (loaded.kind === 'match') {
    match = loaded.match;
    runs = await matchRuns(match, loaded.url);
    if (runs.length === 0) throw new UsageError(`${source}: no entry of this match finished: there is nothing to replay`);
    reveal = match.seedReveal ?? undefined;
    if (reveal && reveal.seed !== match.seed) return fail(values.json, `match ${match.id} says it trained on seed ${match.seed}, but its reveal says ${reveal.seed}`);
  } else {
    runs = [loaded.item];
    reveal = loaded.item.run.seedReveal;
  }

  // The commitment first: a reveal that does not match it is not replayed at all.
  const seedCheck = reveal ? await seedProblem(reveal, runs) : undefined;
  if (seedCheck) return fail(values.json, seedCheck);
  const seedNote = reveal ? `seed ${reveal.seed} matches the commitment ${reveal.commitment} published at the start` : 'no seed commitment to check (a run made outside a match, or a match stored before commitments)';
  if (!values.json) console.log(`${reveal ? 'seed verified' : 'seed'}: ${seedNote}`);

  const backend = await initBackend();
  const reports = [];
  let exit: ReplayExit = ReplayExit.Verified;
  for (const { label, run } of runs) {
    const result = await runTraining(runFileJob(run, 'replay'));
    const verdict = verdictOf(run.expected, result, backend);
    const expected = run.expected;
    reports.push({
      run: label,
      weightsHash: result.weightsHash,
      expected: expected?.weightsHash ?? null,
      backend,
      expectedBackend: expected?.backend ?? null,
      match: verdict.outcome === 'match' ? true : verdict.outcome === 'mismatch' ? false : null,
      verdict: verdict.outcome,
      ...(verdict.outcome === 'match' ? {} : { why: verdict.why }),
      samples: result.samples,
      final: result.final,
    });
    if (verdict.outcome === 'mismatch') exit = ReplayExit.Mismatch;
    else if (verdict.outcome === 'unverified' && exit === ReplayExit.Verified) exit = ReplayExit.NothingVerified;
    if (!values.json) {
      const name = runs.length > 1 ? `${label}: ` : '';
      if (verdict.outcome === 'match') console.log(`${name}replayed bit for bit: ${result.weightsHash}`);
      else if (verdict.outcome === 'mismatch') console.log(`${name}MISMATCH: replayed (${backend}) to ${result.weightsHash}, but ${verdict.why}`);
      else console.log(`${name}NOT VERIFIED: replayed (${backend}) to ${result.weightsHash}, but ${verdict.why}; this replay verified nothing`);
    }
  }
  const seed = reveal ? { verified: true, seed: reveal.seed, commitment: reveal.commitment } : null;
  if (values.json) console.log(JSON.stringify(match ? { matchId: match.id, rated: match.rated, seed, runs: reports } : { ...reports[0], seed }));
  process.exitCode = exit;
}

/** A seed reveal that does not hold: said loudly, nothing replayed, exit code 1. */
function fail(json: boolean | undefined, why: string): void {
  if (json) console.log(JSON.stringify({ seed: { verified: false, why } }));
  console.error(`SEED REVEAL DOES NOT MATCH ITS COMMITMENT: ${why}. Nothing was replayed.`);
  process.exitCode = ReplayExit.Mismatch;
}
