/**
 * `node bench/soak/diff-snapshots.ts before.heapsnapshot after.heapsnapshot [rows]`:
 * objects by constructor (node name for objects, type otherwise) in two V8
 * heap snapshots, the largest growths in count and self size first. What the
 * soak's snapshots (SOAK_SNAPSHOTS=<dir>) are for.
 */
import { readFileSync } from 'node:fs';

interface Tally {
  count: number;
  size: number;
}

function tally(file: string): Map<string, Tally> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, Tally>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType!]!]!;
    const key = type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + iName!]!]}` : type;
    const t = out.get(key) ?? { count: 0, size: 0 };
    t.count++;
    t.size += snap.nodes[i + iSize!]!;
    out.set(key, t);
  }
  return out;
}

const [before, after, rows = '40'] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node bench/soak/diff-snapshots.ts before.heapsnapshot after.heapsnapshot [rows]');
  process.exit(2);
}
const a = tally(before);
const b = tally(after);
const diff = [...new Set([...a.keys(), ...b.keys()])].map((k) => {
  const x = a.get(k) ?? { count: 0, size: 0 };
  const y = b.get(k) ?? { count: 0, size: 0 };
  return { key: k.slice(0, 70), count: y.count - x.count, size: y.size - x.size, after: y.count };
});
const total = (m: Map<string, Tally>) => [...m.values()].reduce((s, t) => s + t.size, 0);
console.log(`self size ${(total(a) / 2 ** 20).toFixed(1)} MB → ${(total(b) / 2 ** 20).toFixed(1)} MB`);
console.log('by count:');
for (const d of diff.sort((p, q) => q.count - p.count).slice(0, Number(rows))) console.log(`  ${String(d.count).padStart(8)} ${String(d.size).padStart(10)} B  ${d.key} (${d.after})`);
console.log('by size:');
for (const d of diff.sort((p, q) => q.size - p.size).slice(0, Number(rows))) console.log(`  ${String(d.count).padStart(8)} ${String(d.size).padStart(10)} B  ${d.key} (${d.after})`);
