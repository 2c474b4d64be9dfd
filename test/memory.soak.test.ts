/**
 * Memory stays bounded: the soak of `npm run bench -- soak` at a tenth of its
 * size (bench/soak/soak.ts `QUICK`: 150 joins and leaves across room kinds,
 * 12 3-player races, 6 playground runs, 2,000 fuzz messages) against the real
 * arena in a process of its own. After forced GCs, the server's RSS at the end
 * is within 15% of what it was after the warm-up, and so is its main-thread
 * heap; no room, client, run or timer is left behind.
 */
import { describe, expect, it } from 'vitest';
import { mb, QUICK, runSoak } from '../bench/soak/soak.ts';

describe("memory under a tenth of the soak's hour of play, at speed", () => {
  it('comes back within 15% of the warmed-up figure once the rooms are gone', async () => {
    const r = await runSoak({ workload: QUICK });
    const figures = JSON.stringify({
      rssMb: [mb(r.warm.rss), mb(r.after.rss)],
      heapMb: [mb(r.warm.heapUsed), mb(r.after.heapUsed)],
      wasmMb: [r.warm.wasmMemories.map(mb), r.after.wasmMemories.map(mb)],
      anonMb: [mb(r.warm.anonResident), mb(r.after.anonResident)],
      threadHeapMb: [r.warm.threadHeapUsed.map(mb), r.after.threadHeapUsed.map(mb)],
    });
    expect(r.problems, figures).toEqual([]);
    expect(r.done).toMatchObject({ joins: QUICK.joins, races: QUICK.races, playgroundRuns: QUICK.playgroundRuns });
    expect(r.rssRatio, figures).toBeLessThanOrEqual(1.15);
    expect(r.heapRatio, figures).toBeLessThanOrEqual(1.15);
    expect({ rooms: r.after.rooms, clients: r.after.clients, runs: r.after.trainerRuns }).toEqual({ rooms: 0, clients: 0, runs: 0 });
    // Timers: none more than after the warm-up (the arena's own, such as the stats and metrics intervals, stay).
    expect(r.after.resources.Timeout ?? 0).toBeLessThanOrEqual(r.warm.resources.Timeout ?? 0);
  }, 400_000);
});
