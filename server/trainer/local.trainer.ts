import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FromTrainer, type ToTrainer } from '../../contract/trainer.messages.ts';
import { readThreadMessage, toThread } from '../../contract/trainer.wire.ts';
import { ForkUnavailable, forkedJob } from '../../contract/fork-job.ts';
import type { Control, LoggedControl } from '../../shared/control.schema.ts';
import type { LandscapeRequest } from '../../shared/landscape.schema.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { GanJob } from '../../shared/gan.schema.ts';
import { describeZodError } from '../../shared/validation.ts';
import { decodeCheckpoint } from '../../workers/engine/checkpoint.ts';
import { moduleLogger } from '../logger.ts';
import { HeardFilter } from './heard-filter.ts';
import { runWeight } from './run-weight.ts';
import { SavedRunError, type SavedRun, type SavedRunStore } from './saved-run.store.ts';
import { ganRunListener, type AttachOptions, type ForkRequest, type GanListener, type RunListener, type Trainer } from './trainer.port.ts';

const THREAD_FILE = new URL('../../workers/train.thread.ts', import.meta.url);

/** How many training threads a run may lose before it is failed instead of resumed once more. */
export const MAX_THREAD_LOSSES_PER_RUN = 3;

/** Longest text of a malformed thread message's description that reaches the log. */
const MAX_LOGGED_PROBLEM = 300;

const log = moduleLogger('trainer');

interface TrainingThread {
  /** The worker's `threadId`: what logs and `threadsInfo` call it. */
  id: number;
  worker: Worker;
  ready: Promise<string>;
  isReady: boolean;
  runs: Set<string>;
  /** Stopped on purpose (`stopThread`): replaced even if it was not ready yet. */
  stopped?: boolean;
}

/** A control in a run's log, with whether its job scheduled it or a player sent it live (as the BullMQ worker keeps it). */
interface AppliedControl extends LoggedControl {
  source: 'scheduled' | 'live';
}

interface RunEntry {
  listener: RunListener;
  thread: TrainingThread;
  /** What the thread was last told to run: the job as submitted, or as rebuilt to resume it after a thread died. */
  start: { type: 'train'; job: TrainJob; resumeFrom?: Uint8Array } | { type: 'gan'; job: GanJob };
  /** The log of the run as `start` runs it: every control that took effect, in order. */
  applied: AppliedControl[];
  /** The latest checkpoint the run made (the thread keeps every one, for rewinds; this side keeps the latest, to fork or resume from). */
  checkpoint?: Uint8Array;
  /** The step `checkpoint` was taken at. */
  checkpointStep?: number;
  /** How many entries of the run's log `checkpoint` follows, as its thread said (unknown for a checkpoint saved before a restart). */
  checkpointControlsApplied?: number;
  /** Live controls sent and not yet applied or refused: sent again if the thread dies first. */
  pending: Control[];
  /**
   * Whether the thread has been told to run `start`. Until then a live control waits in `pending`:
   * the thread drops controls for a run it does not know yet (a thread still loading, or a run
   * just moved to another thread).
   */
  launched: boolean;
  /** Training threads that died under this run. */
  losses: number;
  /** What the listener already heard: a resumed run's repeats of it are not passed on again. */
  heard: HeardFilter;
  /** A `background` run (a sweep's trial): it yields its thread to live runs (see `LocalTrainer`). */
  background: boolean;
  /** A background run this trainer paused because a live run shares its thread; resumed when none does. */
  held: boolean;
  /** What the run is expected to ask of its thread (run-weight.ts): threads are filled by it, not by run count. */
  weight: number;
}

/** Makes a run's listener skip everything at or before `after` samples (nothing when `after` is negative). */
function skipUpTo(entry: RunEntry, after: number): void {
  if (after >= 0) entry.heard = new HeardFilter(after);
}

/** One training thread, for operators and tests. */
export interface ThreadInfo {
  /** The worker's `threadId`. */
  id: number;
  /** False until its tf.js backend is up. */
  ready: boolean;
  /** Ids of the runs it trains. */
  runs: string[];
}

/** Options of the embedded trainer. */
export interface LocalTrainerOptions {
  /** Training threads (default: one per core). */
  threads?: number;
  /** Niceness of the training threads, 0 (normal) to 19 (default 10: see workers/thread-priority.ts). */
  nice?: number;
  /**
   * Where each training run's latest checkpoint and control log are saved as it goes, so that `resume` can
   * carry it on after the server process dies (default: nowhere; runs end with the process).
   */
  savedRuns?: SavedRunStore;
}

/** What `resume` needs of a run, as the saved-run store keeps it. */
function savedRunOf(entry: RunEntry): SavedRun {
  if (entry.start.type !== 'train') throw new Error('only training runs are saved');
  const checkpoint = entry.checkpoint ?? entry.start.resumeFrom;
  return {
    job: entry.start.job,
    applied: entry.applied,
    pending: entry.pending,
    ...(entry.checkpoint && entry.checkpointStep !== undefined ? { checkpointStep: entry.checkpointStep } : {}),
    ...(checkpoint ? { checkpoint } : {}),
  };
}

/** A string cut to `max` characters, for logs. */
function bounded(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** The run a message from a thread is about, if its shape says so (without trusting the rest of it). */
function runIdOf(raw: unknown): string | undefined {
  const msg = typeof raw === 'object' && raw !== null ? (raw as { msg?: unknown }).msg : undefined;
  if (typeof msg !== 'object' || msg === null) return undefined;
  const r = msg as Record<string, unknown>;
  const candidates = [r.runId, ...['frame', 'probe', 'event', 'result', 'landscape'].map((k) => (typeof r[k] === 'object' && r[k] !== null ? (r[k] as Record<string, unknown>).runId : undefined))];
  const id = candidates.find((c) => typeof c === 'string');
  return typeof id === 'string' && id.length <= 200 ? id : undefined;
}

/**
 * The embedded trainer: a pool of worker threads in this process. Each run
 * goes to the thread whose runs weigh least (their networks' FLOPs per sample
 * times the samples per second their pace asks for: run-weight.ts); a thread
 * interleaves its runs.
 *
 * A thread that dies (crashes, exits or is stopped) is replaced by a fresh
 * one, and its runs go on on live threads from their latest checkpoint, with
 * the controls they had applied replayed at their steps (as the BullMQ worker
 * resumes a stalled job), so they end bit for bit as they would have; a run
 * without a checkpoint starts again. A run that loses
 * `MAX_THREAD_LOSSES_PER_RUN` threads is failed. A message from a thread that
 * does not parse is logged and fails the run it names; it never throws here.
 *
 * Priorities: a `background` run (a sweep's trial) never slows a live one. It waits in a backlog, in
 * the order it came, until a thread has no run at all, and starts there; a live run goes to the thread
 * whose live runs weigh least (then whose runs weigh least), and a background run on that thread is paused (a
 * `pause` control, which changes nothing it computes) until no live run shares its thread any more.
 */
export class LocalTrainer implements Trainer {
  readonly kind = 'local' as const;
  private readonly threads: TrainingThread[] = [];
  private readonly listeners = new Map<string, RunEntry>();
  /** Background runs not started yet, oldest first (see `admit`). */
  private readonly backlog: Array<{ job: TrainJob; listener: RunListener }> = [];
  private closing = false;

  private readonly nice: number | undefined;
  private readonly savedRuns: SavedRunStore | undefined;

  constructor(options: LocalTrainerOptions = {}) {
    this.nice = options.nice;
    this.savedRuns = options.savedRuns;
    const count = options.threads ?? availableParallelism();
    for (let i = 0; i < count; i++) this.threads.push(this.spawn());
  }

  private spawn(): TrainingThread {
    const worker = new Worker(THREAD_FILE, { workerData: { nice: this.nice } });
    let resolveReady!: (backend: string) => void;
    let rejectReady!: (err: Error) => void;
    const ready = new Promise<string>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
    ready.catch(() => {}); // observed through backend() and launch()
    const thread: TrainingThread = { id: worker.threadId, worker, ready, isReady: false, runs: new Set() };
    worker.on('message', (raw: unknown) => {
      // An exception thrown here would be uncaught (an event handler): nothing a thread sends, and nothing a listener does with it, may throw.
      try {
        const parsed = readThreadMessage(FromTrainer, raw);
        if (!parsed.ok) return this.malformed(thread, raw, parsed);
        if (parsed.msg.type === 'ready') {
          thread.isReady = true;
          resolveReady(parsed.msg.backend);
          return;
        }
        this.dispatch(thread, parsed.msg);
      } catch (err) {
        log.error({ thread: thread.id, err }, 'handling a message from a training thread failed');
      }
    });
    worker.on('error', (err) => {
      rejectReady(err);
      log.error({ thread: thread.id, err }, 'training thread crashed');
      this.retire(thread, 'training thread crashed');
    });
    worker.on('exit', (code) => {
      rejectReady(new Error(`training thread exited with code ${code}`));
      this.retire(thread, thread.stopped ? 'training thread was stopped' : 'training thread exited');
    });
    return thread;
  }

  /** The run's entry, if `thread` is the one training it: a dead thread's late messages are ignored. */
  private entryOn(thread: TrainingThread, runId: string): RunEntry | undefined {
    const entry = this.listeners.get(runId);
    return entry?.thread === thread ? entry : undefined;
  }

  private dispatch(thread: TrainingThread, msg: Exclude<FromTrainer, { type: 'ready' }>): void {
    switch (msg.type) {
      case 'frame': {
        const entry = this.entryOn(thread, msg.frame.runId);
        if (entry && entry.heard.fresh('frame', msg.frame.samples)) entry.listener.onFrame(msg.frame);
        return;
      }
      case 'probe': {
        const entry = this.entryOn(thread, msg.probe.runId);
        if (entry && entry.heard.fresh('probe', msg.probe.samples)) entry.listener.onProbe?.(msg.probe);
        return;
      }
      case 'event': {
        const entry = this.entryOn(thread, msg.event.runId);
        if (!entry) return;
        if (msg.event.type === 'controlRefused') {
          entry.pending.shift(); // only live controls are refused: that one is answered
          this.save(msg.event.runId, entry, true);
        }
        if (entry.heard.freshEvent(msg.event.samples)) entry.listener.onEvent?.(msg.event);
        return;
      }
      case 'landscape':
        this.entryOn(thread, msg.landscape.runId)?.listener.onLandscape?.(msg.landscape);
        return;
      case 'applied': {
        const entry = this.entryOn(thread, msg.runId);
        if (!entry) return;
        entry.applied.push({ ...msg.logged, source: msg.source });
        if (msg.source === 'live') entry.pending.shift();
        this.save(msg.runId, entry, true);
        return;
      }
      case 'checkpoint': {
        const entry = this.entryOn(thread, msg.runId);
        if (!entry) return;
        entry.checkpoint = msg.bytes;
        entry.checkpointStep = msg.step;
        entry.checkpointControlsApplied = msg.controlsApplied;
        this.save(msg.runId, entry);
        return;
      }
      case 'done':
        if (this.entryOn(thread, msg.result.runId)) this.finish(msg.result.runId)?.onDone(msg.result);
        return;
      case 'failed':
        if (this.entryOn(thread, msg.runId)) this.finish(msg.runId)?.onFailed(msg.message);
        return;
      case 'ganFrame': {
        const entry = this.entryOn(thread, msg.frame.runId);
        if (entry && entry.heard.fresh('frame', msg.frame.iteration)) entry.listener.gan?.onFrame(msg.frame);
        return;
      }
      case 'ganDone':
        if (this.entryOn(thread, msg.result.runId)) this.finish(msg.result.runId)?.gan?.onDone(msg.result);
        return;
      case 'recovered': // only BullMQ workers say so; this trainer tells its listeners itself
        return;
    }
  }

  /**
   * A message from a thread that does not parse: logged with the thread and a
   * bounded description (never the payload), and the run it names, if that
   * run is on this thread, failed and cancelled there.
   */
  private malformed(thread: TrainingThread, raw: unknown, rejected: { error: string; type?: string }): void {
    const runId = runIdOf(raw);
    const entry = runId === undefined ? undefined : this.entryOn(thread, runId);
    log.error({ thread: thread.id, type: rejected.type ?? typeof raw, runId: entry ? runId : undefined, problem: bounded(rejected.error, MAX_LOGGED_PROBLEM) }, 'malformed message from a training thread');
    if (!entry || runId === undefined) return;
    this.finish(runId);
    this.send(thread, { type: 'cancel', runId });
    entry.listener.onFailed(`the training thread sent a message about this run that this server cannot read (${rejected.error})`);
  }

  /**
   * Takes a dead thread out of the pool, starts a fresh one in its place, and
   * moves its runs to live threads. A thread that died on its own before it
   * was ready is not replaced: its replacement would most likely fail the
   * same way (a backend that cannot load), and runs fail instead of looping.
   */
  private retire(thread: TrainingThread, reason: string): void {
    const i = this.threads.indexOf(thread);
    if (i < 0 || this.closing) return;
    this.threads.splice(i, 1);
    void thread.worker.terminate(); // already gone, or stopped by us: either way no more messages from it
    const replace = thread.isReady || thread.stopped === true;
    log.error({ thread: thread.id, reason, runs: thread.runs.size, replaced: replace }, replace ? 'training thread died; starting a new one' : 'training thread failed to start; not replaced');
    if (replace) this.threads.push(this.spawn());
    for (const runId of [...thread.runs]) this.recover(runId, reason, thread.isReady);
    this.reschedule(); // the fresh thread may take waiting background runs
  }

  /** Resumes a run whose thread died on a live thread, from its latest checkpoint; or fails it, if this keeps happening. */
  private recover(runId: string, reason: string, counts: boolean): void {
    const entry = this.listeners.get(runId);
    if (!entry) return;
    entry.thread.runs.delete(runId);
    if (counts) entry.losses++;
    if (entry.losses >= MAX_THREAD_LOSSES_PER_RUN) {
      this.drop(runId);
      entry.listener.onFailed(`the run lost its training thread ${entry.losses} times (last: ${reason}); it was stopped instead of resumed once more`);
      return;
    }
    if (this.threads.length === 0) {
      this.drop(runId);
      entry.listener.onFailed(`${reason}, and no training thread is left to resume the run on`);
      return;
    }
    const { fromStep } = this.resumePoint(entry);
    entry.heard.wentBack(); // this trainer tells the listener of every recovery itself (see `recover`)
    const thread = this.leastLoaded();
    entry.thread = thread;
    entry.launched = false;
    thread.runs.add(runId);
    if (!entry.background) this.holdBackground(thread);
    log.warn({ runId, thread: thread.id, fromStep, losses: entry.losses }, 'resuming a run on another training thread');
    void this.launch(runId, thread, { fromStep, reason });
  }

  /**
   * Rebuilds what the run's thread is told, to go on from its latest
   * checkpoint (or the one it was submitted with; or, with neither, from the
   * start): the log it had applied, then what is left of its own schedule.
   * Controls applied after the checkpoint are replayed at their steps; live
   * ones sent and not yet applied are sent again once it runs.
   */
  private resumePoint(entry: RunEntry): { fromStep: number; fromSamples: number } {
    if (entry.start.type === 'gan') return { fromStep: 0, fromSamples: 0 }; // a GAN run keeps no checkpoints: it starts again
    const { job } = entry.start;
    const scheduledDone = entry.applied.filter((a) => a.source === 'scheduled').length;
    const controls = [...entry.applied.map(({ step, control }) => ({ step, control })), ...job.controls.slice(scheduledDone)];
    const bytes = entry.checkpoint ?? entry.start.resumeFrom;
    const cp = bytes ? decodeCheckpoint(bytes) : undefined;
    entry.start = { type: 'train', job: { ...job, controls }, ...(bytes ? { resumeFrom: bytes } : {}) };
    // The resumed session's log starts with what the checkpoint had applied; what follows comes from the thread again.
    entry.applied = controls.slice(0, cp?.controlsApplied ?? 0).map((c) => ({ ...c, source: 'scheduled' as const }));
    return { fromStep: cp?.step ?? 0, fromSamples: cp?.samplesSpent ?? 0 };
  }

  private finish(runId: string): RunListener | undefined {
    const entry = this.listeners.get(runId);
    if (!entry) return undefined;
    this.drop(runId);
    entry.thread.runs.delete(runId);
    this.reschedule();
    return entry.listener;
  }

  /** Runs on `thread` that are live (not background). */
  private liveRuns(thread: TrainingThread): number {
    let n = 0;
    for (const id of thread.runs) if (!this.listeners.get(id)?.background) n++;
    return n;
  }

  /** Pauses the background runs on `thread`, which a live run now shares. */
  private holdBackground(thread: TrainingThread): void {
    for (const id of thread.runs) {
      const entry = this.listeners.get(id);
      if (!entry?.background || entry.held) continue;
      entry.held = true;
      void this.control(id, { type: 'pause' });
    }
  }

  /**
   * After a run left its thread: background runs held on threads without live runs any more go on, and
   * waiting background runs start on threads that have nothing to do.
   */
  private reschedule(): void {
    if (this.closing) return;
    for (const thread of this.threads) {
      if (this.liveRuns(thread) > 0) continue;
      for (const id of thread.runs) {
        const entry = this.listeners.get(id);
        if (!entry?.held) continue;
        entry.held = false;
        void this.control(id, { type: 'resume' });
      }
    }
    while (this.backlog.length > 0) {
      const idle = this.threads.find((t) => t.runs.size === 0);
      if (!idle) return;
      const { job, listener } = this.backlog.shift()!;
      void this.submitFrom(job, listener, undefined, idle);
    }
  }

  /** Background runs waiting for an idle thread (for operators and tests). */
  backlogIds(): string[] {
    return this.backlog.map((b) => b.job.runId);
  }

  /** The run is over here: its entry and its saved state go. */
  private drop(runId: string): void {
    this.listeners.delete(runId);
    void this.savedRuns?.remove(runId).catch((err: unknown) => log.error({ runId, err }, 'could not delete a saved run'));
  }

  /** Saves what `resume` needs to carry the run on after a restart (training runs only: a GAN run starts again). */
  private save(runId: string, entry: RunEntry, urgent = false): void {
    if (!this.savedRuns || entry.start.type !== 'train') return;
    this.savedRuns.save(runId, () => savedRunOf(entry), urgent);
  }

  private send(thread: TrainingThread, msg: ToTrainer): void {
    thread.worker.postMessage(toThread(msg));
  }

  /** A live run starts at once; a background one waits in the backlog for an idle thread. */
  async submit(job: TrainJob, listener: RunListener): Promise<void> {
    if (job.priority !== 'background') return this.submitFrom(job, listener);
    const parsed = TrainJob.safeParse(job);
    if (!parsed.success) return listener.onFailed(`invalid run: ${describeZodError(parsed.error).message}`);
    this.backlog.push({ job, listener });
    this.reschedule();
  }

  /**
   * Forks from the latest checkpoint the parent's thread sent (its step and how many controls it follows
   * came with it), with the log this trainer kept of the parent.
   */
  async fork(request: ForkRequest, listener: RunListener): Promise<TrainJob> {
    const parent = this.listeners.get(request.parentRunId);
    if (!parent || parent.start.type !== 'train') throw new ForkUnavailable(`run ${request.parentRunId} is not training here`);
    const { checkpoint, checkpointStep: step, checkpointControlsApplied: controlsApplied } = parent;
    if (!checkpoint || step === undefined || controlsApplied === undefined) throw new ForkUnavailable('there is no checkpoint to fork from yet: wait a moment, or take one');
    const job = forkedJob(parent.start.job, parent.applied, { step, controlsApplied }, request.runId);
    await this.submitFrom(job, listener, { bytes: checkpoint, controlsApplied });
    return job;
  }

  /** Starts a run, from its first step or from a checkpoint (a fork's, or one the server kept: its log begins with what that checkpoint had applied). */
  private async submitFrom(job: TrainJob, listener: RunListener, resumeFrom?: { bytes: Uint8Array; controlsApplied?: number }, on?: TrainingThread): Promise<void> {
    const parsed = TrainJob.safeParse(job);
    if (!parsed.success) {
      listener.onFailed(`invalid run: ${describeZodError(parsed.error).message}`);
      return;
    }
    const start = { type: 'train' as const, job, ...(resumeFrom ? { resumeFrom: resumeFrom.bytes } : {}) };
    const controlsApplied = resumeFrom ? (resumeFrom.controlsApplied ?? decodeCheckpoint(resumeFrom.bytes).controlsApplied) : 0;
    const applied = job.controls.slice(0, controlsApplied).map((c) => ({ ...c, source: 'scheduled' as const }));
    const thread = this.assign(job.runId, listener, start, applied, on, job.priority === 'background');
    if (!thread) return;
    this.save(job.runId, this.listeners.get(job.runId)!, true);
    await this.launch(job.runId, thread);
  }

  async submitGan(job: GanJob, listener: GanListener): Promise<void> {
    const parsed = GanJob.safeParse(job);
    if (!parsed.success) {
      listener.onFailed(`invalid GAN run: ${describeZodError(parsed.error).message}`);
      return;
    }
    const thread = this.assign(job.runId, ganRunListener(listener), { type: 'gan', job: parsed.data }, []);
    if (thread) await this.launch(job.runId, thread);
  }

  /**
   * A run still training here gets the new listener; one that is not (it was trained by the process before
   * this one) is resumed from `options.resumeFrom`, or started again, and a GAN run starts again. Either way
   * nothing at or before `options.afterSamples` reaches the listener.
   */
  async attach(job: TrainJob | GanJob, listener: RunListener, options: AttachOptions = {}): Promise<void> {
    const after = options.afterSamples ?? -1;
    const existing = this.listeners.get(job.runId);
    if (existing) {
      existing.listener = listener;
      skipUpTo(existing, after);
      return;
    }
    if (!('generator' in job) && (await this.resumeSaved(job.runId, listener, after))) return;
    let started: Promise<void>;
    if ('generator' in job) {
      if (!listener.gan) {
        listener.onFailed('a GAN run must be attached with a GAN listener (ganRunListener)');
        return;
      }
      started = this.submitGan(job, listener.gan);
    } else started = this.submitFrom(job, listener, options.resumeFrom ? { bytes: options.resumeFrom } : undefined);
    // submit books the run before it awaits anything: the filter is in place before the first frame.
    const entry = this.listeners.get(job.runId);
    if (entry) skipUpTo(entry, after);
    await started;
  }

  /**
   * Carries on a run the previous process of this server was training, from
   * what it saved (`savedRuns`): its latest checkpoint, with the controls it
   * had applied replayed at their steps and the live ones it had not yet
   * applied sent again, so it ends as an unbroken run would; the listener
   * hears `onRecovered`. False when nothing usable was saved (never saved,
   * ended, or unreadable: logged), and the caller starts the run otherwise.
   */
  private async resumeSaved(runId: string, listener: RunListener, after: number): Promise<boolean> {
    if (!this.savedRuns?.has(runId)) return false;
    let saved: SavedRun;
    try {
      saved = await this.savedRuns.load(runId);
      if (saved.checkpoint) decodeCheckpoint(saved.checkpoint); // an unreadable checkpoint is refused now, not on the thread
    } catch (err) {
      log.warn({ runId, problem: err instanceof Error ? err.message : String(err) }, 'a saved run cannot be read: it starts again');
      return false;
    }
    if (this.listeners.has(runId) || saved.job.runId !== runId) return false;
    const start = { type: 'train' as const, job: saved.job, ...(saved.checkpoint ? { resumeFrom: saved.checkpoint } : {}) };
    const thread = this.assign(runId, listener, start, saved.applied);
    if (!thread) return true; // the listener heard why
    const entry = this.listeners.get(runId)!;
    entry.checkpoint = saved.checkpoint;
    entry.checkpointStep = saved.checkpointStep;
    entry.pending = [...saved.pending];
    const { fromStep, fromSamples } = this.resumePoint(entry);
    skipUpTo(entry, after);
    this.save(runId, entry, true);
    log.info({ runId, thread: thread.id, fromStep, fromSamples }, 'resuming a run saved before the server restarted');
    await this.launch(runId, thread, { fromStep, reason: 'the server restarted' });
    return true;
  }

  /** The run's saved state, if any, goes (it is stored). */
  async forget(runId: string): Promise<void> {
    if (!this.listeners.has(runId)) await this.savedRuns?.remove(runId);
  }

  /**
   * The thread whose live runs weigh least (run-weight.ts: FLOPs per sample times the samples per second a
   * run's pace asks for), then whose runs weigh least in all; the first of equals.
   */
  private leastLoaded(): TrainingThread {
    const weights = (t: TrainingThread): [live: number, all: number] => {
      let live = 0;
      let all = 0;
      for (const id of t.runs) {
        const entry = this.listeners.get(id);
        if (!entry) continue;
        all += entry.weight;
        if (!entry.background) live += entry.weight;
      }
      return [live, all];
    };
    let best = this.threads[0]!;
    let [least, leastAll] = weights(best);
    for (const t of this.threads.slice(1)) {
      const [live, all] = weights(t);
      if (live < least || (live === least && all < leastAll)) [best, least, leastAll] = [t, live, all];
    }
    return best;
  }

  /**
   * Books a run on the thread whose runs weigh least, before anything awaits:
   * runs submitted together (a race's entries) spread over the threads
   * instead of all landing on the one that was emptiest when they started.
   */
  private assign(runId: string, listener: RunListener, start: RunEntry['start'], applied: AppliedControl[], on?: TrainingThread, background = false): TrainingThread | undefined {
    if (this.threads.length === 0) {
      listener.onFailed('no training thread is running: they failed to start (see the server log)');
      return undefined;
    }
    const thread = on && this.threads.includes(on) ? on : this.leastLoaded();
    thread.runs.add(runId);
    this.listeners.set(runId, { listener, thread, start, applied, pending: [], launched: false, losses: 0, heard: new HeardFilter(), background, held: false, weight: runWeight(start) });
    if (!background) this.holdBackground(thread);
    return thread;
  }

  /**
   * Waits for the thread to be ready, then tells it to run the run's `start`
   * and then the live controls waiting for it (sent while it loaded or, after
   * a recovery, sent to the dead thread and never applied).
   * Nothing is sent when the run was cancelled or moved meanwhile; a thread
   * that dies before it is ready moves its runs on itself (`retire`).
   */
  private async launch(runId: string, thread: TrainingThread, recovered?: { fromStep: number; reason: string }): Promise<void> {
    try {
      await thread.ready;
    } catch {
      return;
    }
    const entry = this.entryOn(thread, runId);
    if (!entry) return;
    const { start } = entry;
    if (start.type === 'gan') this.send(thread, { type: 'gan', job: start.job });
    else this.send(thread, { type: 'train', job: start.job, ...(start.resumeFrom ? { resumeFrom: start.resumeFrom } : {}) });
    entry.launched = true;
    // Controls that came while the thread was loading (or, after a recovery, that the dead one never applied).
    for (const control of entry.pending) this.send(thread, { type: 'control', runId, control });
    if (!recovered) return;
    try {
      entry.listener.onRecovered?.(recovered);
    } catch (err) {
      log.error({ runId, err }, 'a run listener threw on recovery');
    }
  }

  /** Each training thread: its id, whether it is ready, and its runs (for operators and tests). */
  threadsInfo(): ThreadInfo[] {
    return this.threads.map((t) => ({ id: t.id, ready: t.isReady, runs: [...t.runs] }));
  }

  /** The id of the thread training `runId`, or undefined when it is not training here. */
  threadOf(runId: string): number | undefined {
    return this.listeners.get(runId)?.thread.id;
  }

  /**
   * Stops a training thread (one that hangs, say): a fresh one takes its
   * place and its runs go on elsewhere from their checkpoints, as when a
   * thread crashes. False when there is no such thread.
   */
  async stopThread(id: number): Promise<boolean> {
    const thread = this.threads.find((t) => t.id === id);
    if (!thread) return false;
    thread.stopped = true;
    await thread.worker.terminate();
    return true;
  }

  /** Runs on each training thread now (for metrics and tests). */
  load(): number[] {
    return this.threads.map((t) => t.runs.size);
  }

  async control(runId: string, control: Control): Promise<void> {
    const entry = this.listeners.get(runId);
    if (!entry) throw new Error(`run ${runId} is not training here`);
    entry.pending.push(control);
    if (entry.launched) this.send(entry.thread, { type: 'control', runId, control });
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
    const waiting = this.backlog.findIndex((b) => b.job.runId === runId);
    if (waiting >= 0) this.backlog.splice(waiting, 1);
    const entry = this.listeners.get(runId);
    if (!entry) return;
    this.finish(runId);
    this.send(entry.thread, { type: 'cancel', runId });
  }

  async backend(): Promise<string> {
    const thread = this.threads.find((t) => t.isReady) ?? this.threads[0];
    if (!thread) throw new Error('no training thread is running');
    return thread.ready;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.listeners.clear();
    this.backlog.length = 0;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
