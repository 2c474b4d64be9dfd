/**
 * `npm run bench -- soak [--json] [--quick]`: memory stays bounded. The real
 * arena (embedded PGlite, training threads) in a process of its own runs a
 * warm-up, is measured after forced GCs, then plays "an hour's worth" at
 * speed (bench/soak/soak.ts `HOUR`: 1,000 joins and leaves across room kinds,
 * 120 3-player races, 40 playground runs, 20,000 fuzz messages), settles and
 * is measured again.
 *
 * Figures: RSS, main-thread heap, external and array buffers after the
 * warm-up and at the end, after forced GCs, and their ratios; the resident
 * WebAssembly memory (PGlite's and the training threads' tf.js heaps, which
 * never shrink); the training threads' V8 heaps; rooms, clients, runs and
 * timers left. `--quick`: a tenth of the workload. SOAK_ROUNDS=<n> plays the
 * long phase n times, measured after each (growth that levels off is a
 * high-water mark; a leak goes on).
 *
 * SOAK_SNAPSHOTS=<dir> writes main-thread heap snapshots and memory maps after
 * the warm-up and at the end (compare them with bench/soak/diff-snapshots.ts).
 * Such a run's RSS figures say nothing: writing a snapshot mallocs well over
 * 100 MB on the main thread, which glibc keeps in its heap afterwards.
 */
import { HOUR, mb, QUICK, runSoak } from './soak/soak.ts';

export async function soakBench(json: boolean, quick = process.argv.includes('--quick')): Promise<void> {
  const log = (s: string) => !json && console.log(s);
  const workload = quick ? QUICK : HOUR;
  log(`soak: ${workload.joins} joins and leaves, ${workload.races} 3-player races (budget ${workload.raceBudget}), ${workload.playgroundRuns} playground runs, ${workload.fuzzMessages} fuzz messages`);
  const r = await runSoak({ workload, progress: log, rounds: Number(process.env.SOAK_ROUNDS ?? 1), snapshotDir: process.env.SOAK_SNAPSHOTS });
  const row = (name: string, key: 'rss' | 'heapUsed' | 'external' | 'arrayBuffers' | 'wasmResident' | 'anonResident' | 'mallocHeapResident' | 'fileResident') =>
    log(`  ${name.padEnd(22)} ${String(mb(r.warm[key])).padStart(8)} MB → ${String(mb(r.after[key])).padStart(8)} MB  (${(r.after[key] / r.warm[key]).toFixed(3)}×)`);
  log(`  long phase ${r.seconds.toFixed(0)} s, settled in ${r.settleSeconds.toFixed(0)} s; after forced GCs, warm-up → end:`);
  row('rss', 'rss');
  row('main heap used', 'heapUsed');
  row('external', 'external');
  row('array buffers', 'arrayBuffers');
  row('wasm resident', 'wasmResident');
  row('other anonymous', 'anonResident');
  row('  of it malloc [heap]', 'mallocHeapResident');
  row('mapped files', 'fileResident');
  log(`  wasm memories: ${r.warm.wasmMemories.map(mb).join(', ')} MB → ${r.after.wasmMemories.map(mb).join(', ')} MB`);
  log(`  training threads' heaps: ${r.warm.threadHeapUsed.map(mb).join(', ')} MB → ${r.after.threadHeapUsed.map(mb).join(', ')} MB used; ${r.warm.threadHeapPhysical.map(mb).join(', ')} MB → ${r.after.threadHeapPhysical.map(mb).join(', ')} MB held`);
  log(`  main heap held ${mb(r.warm.heapTotal)} MB → ${mb(r.after.heapTotal)} MB; V8's malloc (main, threads) ${r.warm.malloced.map(mb).join(', ')} MB → ${r.after.malloced.map(mb).join(', ')} MB`);
  log(`  left: ${r.after.rooms} rooms, ${r.after.clients} clients, ${r.after.trainerRuns} runs; timers ${r.warm.resources.Timeout ?? 0} → ${r.after.resources.Timeout ?? 0}`);
  if (r.problems.length) log(`  problems: ${r.problems.slice(0, 10).join('; ')}`);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  console.log(
    JSON.stringify({
      workload: r.workload,
      done: r.done,
      seconds: Math.round(r.seconds),
      rssWarmMb: mb(r.warm.rss),
      rssAfterMb: mb(r.after.rss),
      rssRatio: round(r.rssRatio),
      rssByRoundMb: r.rounds.map((m) => mb(m.rss)),
      heapWarmMb: mb(r.warm.heapUsed),
      heapAfterMb: mb(r.after.heapUsed),
      heapRatio: round(r.heapRatio),
      externalMb: [mb(r.warm.external), mb(r.after.external)],
      arrayBuffersMb: [mb(r.warm.arrayBuffers), mb(r.after.arrayBuffers)],
      wasmResidentMb: [mb(r.warm.wasmResident), mb(r.after.wasmResident)],
      wasmMemoriesMb: [r.warm.wasmMemories.map(mb), r.after.wasmMemories.map(mb)],
      anonResidentMb: [mb(r.warm.anonResident), mb(r.after.anonResident)],
      mallocHeapMb: [mb(r.warm.mallocHeapResident), mb(r.after.mallocHeapResident)],
      fileResidentMb: [mb(r.warm.fileResident), mb(r.after.fileResident)],
      threadHeapMb: [r.warm.threadHeapUsed.map(mb), r.after.threadHeapUsed.map(mb)],
      threadHeapPhysicalMb: [r.warm.threadHeapPhysical.map(mb), r.after.threadHeapPhysical.map(mb)],
      heapTotalMb: [mb(r.warm.heapTotal), mb(r.after.heapTotal)],
      left: { rooms: r.after.rooms, clients: r.after.clients, runs: r.after.trainerRuns, timers: r.after.resources.Timeout ?? 0 },
      problems: r.problems.length,
    }),
  );
}
