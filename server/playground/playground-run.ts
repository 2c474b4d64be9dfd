import type { Control } from '../../shared/control.schema.ts';
import { ChallengeStatus } from '../../shared/challenge.schema.ts';
import { packWorstPoints } from '../../shared/error-analysis.ts';
import { packActivationMaps, packBoundary, PLAYGROUND_CURVE_POINTS, roundLayerStats, type PlaygroundCreateOptions, type PlaygroundProbeMessage } from '../../shared/playground.messages.ts';
import type { PlaygroundState } from '../../shared/playground.state.ts';
import { networkDims } from '../../shared/network-dims.ts';
import { planSpec } from '../../shared/model-spec.shapes.ts';
import { appliedStep, type LayerStats, type ProbeFrame, type RunEvent, type RunResult, type TelemetryFrame, type TrainJob } from '../../shared/run.schema.ts';
import { isPlanar, taskKind } from '../../shared/task.schema.ts';
import { ControlLedger, figure, LiveCurve, refusedControl, storeMatch, type MatchLifecycle } from '../match/index.ts';
import type { ArenaServices } from '../arena.services.ts';
import { runRecordOf, storedCurve } from '../runs/run.record.ts';
import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import { judgeChallenge } from './challenge.rules.ts';
import { judgeLesson } from '../lessons/lesson.rules.ts';
import { lessonById } from '../../shared/lesson.schema.ts';
import type { SoloCredit } from '../progression/progression.service.ts';
import type { RoomErrorMessage } from '../../shared/protocol.ts';
import type { Trainer } from '../trainer/trainer.port.ts';
import { FRAME_SUMMARY_MS } from '../match/match-runner.ts';
import { describeControl, viewOfSpec } from './playground.rules.ts';
import { RunSteering } from './run-steering.ts';
import { DrawnPoints } from './drawn-points.ts';
import { trainCount } from '../../contract/datasets/task-split.ts';
import type { PlaygroundPointsMessage } from '../../shared/playground.messages.ts';
import { listedCheckpointLimit } from '../../shared/kept-checkpoints.ts';

/** Run events the state keeps for the page's log. */
export const LOG_LINES = 8;

/** Adds a line to the page's log, keeping the last LOG_LINES. */
export function logLine(state: PlaygroundState, line: string): void {
  state.log.push(line);
  while (state.log.length > LOG_LINES) state.log.shift();
}

/**
 * A playground's current run (run A), mirrored into the room's state: its figures and curve, what its
 * controls have set, its probes and its log; the run's lifecycle logs its controls (with their steps),
 * frame summaries and result. Starting one resets what the last run showed.
 */
export class PlaygroundRun {
  readonly job: TrainJob;
  readonly match: MatchLifecycle;
  readonly events: RunEvent[] = [];
  readonly steering: RunSteering;
  /** The training points pages draw, with the clicked and removed ones. */
  readonly drawn: DrawnPoints;
  /** Hears the drawn points each time a control changed them (set by the room, which sends them to everyone). */
  onPoints: (points: PlaygroundPointsMessage) => void = () => {};
  /** Parameters of the network it trains. */
  readonly parameters: number;
  /** A robustness challenge's shock, scheduled in the job's controls; `applied` once it took effect. */
  readonly shock?: { control: Control; applied: boolean };
  result?: RunResult;
  /** The latest probe, for a client that joins later (with every worst digit's pixels). */
  lastProbe?: PlaygroundProbeMessage;
  /** Worst digits of the previous probe: everyone in the room has their pixels. */
  private pixelsSent = new Set<number>();
  private readonly state: PlaygroundState;
  private readonly options: PlaygroundCreateOptions;
  private readonly curve: LiveCurve<'samples' | 'loss' | 'valAccuracy' | 'accuracy' | 'valLoss'>;
  /** The latest light frame's per-layer figures, sent with the next probe. */
  private lastLayers: LayerStats[] = [];
  private summarisedAt = -Infinity;
  /** Controls sent to the engine and not yet answered, with the sender's session. */
  private readonly ledger = new ControlLedger<string>();

  constructor(state: PlaygroundState, options: PlaygroundCreateOptions, job: TrainJob, match: MatchLifecycle, shock?: Control, points: PlaygroundPointsMessage = { x: [], y: [] }) {
    this.state = state;
    this.options = options;
    this.job = job;
    this.match = match;
    this.parameters = state.params;
    if (shock) this.shock = { control: shock, applied: false };
    this.steering = new RunSteering(state, job.checkpointEverySteps, viewOfSpec(job.spec, job.task.ramp), 0, listedCheckpointLimit(job));
    this.drawn = new DrawnPoints(points);
    state.trainSize = trainCount(job.task);
    for (const k of ['step', 'samples', 'loss', 'accuracy', 'valAccuracy', 'samplesPerSec', 'heldOutAccuracy', 'controlsApplied'] as const) state[k] = 0;
    state.lastControl = '';
    state.runId = job.runId;
    if (options.challenge || options.lesson) Object.assign(state, { challengeStatus: ChallengeStatus.Open, challengeDetail: '' });
    state.log.clear();
    this.curve = new LiveCurve({ samples: state.curveSamples, loss: state.curveLoss, valAccuracy: state.curveValAccuracy, accuracy: state.curveAccuracy, valLoss: state.curveValLoss }, PLAYGROUND_CURVE_POINTS);
    this.curve.reset();
  }

  frame(f: Pick<TelemetryFrame, 'step' | 'samples' | 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy' | 'samplesPerSec' | 'learningRate' | 'batchSize'> & { layers?: LayerStats[] }): void {
    if (f.layers?.length) this.lastLayers = f.layers;
    const { step, samples, loss, accuracy, valLoss, valAccuracy, samplesPerSec, learningRate, batchSize } = f;
    Object.assign(this.state, { step, samples, loss, accuracy, valAccuracy, samplesPerSec, learningRate, batchSize });
    this.curve.add({ samples, loss, valAccuracy, accuracy, valLoss });
    this.steering.reached(step);
    if (!this.match.ended && Date.now() - this.summarisedAt >= FRAME_SUMMARY_MS) {
      this.summarisedAt = Date.now();
      this.match.record({ type: 'frame', runId: this.job.runId, samples, loss: figure(loss), valAccuracy: figure(valAccuracy) });
    }
  }

  /**
   * A heavy probe as the message every client gets. A worst digit that was among the previous probe's
   * comes without its pixels (every client has them); `lastProbe` keeps them all for a client that joins.
   */
  probe(p: ProbeFrame): PlaygroundProbeMessage {
    const classification = taskKind(this.options.task.name) === 'classification';
    const worst = p.worst ? packWorstPoints(p, classification) : undefined;
    this.lastProbe = {
      step: p.step,
      samples: p.samples,
      ...(p.boundary ? { boundary: packBoundary(p.boundary, classification) } : {}),
      ...(p.confusion ? { confusion: p.confusion } : {}),
      layers: p.histograms.map((h) => ({ ...h, ...(this.lastLayers[h.layer] ? { stats: roundLayerStats(this.lastLayers[h.layer]!) } : {}) })),
      ...(p.activationMaps ? { activations: packActivationMaps(p.activationMaps, p.boundary?.extent ?? 1.2) } : {}),
      network: this.networkShape(p),
      ...(worst ? { worst } : {}),
      ...(p.convStem ? { convStem: p.convStem } : {}),
    };
    const sent = this.pixelsSent;
    this.pixelsSent = new Set(worst?.filter((w) => w.pixels).map((w) => w.index));
    if (!worst) return this.lastProbe;
    return { ...this.lastProbe, worst: worst.map(({ pixels, ...w }) => (pixels && !sent.has(w.index) ? { ...w, pixels } : w)) };
  }

  /**
   * Widths from inputs to outputs and the input features, for the page's network graph. A planar task's probe
   * has a map per hidden unit of the network as it is now (layers added or removed live included): its widths
   * come from there; an image task's from its spec.
   */
  private networkShape(p: ProbeFrame): { widths: number[]; inputs: string[] } {
    const { spec } = this.job;
    const { inputDim, outputDim, image } = networkDims(spec, this.options.task);
    if (p.activationMaps?.length) return { widths: [inputDim, ...p.activationMaps.map((m) => m.units.length), outputDim], inputs: [...spec.features] };
    // One width per layer with weights (a conv layer's is its output values), as the engine's layer statistics count them.
    const weighted = planSpec(spec, inputDim, outputDim, image).layers.filter((l) => l.params > 0);
    return { widths: [inputDim, ...weighted.map((l) => l.size)], inputs: isPlanar(this.options.task.name) ? [...spec.features] : [] };
  }

  /** Sends a control to the engine; its answer shows in state, and a refusal also goes to the sender (see `event`). */
  steer(trainer: Pick<Trainer, 'control'>, sessionId: string, control: Control): void {
    this.ledger.sent(this.job.runId, control, sessionId);
    trainer.control(this.job.runId, control).catch((err: unknown) => {
      this.ledger.drop(this.job.runId);
      logLine(this.state, `could not steer: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** An event of the run, shown in state; a control the engine refused is also answered to its sender through `tell`. */
  event(e: RunEvent, tell: (sessionId: string, error: RoomErrorMessage) => void): void {
    const answer = this.ledger.answer(e);
    this.show(e);
    if (answer?.outcome === 'refused') tell(answer.pending.sender, refusedControl(answer.pending.control, answer.reason));
  }

  private show(e: RunEvent): void {
    this.events.push(e);
    if (e.trainSize !== undefined) this.state.trainSize = e.trainSize;
    const control = e.control as Control;
    if (e.type === 'controlRefused') {
      this.state.lastControl = `refused: ${e.message}`;
      return logLine(this.state, `step ${e.step}: refused ${control?.type ?? 'control'}: ${e.message}`);
    }
    if (e.type !== 'control') return logLine(this.state, `step ${e.step}: ${e.message}`);
    this.state.controlsApplied++;
    this.state.step = e.step; // frames come every few steps; a paused run shows where it stands
    this.state.lastControl = `${describeControl(control)} (step ${e.step})`;
    logLine(this.state, `step ${e.step}: ${describeControl(control)}`);
    if (this.shock && !this.shock.applied && JSON.stringify(control) === JSON.stringify(this.shock.control)) {
      this.shock.applied = true;
      logLine(this.state, `challenge: noise shock into the weights at ${e.samples.toLocaleString('en')} samples`);
    }
    this.steering.applied(control, e.step);
    if (this.drawn.applied(control, appliedStep(e))) this.onPoints(this.drawn.points);
    if (!this.match.ended) this.match.record({ type: 'control', runId: this.job.runId, control, step: appliedStep(e) }); // where it took effect (a rewind's e.step is where it went back to)
  }

  /** The run ended: its final figures, its result in the log. */
  ended(result: RunResult | undefined, error?: string): void {
    this.result = result;
    this.ledger.drop(this.job.runId);
    this.steering.ended();
    if (result) {
      this.frame({ ...result.final, step: result.steps, samples: result.samples, samplesPerSec: result.samplesPerSec, learningRate: this.state.learningRate, batchSize: this.state.batchSize });
      this.state.heldOutAccuracy = result.heldOutAccuracy;
      logLine(this.state, result.status === 'diverged' ? `diverged at step ${result.steps}` : `finished: ${(result.final.valAccuracy * 100).toFixed(1)}% on validation`);
    } else logLine(this.state, `training failed: ${error}`);
    const f = result?.final;
    this.match.record({ type: 'result', runId: this.job.runId, status: result?.status ?? 'failed', samples: result?.samples ?? this.state.samples, loss: figure(f?.loss), valAccuracy: figure(f?.valAccuracy), heldOutAccuracy: figure(result?.heldOutAccuracy), weightsHash: result?.weightsHash ?? null, ...(error ? { error } : {}) });
  }

  /**
   * Judges the room's challenge on the ended run (a pass is credited with the run, in the same transaction)
   * and stores it for `playerId` with the achievements its events earned; `tell` hears the saving notices.
   */
  async store(runs: ArenaServices['runs'], playerId: string, tell: (notice: RoomNoticeMessage) => void, refused: (err: unknown) => void): Promise<{ challenge?: { status: ChallengeStatus; detail: string }; score?: number; unlocks: Array<{ achievement: string; tier: number }> }> {
    const { result } = this;
    const rules = this.options.challenge;
    const lesson = this.options.lesson ? lessonById(this.options.lesson) : undefined;
    const record = { ...runRecordOf(this.job, { result, events: this.events, playerId, matchId: null, samplesIfFailed: this.state.samples }), curve: storedCurve(this.curve.points) };
    const shocked = this.shock?.applied ?? false;
    let challenge: { status: ChallengeStatus; detail: string } | undefined;
    let credit: SoloCredit = {};
    let score: number | undefined;
    if (lesson) {
      // Judged on the run as it is stored: its held-out score, size, FLOPs and log.
      const verdict = judgeLesson(lesson, { status: record.status, heldOutAccuracy: record.heldOutAccuracy, parameters: record.parameters, flops: record.flops, samples: record.samples, events: this.events, controls: record.controls, shocked });
      challenge = { status: verdict.passed ? ChallengeStatus.Passed : ChallengeStatus.Failed, detail: verdict.detail };
      if (verdict.passed) credit = { lessonPassed: lesson.id };
      score = verdict.score;
    } else if (rules) {
      challenge = judgeChallenge(rules, { status: result?.status ?? 'failed', heldOutAccuracy: result?.heldOutAccuracy ?? null, parameters: this.parameters, shocked });
      if (challenge.status === ChallengeStatus.Passed) credit = { challengePassed: rules.kind };
    }
    this.match.transition('settling');
    const unlocks = await storeMatch(this.match, this.job.runId, (hooks) => runs.recordSolo(record, this.events, credit, hooks), refused, { tell, what: 'the run' });
    return { ...(challenge ? { challenge } : {}), ...(score !== undefined ? { score } : {}), unlocks: unlocks.map((u) => ({ achievement: u.name, tier: u.tier })) };
  }
}
