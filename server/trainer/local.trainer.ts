import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FromTrainer, type ToTrainer } from '../../shared/trainer.messages.ts';
import type { Control } from '../../shared/control.schema.ts';
import type { LandscapeRequest } from '../../shared/landscape.schema.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { GanJob } from '../../shared/gan.schema.ts';
import { describeZodError } from '../../shared/validation.ts';
import { ganRunListener, type GanListener, type RunListener, type SubmitOptions, type Trainer } from './trainer.port.ts';

const THREAD_FILE = new URL('../../workers/train.thread.ts', import.meta.url);

interface TrainingThread {
  worker: Worker;
  ready: Promise<string>;
  runs: Set<string>;
}

/** Options of the embedded trainer. */
export interface LocalTrainerOptions {
  /** Training threads (default: one per core). */
  threads?: number;
}

/**
 * The embedded trainer: a pool of worker threads in this process. Each run
 * goes to the thread with the fewest runs; a thread interleaves its runs.
 */
export class LocalTrainer implements Trainer {
  readonly kind = 'local' as const;
  private readonly threads: TrainingThread[] = [];
  private readonly listeners = new Map<string, { listener: RunListener; thread: TrainingThread; checkpoint?: Uint8Array }>();

  constructor(options: LocalTrainerOptions = {}) {
    const count = options.threads ?? availableParallelism();
    for (let i = 0; i < count; i++) this.threads.push(this.spawn());
  }

  private spawn(): TrainingThread {
    const worker = new Worker(THREAD_FILE);
    let resolveReady!: (backend: string) => void;
    let rejectReady!: (err: Error) => void;
    const ready = new Promise<string>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
    ready.catch(() => {}); // observed through backend() and submit()
    const thread: TrainingThread = { worker, ready, runs: new Set() };
    worker.on('message', (raw: unknown) => {
      const msg = FromTrainer.parse(raw);
      switch (msg.type) {
        case 'ready':
          resolveReady(msg.backend);
          return;
        case 'frame':
          this.listeners.get(msg.frame.runId)?.listener.onFrame(msg.frame);
          return;
        case 'probe':
          this.listeners.get(msg.probe.runId)?.listener.onProbe?.(msg.probe);
          return;
        case 'event':
          this.listeners.get(msg.event.runId)?.listener.onEvent?.(msg.event);
          return;
        case 'landscape':
          this.listeners.get(msg.landscape.runId)?.listener.onLandscape?.(msg.landscape);
          return;
        case 'checkpoint': {
          // The thread keeps every checkpoint for rewinds; this side keeps the latest, to fork from.
          const entry = this.listeners.get(msg.runId);
          if (entry) entry.checkpoint = msg.bytes;
          return;
        }
        case 'done':
          this.finish(msg.result.runId)?.onDone(msg.result);
          return;
        case 'failed':
          this.finish(msg.runId)?.onFailed(msg.message);
          return;
        case 'ganFrame':
          this.listeners.get(msg.frame.runId)?.listener.gan?.onFrame(msg.frame);
          return;
        case 'ganDone':
          this.finish(msg.result.runId)?.gan?.onDone(msg.result);
          return;
      }
    });
    worker.on('error', (err) => {
      rejectReady(err);
      for (const runId of [...thread.runs]) this.finish(runId)?.onFailed(`training thread crashed: ${err.message}`);
    });
    return thread;
  }

  private finish(runId: string): RunListener | undefined {
    const entry = this.listeners.get(runId);
    if (!entry) return undefined;
    this.listeners.delete(runId);
    entry.thread.runs.delete(runId);
    return entry.listener;
  }

  private send(thread: TrainingThread, msg: ToTrainer): void {
    thread.worker.postMessage(msg);
  }

  async submit(job: TrainJob, listener: RunListener, options: SubmitOptions = {}): Promise<void> {
    const parsed = TrainJob.safeParse(job);
    if (!parsed.success) {
      listener.onFailed(`invalid run: ${describeZodError(parsed.error).message}`);
      return;
    }
    const thread = this.assign(job.runId, listener);
    if (await this.started(job.runId, thread)) this.send(thread, { type: 'train', job, ...(options.resumeFrom ? { resumeFrom: options.resumeFrom } : {}) });
  }

  async submitGan(job: GanJob, listener: GanListener): Promise<void> {
    const parsed = GanJob.safeParse(job);
    if (!parsed.success) {
      listener.onFailed(`invalid GAN run: ${describeZodError(parsed.error).message}`);
      return;
    }
    const thread = this.assign(job.runId, ganRunListener(listener));
    if (await this.started(job.runId, thread)) this.send(thread, { type: 'gan', job: parsed.data });
  }

  /**
   * Books a run on the thread with the fewest runs, before anything awaits:
   * runs submitted together (a race's entries) spread over the threads
   * instead of all landing on the one that was emptiest when they started.
   */
  private assign(runId: string, listener: RunListener): TrainingThread {
    const thread = this.threads.reduce((a, b) => (b.runs.size < a.runs.size ? b : a));
    thread.runs.add(runId);
    this.listeners.set(runId, { listener, thread });
    return thread;
  }

  /** Waits for the thread to be ready; false when the run was cancelled meanwhile. A thread that failed to start fails the run. */
  private async started(runId: string, thread: TrainingThread): Promise<boolean> {
    try {
      await thread.ready;
    } catch (err) {
      this.finish(runId)?.onFailed(`training thread failed to start: ${(err as Error).message}`);
      return false;
    }
    return this.listeners.get(runId)?.thread === thread;
  }

  /** Runs on each training thread now (for metrics and tests). */
  load(): number[] {
    return this.threads.map((t) => t.runs.size);
  }

  async control(runId: string, control: Control): Promise<void> {
    const entry = this.listeners.get(runId);
    if (!entry) throw new Error(`run ${runId} is not training here`);
    this.send(entry.thread, { type: 'control', runId, control });
  }

  async requestLandscape(runId: string, request: LandscapeRequest): Promise<void> {
    const entry = this.listeners.get(runId);
    if (!entry) throw new Error(`run ${runId} is not training here`);
    this.send(entry.thread, { type: 'landscape', runId, request });
  }

  async latestCheckpoint(runId: string): Promise<Uint8Array | undefined> {
    return this.listeners.get(runId)?.checkpoint;
  }

  async cancel(runId: string): Promise<void> {
    const entry = this.listeners.get(runId);
    if (!entry) return;
    this.finish(runId);
    this.send(entry.thread, { type: 'cancel', runId });
  }

  async backend(): Promise<string> {
    return this.threads[0]!.ready;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
