/** What the capacity benchmark's processes tell each other (bench/capacity.bench.ts). */
import { z } from 'zod';

export const BotsConfig = z.object({
  /** Servers to create races on, in turn (the race's players and spectator join where it lives). */
  servers: z.array(z.string().url()).min(1),
  races: z.number().int().min(1),
  /** Index of this process: names its bots. */
  index: z.number().int().min(0),
  budget: z.number().int().min(100),
  paceSeconds: z.number().int().min(0),
  /** A race not finished this long after its start counts as ended off pace. */
  timeoutSeconds: z.number().positive(),
});
export type BotsConfig = z.infer<typeof BotsConfig>;

export const ENTRIES = 4;

/** What one race looked like from its spectator. */
export interface RaceSeen {
  roomId: string;
  server: string;
  /** Wall-clock ms when the spectator saw the training phase, and the finished phase (0: never). */
  trainingAt: number;
  finishedAt: number;
  /** [runId, samples, wall-clock ms] whenever an entry's sample count changed in the spectator's state. */
  seen: Array<[string, number, number]>;
  error?: string;
}

/** What a server process of the benchmark reports over its IPC channel on `report`. */
export interface ServerReport {
  /** CPU the whole process used (main thread, training threads, V8's helpers) since `mark`, in seconds, and the wall time. */
  cpuSeconds: number;
  seconds: number;
  /** The same for the main thread alone (rooms, patches, sockets, PGlite, saved-run files): the rest is training. */
  mainThreadCpuSeconds: number;
  /** [ms since `mark`, ms late] for each time a 20 ms timer on the main thread fired over 100 ms late. */
  stalls: Array<[number, number, number, number]>;
  /** The main thread's event-loop delay since `mark`, ms. */
  eventLoop: { p50: number; p99: number; max: number };
  /** [runId, samples, frame createdAt, arrival at the room's listener] for every frame a race's room was handed. */
  frames: Array<[string, number, number, number]>;
  rssMb: number;
}
