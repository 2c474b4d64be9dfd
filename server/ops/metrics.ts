import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';

/** What a run is, for labels: a classifier/regressor run or a GAN battle. */
export type RunKind = 'train' | 'gan';
/** How a run this server followed came to an end. */
export type RunOutcome = 'finished' | 'diverged' | 'failed' | 'cancelled';

/** Queue states reported by `arena_queue_jobs`. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** Where the scrape-time figures come from. */
export interface MetricSources {
  /** Name for the `queue` label: the BullMQ queue, or `embedded`. */
  queueName: string;
  /**
   * Jobs per state on the training queue, read at each scrape (BullMQ). Without it (the embedded trainer,
   * which has no queue) `active` is the runs this server is training and every other state is 0.
   */
  queueJobs?: () => Promise<Partial<Record<QueueState, number>>>;
  /** This process's rooms, read at each scrape. */
  rooms: () => Promise<ReadonlyArray<{ name: string; clients: number }>>;
  /** Every room type defined, so that one without rooms reads 0 rather than vanishing. */
  roomNames: () => string[];
}

interface LiveRun {
  kind: RunKind;
  samples: number;
  samplesPerSec: number;
}

/** Histogram buckets of telemetry lag, in seconds: from a frame made next door to one stuck behind a busy Redis. */
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The arena's Prometheus metrics, on a registry of its own (so several arenas in one process do not
 * collide). Runs are reported to it by `meteredTrainer`; queue depth and rooms are read when scraped.
 */
export class ArenaMetrics {
  readonly registry = new Registry();
  private readonly live = new Map<string, LiveRun>();
  private readonly samplesTrained: Counter;
  private readonly telemetryLag: Histogram;
  private readonly runsStarted: Counter<'kind'>;
  private readonly runsEnded: Counter<'kind' | 'outcome'>;

  constructor(sources: MetricSources, log: Logger) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const live = this.live;

    new Gauge({
      name: 'arena_queue_jobs',
      help: 'Training jobs on the queue by state (embedded trainer: active runs only)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        let counts: Partial<Record<QueueState, number>>;
        if (sources.queueJobs) {
          try {
            counts = await sources.queueJobs();
          } catch (err) {
            // A scrape must not fail because Redis hiccuped; the gauge keeps its last values.
            log.warn({ err }, 'metrics: could not read the queue counts');
            return;
          }
        } else counts = { active: live.size };
        for (const state of QUEUE_STATES) this.set({ queue: sources.queueName, state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: 'arena_runs_active',
      help: 'Runs this server is following (submitted and not yet done, failed or cancelled)',
      labelNames: ['kind'],
      registers,
      collect() {
        const counts: Record<RunKind, number> = { train: 0, gan: 0 };
        for (const run of live.values()) counts[run.kind]++;
        for (const [kind, n] of Object.entries(counts)) this.set({ kind }, n);
      },
    });
    new Gauge({
      name: 'arena_training_samples_per_second',
      help: 'Sum of the latest samples-per-second of every active run',
      registers,
      collect() {
        let sum = 0;
        for (const run of live.values()) sum += run.samplesPerSec;
        this.set(sum);
      },
    });
    this.samplesTrained = new Counter({
      name: 'arena_training_samples_total',
      help: 'Training samples the runs this server followed went through (re-trained samples after a rewind or resume count again)',
      registers,
    });
    this.telemetryLag = new Histogram({
      name: 'arena_telemetry_lag_seconds',
      help: 'Time from a telemetry frame being made by the trainer to its arrival at the server',
      buckets: LAG_BUCKETS,
      registers,
    });
    this.runsStarted = new Counter({ name: 'arena_runs_started_total', help: 'Runs submitted to the trainer', labelNames: ['kind'], registers });
    this.runsEnded = new Counter({ name: 'arena_runs_ended_total', help: 'Runs that ended, by outcome', labelNames: ['kind', 'outcome'], registers });

    const roomGauge = (name: string, help: string, value: (room: { clients: number }) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['room'],
        registers,
        async collect() {
          const totals = new Map(sources.roomNames().map((n) => [n, 0]));
          for (const room of await sources.rooms()) totals.set(room.name, (totals.get(room.name) ?? 0) + value(room));
          this.reset();
          for (const [room, n] of totals) this.set({ room }, n);
        },
      });
    roomGauge('arena_rooms', 'Rooms open on this server, by room type', () => 1);
    roomGauge('arena_room_clients', 'Clients connected to rooms on this server, by room type', (r) => r.clients);
  }

  /** A run was handed to the trainer. */
  runStarted(runId: string, kind: RunKind): void {
    this.live.set(runId, { kind, samples: 0, samplesPerSec: 0 });
    this.runsStarted.inc({ kind });
  }

  /**
   * A telemetry frame arrived. `createdAt` (ms since the epoch, the trainer's clock) gives the lag; a
   * negative lag (clocks of two machines apart) counts as 0.
   */
  frame(runId: string, frame: { createdAt: number; samples?: number; samplesPerSec?: number }, now = Date.now()): void {
    this.telemetryLag.observe(Math.max(0, now - frame.createdAt) / 1000);
    const run = this.live.get(runId);
    if (!run) return;
    if (frame.samples !== undefined) this.countSamples(run, frame.samples);
    if (frame.samplesPerSec !== undefined) run.samplesPerSec = frame.samplesPerSec;
  }

  /** A run ended; `samples` is its final count where it has one. */
  runEnded(runId: string, outcome: RunOutcome, samples?: number): void {
    const run = this.live.get(runId);
    if (!run) return;
    if (samples !== undefined) this.countSamples(run, samples);
    this.live.delete(runId);
    this.runsEnded.inc({ kind: run.kind, outcome });
  }

  /** The text a Prometheus scrape gets. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Only forward progress counts: after a rewind or a resume from a checkpoint the count drops and climbs again. */
  private countSamples(run: LiveRun, samples: number): void {
    if (samples > run.samples) this.samplesTrained.inc(samples - run.samples);
    run.samples = samples;
  }
}
