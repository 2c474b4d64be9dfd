/**
 * `npm run bench -- <suite> [--json]`: speed measured in one run, each figure
 * beside its baseline. Suites: engine, db, scale, fanout, client, soak (`--quick`: a short run to see it work).
 */
import { clientBench } from './client.bench.ts';
import { dbBench } from './db.bench.ts';
import { engineBench } from './engine.bench.ts';
import { fanoutBench } from './fanout.bench.ts';
import { scaleBench } from './scale.bench.ts';
import { soakBench } from './soak.bench.ts';

const suites: Record<string, (json: boolean) => Promise<void>> = { engine: engineBench, db: dbBench, scale: scaleBench, fanout: (json) => fanoutBench(json), client: (json) => clientBench(json), soak: (json) => soakBench(json) };
const [name, ...rest] = process.argv.slice(2);
const suite = name ? suites[name] : undefined;
if (!suite) {
  console.error(`usage: npm run bench -- <${Object.keys(suites).join('|')}> [--json] [--quick]`);
  process.exit(2);
}
await suite(rest.includes('--json'));
process.exit(0);
