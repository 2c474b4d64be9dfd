/**
 * `npm run fuzz -- [--messages 100000] [--seed N] [--server URL] [--json]`:
 * fuzzes an arena and prints a summary. Without `--server` it starts its own
 * server process and also checks that server's log. Exit code 1 when the
 * arena did not hold.
 */
import { parseArgs } from 'node:util';
import { logProblems, runFuzz } from './fuzz-run.ts';
import { startFuzzServer } from './fuzz-server.ts';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '10000' }, seed: { type: 'string' }, server: { type: 'string' }, json: { type: 'boolean', default: false } },
});
const messages = Number(values.messages);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(messages) || messages < 1) throw new Error('--messages must be a positive whole number');
if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');

const own = values.server ? undefined : await startFuzzServer();
const url = values.server ?? own!.url;
const progress = (line: string) => process.stderr.write(`${line}\n`);
progress(`fuzzing ${url} with ${messages} messages, seed ${seed}`);
const summary = await runFuzz({ url, seed, messages, progress });
if (own) {
  summary.problems.push(...logProblems(own.log()));
  await own.cleanup();
}
if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
else {
  process.stdout.write(`seed ${summary.seed}: ${summary.sent} messages and frames sent, ${summary.refusals} refused with an error, ${summary.closed} connections closed\n`);
  for (const p of summary.phases) process.stdout.write(`  ${p.name.padEnd(30)} ${String(p.sent).padStart(7)} in ${p.seconds} s\n`);
  for (const [label, n] of Object.entries(summary.byLabel).sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${label.padEnd(38)} ${n}\n`);
  process.stdout.write(summary.problems.length ? `PROBLEMS:\n${summary.problems.map((p) => `  - ${p}`).join('\n')}\n` : 'the arena held: no problems\n');
}
process.exit(summary.problems.length ? 1 : 0);
