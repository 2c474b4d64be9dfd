/**
 * `npm run bench -- <suite> [--json]`: speed measured in one run, each figure
 * beside its baseline. Suites: engine, db.
 */
import { dbBench } from './db.bench.ts';
import { engineBench } from './engine.bench.ts';

const suites: Record<string, (json: boolean) => Promise<void>> = { engine: engineBench, db: dbBench };
const [name, ...rest] = process.argv.slice(2);
const suite = name ? suites[name] : undefined;
if (!suite) {
  console.error(`usage: npm run bench -- <${Object.keys(suites).join('|')}> [--json]`);
  process.exit(2);
}
await suite(rest.includes('--json'));
process.exit(0);
