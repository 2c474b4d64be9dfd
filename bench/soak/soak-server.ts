/**
 * The arena for the soak (bench/soak/soak.ts): `startArena` with embedded
 * PGlite in the folder DATA_DIR names, in a process of its own started with
 * `--expose-gc` and an IPC channel, so that memory is read from outside the
 * production code. Messages from the parent:
 * - `{ type: 'measure' }`: forces full GCs (main thread) and answers with a
 *   `SoakMeasure` (process, heap, training threads, rooms, timers);
 * - `{ type: 'snapshot', file }`: writes a heap snapshot of the main thread there;
 * - `{ type: 'stop' }`: closes the arena and exits.
 * It sends `{ type: 'ready', port }` once it listens.
 */
import { readFileSync } from 'node:fs';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import type { Worker } from 'node:worker_threads';
import { matchMaker } from '@colyseus/core';
import { startArena } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';

/** What one measurement reads, sizes in bytes. */
export interface SoakMeasure {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Resident bytes of the WebAssembly memories (PGlite's; the training threads' tf.js heaps), all together. */
  wasmResident: number;
  /** The same, each memory apart, largest first. */
  wasmMemories: number[];
  /** Resident bytes of the other anonymous mappings (every thread's V8 heap, malloc, stacks) and of mapped files. */
  anonResident: number;
  /** Of `anonResident`, the main malloc arena (`[heap]`, grown with brk): what the main thread's native code mallocs, and glibc keeps. */
  mallocHeapResident: number;
  fileResident: number;
  /** V8 heap used by each training thread (after the thread's own GC has run, whenever it did), and the heap it holds from the system. */
  threadHeapUsed: number[];
  threadHeapPhysical: number[];
  /** Bytes V8 itself has malloc'ed, main thread then each training thread. */
  malloced: number[];
  /** Native contexts alive in the main thread (a leaked vm context or worker shows here). */
  nativeContexts: number;
  rooms: number;
  clients: number;
  /** Runs the embedded trainer still follows. */
  trainerRuns: number;
  /** Active libuv handles and requests by kind (Timeout, TCPWrap, …). */
  resources: Record<string, number>;
}

if (!process.send || typeof global.gc !== 'function') throw new Error('soak-server.ts runs as a child with an IPC channel and --expose-gc');
const gc = global.gc;
const send = process.send.bind(process);

const arena = await startArena(readConfig(process.env));
// The embedded trainer (behind the metrics proxy): its threads are private, read here only to measure them.
const trainer = arena.services.trainer as unknown as { threads?: Array<{ worker: Worker }>; listeners?: Map<string, unknown> };

interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  file: string;
  rss: number;
}

function mappings(): Mapping[] {
  const out: Mapping[] = [];
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) out.push({ start: BigInt(`0x${head[1]}`), end: BigInt(`0x${head[2]}`), perms: head[3]!, file: head[4]!, rss: 0 });
    else if (line.startsWith('Rss:')) out[out.length - 1]!.rss = Number(line.split(/\s+/)[1]) * 1024;
  }
  return out;
}

/**
 * Where the resident memory is, from /proc/self/smaps: `wasm`, the memories of
 * WebAssembly instances (PGlite's, and the training threads' tf.js heaps), each
 * the read-write mappings just below a reservation of 4 GiB or more that V8 keeps
 * inaccessible for its bounds checks; `anon`, every other anonymous mapping (V8
 * heaps of all threads, malloc arenas, stacks); `file`, mapped files (code).
 */
function residentBreakdown(): { wasm: number[]; anon: number; file: number; heap: number } {
  const maps = mappings();
  const wasm: number[] = [];
  const inWasm = new Set<Mapping>();
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i]!;
    if (m.perms !== '---p' || m.end - m.start < 4n * 1024n ** 3n) continue;
    let rss = 0;
    for (let j = i - 1, end = m.start; j >= 0 && maps[j]!.end === end && maps[j]!.perms.startsWith('rw') && !maps[j]!.file; end = maps[j]!.start, j--) {
      rss += maps[j]!.rss;
      inWasm.add(maps[j]!);
    }
    if (rss > 0) wasm.push(rss);
  }
  let anon = 0;
  let file = 0;
  let heap = 0;
  for (const m of maps) {
    if (inWasm.has(m)) continue;
    if (m.file === '[heap]') heap += m.rss;
    if (m.file.startsWith('/')) file += m.rss;
    else anon += m.rss;
  }
  return { wasm: wasm.sort((a, b) => b - a), anon, file, heap };
}

async function measure(): Promise<SoakMeasure> {
  // Several rounds, with turns of the event loop between them: finalizers and weak callbacks run, and what they free goes next time.
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const mem = process.memoryUsage();
  const resident = residentBreakdown();
  const threads = trainer.threads ?? [];
  const none = { used_heap_size: -1, total_physical_size: -1, malloced_memory: -1 };
  const threadHeaps = await Promise.all(threads.map((t) => t.worker.getHeapStatistics().catch(() => none)));
  const main = getHeapStatistics();
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  return {
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    wasmResident: resident.wasm.reduce((a, b) => a + b, 0),
    wasmMemories: resident.wasm,
    anonResident: resident.anon,
    mallocHeapResident: resident.heap,
    fileResident: resident.file,
    threadHeapUsed: threadHeaps.map((h) => h.used_heap_size),
    threadHeapPhysical: threadHeaps.map((h) => h.total_physical_size),
    malloced: [main.malloced_memory, ...threadHeaps.map((h) => h.malloced_memory)],
    nativeContexts: main.number_of_native_contexts,
    rooms: matchMaker.stats.local.roomCount,
    clients: matchMaker.stats.local.ccu,
    trainerRuns: trainer.listeners?.size ?? -1,
    resources,
  };
}

process.on('message', (msg: { type: string; file?: string }) => {
  void (async () => {
    if (msg.type === 'measure') send({ type: 'measure', measure: await measure() });
    else if (msg.type === 'snapshot') {
      gc();
      send({ type: 'snapshot', file: writeHeapSnapshot(msg.file) });
    } else if (msg.type === 'stop') {
      await arena.close();
      process.exit(0);
    }
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
});
process.on('disconnect', () => void arena.close().finally(() => process.exit(0)));
send({ type: 'ready', port: arena.port });
