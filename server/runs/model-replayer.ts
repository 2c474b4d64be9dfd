import { Worker } from 'node:worker_threads';
import { ModelReplayAnswer } from '../../contract/model-replay.messages.ts';
import type { RunFile } from '../../shared/run.schema.ts';

const THREAD_FILE = new URL('../../workers/model-replay.thread.ts', import.meta.url);

/** A stored run's model, trained again from its run file. */
export interface ReplayedModel {
  backend: string;
  weightsHash: string;
  samples: number;
  heldOutAccuracy: number;
  /** model.json's content (its weights manifest names the weights file `WEIGHTS_FILE`). */
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

/** What model.json calls its weights file: served beside it, at `…/runs/:id/weights.bin`. */
export const WEIGHTS_FILE = 'weights.bin';

/** Too many exports are waiting: the caller should try again later. */
export class ReplayBusyError extends Error {
  readonly code = 'BUSY';
}

export interface ModelReplayerOptions {
  /** Niceness of the replay thread (as the trainer's, default 10). */
  nice?: number;
  /** Replayed models kept in memory, most recently used first (default 8). */
  cacheSize?: number;
  /** Replays that may wait behind the one running before more are refused (default 8). */
  maxWaiting?: number;
  /** A replay that takes longer is abandoned and its thread ended (ms, default 300,000). */
  timeoutMs?: number;
}

interface Pending {
  id: number;
  runFile: RunFile;
  resolve: (m: ReplayedModel) => void;
  reject: (err: Error) => void;
}

/**
 * Gives a stored run's model by training its run file again, in a thread of its own (never the thread that
 * answers HTTP and WebSocket traffic), one run at a time. The same run asked for twice at once is replayed once,
 * and the last few models are kept, so a page's model.json and weights.bin downloads cost one replay.
 */
export class ModelReplayer {
  private worker?: Worker;
  private ready?: Promise<Worker>;
  private readonly cache = new Map<string, ReplayedModel>();
  private readonly inFlight = new Map<string, Promise<ReplayedModel>>();
  private readonly queue: Pending[] = [];
  private running?: Pending & { timer: NodeJS.Timeout };
  private nextId = 1;
  private closed = false;
  private readonly opts: Required<ModelReplayerOptions>;

  constructor(options: ModelReplayerOptions = {}) {
    this.opts = { nice: 10, cacheSize: 8, maxWaiting: 8, timeoutMs: 300_000, ...options };
  }

  /** The model of run `key` (its id), replayed from `runFile` unless kept from a previous request. */
  model(key: string, runFile: RunFile): Promise<ReplayedModel> {
    const kept = this.cache.get(key);
    if (kept) {
      this.cache.delete(key);
      this.cache.set(key, kept);
      return Promise.resolve(kept);
    }
    const flying = this.inFlight.get(key);
    if (flying) return flying;
    if (this.closed) return Promise.reject(new Error('the server is shutting down'));
    if (this.queue.length >= this.opts.maxWaiting) return Promise.reject(new ReplayBusyError(`${this.queue.length} model exports are waiting: try again in a minute`));
    const p = new Promise<ReplayedModel>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, runFile, resolve, reject });
    })
      .then((m) => {
        this.cache.set(key, m);
        while (this.cache.size > this.opts.cacheSize) this.cache.delete(this.cache.keys().next().value!);
        return m;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    this.pump();
    return p;
  }

  /** Ends the thread; waiting and running replays are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const refused = new Error('the server is shutting down');
    for (const p of this.queue.splice(0)) p.reject(refused);
    this.finish(undefined, refused);
    await this.stopWorker();
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    const timer = setTimeout(() => {
      const stuck = this.detachWorker(); // the next replay starts on a fresh thread
      this.finish(undefined, new Error(`the replay took longer than ${this.opts.timeoutMs} ms and was abandoned`));
      void stuck?.terminate();
    }, this.opts.timeoutMs);
    this.running = { ...next, timer };
    this.thread()
      .then((w) => {
        if (this.running?.id === next.id) w.postMessage({ id: next.id, runFile: next.runFile, weightsPath: WEIGHTS_FILE });
      })
      .catch((err: unknown) => {
        // a thread that never came up fails only the replay that waited for it, not one started since on a fresh thread
        if (this.running?.id === next.id) this.finish(undefined, err instanceof Error ? err : new Error(String(err)));
      });
  }

  private finish(model: ReplayedModel | undefined, err?: Error): void {
    const r = this.running;
    if (!r) return;
    clearTimeout(r.timer);
    this.running = undefined;
    if (model) r.resolve(model);
    else r.reject(err ?? new Error('the replay failed'));
    this.pump();
  }

  private thread(): Promise<Worker> {
    if (this.ready) return this.ready;
    const worker = new Worker(THREAD_FILE, { workerData: { nice: this.opts.nice } });
    this.worker = worker;
    this.ready = new Promise<Worker>((resolve, reject) => {
      worker.on('message', (raw: unknown) => {
        const msg = ModelReplayAnswer.safeParse(raw);
        if (!msg.success) return;
        const m = msg.data;
        if (m.type === 'ready') return resolve(worker);
        if (m.id !== this.running?.id) return; // the answer to a replay abandoned after its timeout
        if (m.type === 'failed') return this.finish(undefined, new Error(m.message));
        this.finish({ backend: m.backend, weightsHash: m.weightsHash, samples: m.samples, heldOutAccuracy: m.heldOutAccuracy, modelJson: m.modelJson, weights: m.weights });
      });
      // a thread that fails or exits takes its replay with it; one detached already (timeout, close) is no longer ours
      const lost = (err: Error) => {
        reject(err);
        if (this.worker !== worker) return;
        this.detachWorker();
        this.finish(undefined, err);
      };
      worker.on('error', lost);
      worker.on('exit', (code) => lost(new Error(`the replay thread exited (code ${code})`)));
    });
    return this.ready;
  }

  private detachWorker(): Worker | undefined {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    return w;
  }

  private async stopWorker(): Promise<void> {
    await this.detachWorker()?.terminate();
  }
}
