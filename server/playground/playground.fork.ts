import { randomUUID } from 'node:crypto';
import type { Control } from '../../shared/control.schema.ts';
import type { RoomErrorMessage } from '../../shared/protocol.ts';
import { PLAYGROUND_CURVE_POINTS, type PlaygroundResultMessage } from '../../shared/playground.messages.ts';
import type { PlaygroundFork } from '../../shared/playground.state.ts';
import type { RunEvent, RunResult, TelemetryFrame, TrainJob } from '../../shared/run.schema.ts';
import type { ArenaServices } from '../arena.services.ts';
import { moduleLogger } from '../logger.ts';
import { runRecordOf, storedCurve } from '../runs/run.record.ts';
import { replayForkJob } from '../../contract/fork-job.ts';
import { describeRecovery, ForkUnavailable, type RecoveryInfo } from '../trainer/trainer.port.ts';
import { ControlLedger, refusedControl } from '../match/control-rules.ts';
import { LiveCurve } from '../match/live-curve.ts';
import { describeControl, viewOfSpec } from './playground.rules.ts';
import { ForkRefused, type ForkSource } from './fork-source.ts';
import { RunSteering } from './run-steering.ts';
import { listedCheckpointLimit } from '../../shared/kept-checkpoints.ts';

export { ForkRefused };

/** What the fork needs from its room. */
export interface ForkHost {
  services: Pick<ArenaServices, 'trainer' | 'runs'>;
  /** Mirrored for every client. */
  state: PlaygroundFork;
  /** The owner's player id, to store the fork under; null when nobody owns the room. */
  ownerId(): string | null;
  /** Whether the room's current run has ended and its storing is over (a fork is stored after its parent: runs reference their parent). */
  parentSettled(): boolean;
  /** The room's current run's id ('' before the first). */
  currentRunId(): string;
  logLine(line: string): void;
  broadcastResult(message: PlaygroundResultMessage): void;
}

/**
 * The playground's fork (run B): a second run started from a checkpoint of
 * the owner's run (A, live or ended) or of one of the room's stored runs, with
 * its parent's controls up to that checkpoint as the start of its own log,
 * trained beside A so the runs can be compared and steered apart. It replays
 * its parent up to the checkpoint first (see `replayForkJob`), so any
 * checkpoint the parent had will do. It is stored after its parent.
 */
export class PlaygroundForkRunner {
  private readonly host: ForkHost;
  private readonly curve: LiveCurve<'samples' | 'loss' | 'valAccuracy' | 'accuracy' | 'valLoss'>;
  private job?: TrainJob;
  private steering?: RunSteering;
  private events: RunEvent[] = [];
  private storeWhenParentIs?: () => Promise<void>;
  /** The id of a fork asked of the trainer and not started yet (cleared by `cancel`). */
  private forking?: string;
  /** Whether the fork's parent is stored already (an ended run, or one from the database). */
  private parentStored = false;
  /** Controls sent to B and not yet answered by the engine, with who to tell of a refusal. */
  private readonly ledger = new ControlLedger<(refusal: RoomErrorMessage) => void>();

  constructor(host: ForkHost) {
    this.host = host;
    const s = host.state;
    this.curve = new LiveCurve({ samples: s.curveSamples, loss: s.curveLoss, valAccuracy: s.curveValAccuracy, accuracy: s.curveAccuracy, valLoss: s.curveValLoss }, PLAYGROUND_CURVE_POINTS);
  }

  /** Whether the fork is training now. */
  get live(): boolean {
    return this.host.state.phase === 'training';
  }

  /**
   * Forks `from.parent` at the checkpoint `from.point`: the fork replays the parent's log up to it, then
   * trains on. `{ latestOf }` forks a live run at its latest checkpoint from the bytes its trainer holds
   * (no replay: at once however far the run has come). A fork already training is cancelled first.
   */
  async start(from: ForkSource | { latestOf: TrainJob }): Promise<void> {
    const { trainer } = this.host.services;
    await this.cancel(); // also forgets the previous fork's curve and pending store
    const runId = randomUUID();
    const mine = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
      if (this.job?.runId === runId) fn(...a);
    };
    const listener = {
      onFrame: mine((f: TelemetryFrame) => this.frame(f)),
      onEvent: mine((e: RunEvent) => this.event(e)),
      onDone: mine((r: RunResult) => void this.finish(this.job!, r)),
      onFailed: mine((message: string) => void this.finish(this.job!, undefined, message)),
      onRecovered: mine((info: RecoveryInfo) => this.host.logLine(`B: ${describeRecovery(info)}`)),
    };
    if ('latestOf' in from) {
      this.forking = runId;
      let job: TrainJob;
      try {
        job = await trainer.fork({ parentRunId: from.latestOf.runId, runId, from: { checkpoint: 'latest' } }, listener);
      } catch (err) {
        if (this.forking === runId) this.forking = undefined;
        if (err instanceof ForkUnavailable) throw new ForkRefused(err.message);
        throw err;
      }
      if (this.forking !== runId) return void (await trainer.cancel(runId)); // cancelled (a new run, the room closing) while it started
      this.forking = undefined;
      this.book(job, false, `forked A at step ${job.parent!.step}: B trains beside A`);
      return;
    }
    let job: TrainJob;
    try {
      job = replayForkJob(from.parent, from.log, from.point, runId);
    } catch (err) {
      if (err instanceof ForkUnavailable) throw new ForkRefused(err.message);
      throw err;
    }
    // Booked before the trainer hears of it: a replay that fails at once (a stored run that ended before the step) is heard.
    this.book(job, from.parentStored, `forked ${from.parent.runId === this.host.currentRunId() ? 'A' : 'a stored run'} at step ${from.point.step}: B replays to it, then trains beside A`);
    await trainer.submit(job, listener).catch((err: unknown) => mine(() => void this.finish(job, undefined, err instanceof Error ? err.message : String(err)))());
  }

  /** The fork `job` trains now: its state starts where its parent stood at the checkpoint. */
  private book(job: TrainJob, parentStored: boolean, line: string): void {
    this.job = job;
    this.parentStored = parentStored;
    this.events = [];
    const s = this.host.state;
    s.phase = 'training';
    s.runId = job.runId;
    s.parentRunId = job.parent!.runId;
    s.fromStep = job.parent!.step;
    s.step = job.parent!.step;
    s.samples = 0;
    s.lastControl = '';
    s.heldOutAccuracy = 0;
    s.trainSize = 0; // unknown until B's first control says (it starts from its parent's training set at the checkpoint)
    // B starts where its parent's controls had taken the network at the checkpoint, and can be rewound as far as it.
    const every = job.checkpointEverySteps;
    // The parent's log is replayed with the most checkpoints a book holds, so its rewinds find their views.
    this.steering = new RunSteering(s, every, RunSteering.replay(viewOfSpec(job.spec, job.task.ramp), every, job.controls), s.fromStep, listedCheckpointLimit(job));
    this.host.logLine(line);
  }

  /** Steers the fork; refused when no fork is training. A control the engine refuses is answered through `refused`, with its reason. */
  async control(control: Control, refused: (refusal: RoomErrorMessage) => void): Promise<void> {
    if (!this.job || !this.live) throw new ForkRefused('no fork is training: fork the run first (f)');
    const { runId } = this.job;
    this.ledger.sent(runId, control, refused);
    await this.host.services.trainer.control(runId, control).catch((err: unknown) => {
      this.ledger.drop(runId);
      throw err;
    });
  }

  /** Stops the fork (a new run in the room, or the room closing) and clears its view. */
  async cancel(): Promise<void> {
    const job = this.job;
    if (job) this.ledger.drop(job.runId);
    this.job = undefined;
    this.forking = undefined;
    this.storeWhenParentIs = undefined;
    if (job && this.live) await this.host.services.trainer.cancel(job.runId);
    const s = this.host.state;
    s.phase = '';
    s.runId = '';
    s.paused = false;
    this.steering = undefined;
    this.curve.reset();
  }

  /** The parent has ended and been stored (or could not be): a fork that ended first is stored now, or says why not. */
  async parentSettled(): Promise<void> {
    const store = this.storeWhenParentIs;
    this.storeWhenParentIs = undefined;
    await store?.();
  }

  private frame(f: Pick<TelemetryFrame, 'step' | 'samples' | 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy' | 'learningRate' | 'batchSize'>): void {
    const s = this.host.state;
    s.step = f.step;
    s.samples = f.samples;
    s.loss = f.loss;
    s.valAccuracy = f.valAccuracy;
    s.learningRate = f.learningRate;
    s.batchSize = f.batchSize;
    this.curve.add({ samples: f.samples, loss: f.loss, valAccuracy: f.valAccuracy, accuracy: f.accuracy, valLoss: f.valLoss });
    this.steering?.reached(f.step);
  }

  private event(e: RunEvent): void {
    this.events.push(e);
    const answer = this.ledger.answer(e);
    if (answer?.outcome === 'refused') answer.pending.sender(refusedControl(answer.pending.control, answer.reason));
    const s = this.host.state;
    if (e.trainSize !== undefined) s.trainSize = e.trainSize;
    if (e.type === 'control' && e.control) {
      s.lastControl = `${describeControl(e.control as Control)} (step ${e.step})`;
      this.steering?.applied(e.control as Control, e.step);
    } else if (e.type === 'controlRefused') s.lastControl = `refused: ${e.message}`;
  }

  private async finish(job: TrainJob, result?: RunResult, error?: string): Promise<void> {
    const s = this.host.state;
    s.phase = result ? 'finished' : 'failed';
    this.steering?.ended();
    if (result) {
      this.frame({ ...result.final, step: result.steps, samples: result.samples, learningRate: s.learningRate, batchSize: s.batchSize });
      s.heldOutAccuracy = result.heldOutAccuracy;
      this.host.logLine(`B ${result.status === 'diverged' ? 'diverged' : 'finished'}: ${(result.heldOutAccuracy * 100).toFixed(1)}% held out`);
    } else this.host.logLine(`B failed: ${error}`);
    const events = this.events;
    const store = async () => {
      let stored = false;
      const playerId = this.host.ownerId();
      if (playerId) {
        try {
          await this.host.services.runs.recordSolo({ ...runRecordOf(job, { result, events, playerId, matchId: null, samplesIfFailed: s.samples }), curve: storedCurve(this.curve.points) }, events);
          stored = true;
        } catch (err) {
          moduleLogger('playground').error({ runId: job.runId, err }, 'could not store a fork');
        }
      }
      this.host.broadcastResult({ runId: job.runId, run: 'b', status: result?.status ?? 'failed', valAccuracy: result?.final.valAccuracy ?? null, heldOutAccuracy: result?.heldOutAccuracy ?? null, stored, unlocks: [] });
    };
    if (this.parentStored || this.host.parentSettled()) await store();
    else this.storeWhenParentIs = store;
  }
}
