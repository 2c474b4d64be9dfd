/**
 * `npm run bench -- <suite> [--json]`: speed measured in one run, each figure
 * beside its baseline. Suites: engine, db, scale, fanout, client, soak, capacity (`--quick`: a short run to see it work),
 * tiny (only the engine's tiny nets against the scalar references, the first part of engine),
 * probes (only what probes cost an MNIST run, engine's `mnist.probe*` figures).
 */
import { capacityBench } from './capacity.bench.ts';
import { clientBench } from './client.bench.ts';
import { dbBench } from './db.bench.ts';
import { engineBench } from './engine.bench.ts';
import { fanoutBench } from './fanout.bench.ts';
import { probesBench } from './mnist/probes.bench.ts';
import { scaleBench } from './scale.bench.ts';
import { soakBench } from './soak.bench.ts';
import { tinyBench } from './tiny/tiny.bench.ts';

const suites: Record<string, (json: boolean) => Promise<void>> = { engine: engineBench, db: dbBench, scale: scaleBench, fanout: (json) => fanoutBench(json), client: (json) => clientBench(json), soak: (json) => soakBench(json), tiny: tinyBench, probes: probesBench, capacity: capacityBench };
const [name, ...rest] = process.argv.slice(2);
const suite = name ? suites[name] : undefined;
if (!suite) {
  console.error(`usage: npm run bench -- <${Object.keys(suites).join('|')}> [--json] [--quick]`);
  process.exit(2);
}
await suite(rest.includes('--json'));
process.exit(0);
