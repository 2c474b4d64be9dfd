import { randomInt, randomUUID } from 'node:crypto';
import { ServerError, type Client } from '@colyseus/core';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { RECONNECT_SECONDS } from '../match/reconnection.ts';
import type { z } from 'zod';
import type { Control } from '../../shared/control.schema.ts';
import type { LandscapeFrame, LandscapeRequest } from '../../shared/landscape.schema.ts';
import { parameterCount } from '../../shared/model-spec.metrics.ts';
import { DEFAULT_SPEC, type ModelSpec } from '../../shared/model-spec.schema.ts';
import { networkDims } from '../../shared/network-dims.ts';
import {
  packActivationMaps,
  packBoundary,
  PLAYGROUND_CURVE_POINTS,
  PlaygroundClientMessages,
  PlaygroundCreateOptions,
  PlaygroundJoinOptions,
  PlaygroundPhase,
  roundLayerStats,
  type PlaygroundClientMessageType,
  type PlaygroundProbeMessage,
  type PlaygroundResultMessage,
  type PlaygroundWelcomeMessage,
} from '../../shared/playground.messages.ts';
import { PlaygroundState } from '../../shared/playground.state.ts';
import { ChallengeStatus } from '../../shared/challenge.schema.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { describeRecovery, recoveryNotice, type RecoveryInfo } from '../trainer/trainer.port.ts';
import { TrainJob, type LayerStats, type ProbeFrame, type RunEvent, type RunResult, type TelemetryFrame } from '../../shared/run.schema.ts';
import { isPlanar, taskKind } from '../../shared/task.schema.ts';
import { checkSpecSize, describeZodError } from '../../shared/validation.ts';
import { savingNotices } from '../outbox/saving-notice.ts';
import { moduleLogger } from '../logger.ts';
import { runRecordOf } from '../runs/run.record.ts';
import { challengeShock, describeChallenge, judgeChallenge, specRefusal } from './challenge.rules.ts';
import { DownsampledCurve } from './playground.curve.ts';
import { ForkRefused, PlaygroundForkRunner } from './playground.fork.ts';
import { pointsToDraw } from './playground.data.ts';
import { describeControl, mayTakeSeat, refusal, viewOfSpec, type PlaygroundAction } from './playground.rules.ts';
import { RunSteering, showView } from './run-steering.ts';
import { onValidated, refuse } from '../room-messages.ts';

/** Steps between two automatic checkpoints of a playground run (rewind targets). */
const CHECKPOINT_EVERY = 50;
/** Time between two heavy probes (ms): the boundary redraws about three times a second. */
const PROBE_INTERVAL_MS = 300;
/** How long a landscape request may stay unanswered before another is accepted (ms). */
const LANDSCAPE_TIMEOUT_MS = 30_000;
/** Run events the state keeps for the page's log. */
const LOG_LINES = 8;

interface ClientData {
  role: 'owner' | 'spectator';
  name: string;
}

/** The current run: its job, what it reported, and where its controls have taken it. */
interface CurrentRun {
  job: TrainJob;
  events: RunEvent[];
  steering: RunSteering;
  result?: RunResult;
  /** Parameters of the network it trains. */
  parameters: number;
  /** A robustness challenge's shock, scheduled in the job's controls; `applied` once it took effect. */
  shock?: { control: Control; applied: boolean };
}

/**
 * A playground: one player trains one network on a task and steers it live
 * with every control of the engine; anyone with the link watches. The room is
 * thin: it validates, checks that only the owner steers, calls the trainer
 * and mirrors what comes back into state (figures, curve) and messages
 * (decision boundary probes, loss landscapes, the result).
 */
export class PlaygroundRoom extends ArenaRoom<{ state: PlaygroundState }> {
  /** A client sending more than this is cut off (Colyseus closes only that connection). */
  override state = new PlaygroundState();
  override maxClients = 200;
  private options!: PlaygroundCreateOptions;
  private seed = 0;
  private spec: ModelSpec = DEFAULT_SPEC;
  private owner?: { playerId: string; sessionId: string; connected: boolean };
  private readonly clients_ = new Map<string, ClientData>();
  private run?: CurrentRun;
  private curve!: DownsampledCurve;
  private lastProbe?: PlaygroundProbeMessage;
  /** The latest light frame's per-layer figures, sent with the next probe. */
  private lastLayers: LayerStats[] = [];
  private lastLandscape?: LandscapeFrame;
  private landscapeAskedAt = 0;
  /** Set in onCreate (undefined only when onCreate refused the options). */
  private fork?: PlaygroundForkRunner;
  /** Whether the current run has ended and been stored, or failed to be (its fork is stored after it). */
  private runSettled = false;

  override onCreate(raw: unknown): void {
    const parsed = PlaygroundCreateOptions.safeParse(raw ?? {});
    if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
    this.options = parsed.data;
    this.seed = parsed.data.seed ?? randomInt(2 ** 31 - 1);
    this.state.task = parsed.data.task.name;
    this.state.budget = parsed.data.budget;
    if (parsed.data.challenge) this.state.challenge = describeChallenge(parsed.data.challenge);
    this.curve = new DownsampledCurve(this.state, PLAYGROUND_CURVE_POINTS);
    this.fork = new PlaygroundForkRunner({
      services: this.services,
      state: this.state.fork,
      ownerId: () => this.owner?.playerId ?? null,
      parentSettled: () => this.runSettled,
      logLine: (line) => this.logLine(line),
      broadcastResult: (message) => this.broadcast('result', message, { afterNextPatch: true }),
    });
    this.setSpec(DEFAULT_SPEC);
    this.setMetadata({ kind: 'playground', task: parsed.data.task.name, phase: PlaygroundPhase.Design });

    this.on('spec', 'spec', (client, msg) => {
      const tooLarge = checkSpecSize(msg.spec, this.options.task);
      const parameters = this.parametersOf(msg.spec);
      const overLimit = specRefusal(this.options.challenge, parameters);
      if (tooLarge) refuse(client, { code: ErrorCode.SpecTooLarge, ...tooLarge, about: 'spec' });
      else if (overLimit) refuse(client, { code: ErrorCode.SpecTooLarge, message: overLimit, field: 'spec.layers', about: 'spec' });
      else this.setSpec(msg.spec, parameters);
    });
    this.on('start', 'start', () => this.start());
    this.on('control', 'control', (client, msg) => (msg.run === 'b' ? this.steerFork(client, msg.control) : this.steer(msg.control)));
    this.on('fork', 'control', (client) => void this.startFork(client));
    this.on('landscape', 'landscape', (client, msg) => this.askLandscape(client, msg));
  }

  /** Registers a handler that runs only for a valid payload from someone allowed to send it now. */
  private on<K extends PlaygroundClientMessageType>(type: K, action: PlaygroundAction, handler: (client: Client, msg: z.infer<(typeof PlaygroundClientMessages)[K]>) => void): void {
    onValidated(this, 'playground', PlaygroundClientMessages, type, handler, (client) => refusal(action, { owner: this.isOwner(client), ownerName: this.state.owner }, this.state.phase, true));
  }

  private isOwner(client: Client): boolean {
    return this.owner?.connected === true && this.owner.sessionId === client.sessionId;
  }

  override async onJoin(client: Client, raw: unknown): Promise<void> {
    const parsed = PlaygroundJoinOptions.safeParse(raw ?? {});
    if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
    const { role } = parsed.data;
    const who = (client.auth as RoomIdentity | undefined)!; // onAuth refused anyone it could not identify
    const name = who.name;
    let playerId: string | null = null;
    if (role === 'player') {
      // Only the owner's own (verified) account may take the seat back.
      if (!mayTakeSeat(this.owner, who.playerId ?? undefined)) throw new ServerError(409, `this playground is ${this.state.owner}'s: join as a spectator`);
      playerId = await this.services.players.ensure(who.playerId ?? undefined, name);
      this.owner = { playerId, sessionId: client.sessionId, connected: true };
      this.state.owner = name;
      this.state.ownerConnected = true;
      this.clients_.set(client.sessionId, { role: 'owner', name });
    } else {
      this.clients_.set(client.sessionId, { role: 'spectator', name });
      this.state.spectators++;
    }
    client.send('welcome', { playerId, owner: role === 'player' } satisfies PlaygroundWelcomeMessage);
    client.send('points', pointsToDraw(this.options.task, this.seed));
    if (this.lastProbe) client.send('probe', this.lastProbe);
    if (this.lastLandscape) client.send('landscape', this.lastLandscape);
    patchListing(this, { players: this.owner?.connected ? 1 : 0, maxPlayers: 1, spectators: this.state.spectators });
  }

  /** A lost connection keeps the owner's seat for RECONNECT_SECONDS (they may also come back later with their token). */
  override async onDrop(client: Client): Promise<void> {
    if (this.owner?.sessionId === client.sessionId) this.state.ownerConnected = false;
    await this.allowReconnection(client, RECONNECT_SECONDS).catch(() => {});
  }

  override onReconnect(client: Client): void {
    if (this.owner?.sessionId === client.sessionId) this.state.ownerConnected = true;
  }

  override onLeave(client: Client): void {
    const data = this.clients_.get(client.sessionId);
    this.clients_.delete(client.sessionId);
    if (data?.role === 'spectator') this.state.spectators = Math.max(0, this.state.spectators - 1);
    else if (data?.role === 'owner' && this.owner?.sessionId === client.sessionId) {
      this.owner.connected = false; // the run goes on; the owner may come back with their token
      this.state.ownerConnected = false;
    }
    patchListing(this, { players: this.owner?.connected ? 1 : 0, spectators: this.state.spectators });
  }

  override async onDispose(): Promise<void> {
    if (this.run && this.state.phase === PlaygroundPhase.Training) await this.services.trainer.cancel(this.run.job.runId);
    await this.fork?.cancel();
  }

  private parametersOf(spec: ModelSpec): number {
    const { inputDim, outputDim } = networkDims(spec, this.options.task);
    return parameterCount(spec, inputDim, outputDim);
  }

  private setSpec(spec: ModelSpec, parameters = this.parametersOf(spec)): void {
    const { inputDim, outputDim } = networkDims(spec, this.options.task);
    this.spec = spec;
    this.state.params = parameters;
    const widths = [inputDim, ...spec.layers.map((l) => l.units), outputDim].join('-');
    const acts = [...new Set(spec.layers.map((l) => l.activation))].join('/');
    this.state.summary = `${widths} ${acts} · ${spec.optimizer} ${spec.learningRate} · batch ${spec.batchSize}`;
    showView(this.state, viewOfSpec(spec));
  }

  private logLine(line: string): void {
    this.state.log.push(line);
    while (this.state.log.length > LOG_LINES) this.state.log.shift();
  }

  private start(): void {
    const shock = challengeShock(this.options.challenge, this.options.budget, this.spec.batchSize);
    const job = TrainJob.parse({
      runId: randomUUID(),
      spec: this.spec,
      task: this.options.task,
      seed: this.seed,
      budget: this.options.budget,
      probeIntervalMs: PROBE_INTERVAL_MS,
      checkpointEverySteps: CHECKPOINT_EVERY,
      controls: shock ? [shock] : [],
    });
    const steering = new RunSteering(this.state, CHECKPOINT_EVERY, viewOfSpec(this.spec));
    const run: CurrentRun = { job, events: [], steering, parameters: this.state.params, ...(shock ? { shock: { control: shock.control, applied: false } } : {}) };
    this.run = run;
    this.runSettled = false;
    void this.fork!.cancel();
    this.state.runs++;
    this.state.phase = PlaygroundPhase.Training;
    for (const k of ['step', 'samples', 'loss', 'accuracy', 'valAccuracy', 'samplesPerSec', 'heldOutAccuracy', 'controlsApplied'] as const) this.state[k] = 0;
    this.state.lastControl = '';
    if (this.options.challenge) {
      this.state.challengeStatus = ChallengeStatus.Open;
      this.state.challengeDetail = '';
    }
    this.state.log.clear();
    this.curve.reset();
    this.lastProbe = undefined;
    this.lastLayers = [];
    this.lastLandscape = undefined;
    this.landscapeAskedAt = 0;
    patchListing(this, { phase: PlaygroundPhase.Training });
    const mine = (fn: (...a: any[]) => void) => (...a: any[]) => {
      if (this.run === run) fn(...a);
    };
    this.services.trainer
      .submit(job, {
        onFrame: mine((f: TelemetryFrame) => this.applyFrame(run, f)),
        onProbe: mine((p: ProbeFrame) => this.applyProbe(p)),
        onEvent: mine((e: RunEvent) => this.applyEvent(run, e)),
        onLandscape: mine((l: LandscapeFrame) => {
          this.landscapeAskedAt = 0;
          if (!l.error) this.lastLandscape = l;
          this.broadcast('landscape', l);
        }),
        onDone: mine((r: RunResult) => void this.finish(run, r)),
        onFailed: mine((message: string) => void this.finish(run, undefined, message)),
        onRecovered: mine((info: RecoveryInfo) => (this.logLine(describeRecovery(info)), this.broadcast('notice', recoveryNotice(info)))),
      })
      .catch((err: unknown) => this.run === run && void this.finish(run, undefined, err instanceof Error ? err.message : String(err)));
  }

  private applyFrame(run: CurrentRun, f: Pick<TelemetryFrame, 'step' | 'samples' | 'loss' | 'accuracy' | 'valAccuracy' | 'samplesPerSec' | 'learningRate' | 'batchSize'> & { layers?: LayerStats[] }): void {
    if (f.layers?.length) this.lastLayers = f.layers;
    this.state.step = f.step;
    this.state.samples = f.samples;
    this.state.loss = f.loss;
    this.state.accuracy = f.accuracy;
    this.state.valAccuracy = f.valAccuracy;
    this.state.samplesPerSec = f.samplesPerSec;
    this.state.learningRate = f.learningRate;
    this.state.batchSize = f.batchSize;
    this.curve.add(f.samples, f.loss, f.valAccuracy);
    run.steering.reached(f.step);
  }

  private applyProbe(p: ProbeFrame): void {
    const msg: PlaygroundProbeMessage = {
      step: p.step,
      samples: p.samples,
      ...(p.boundary ? { boundary: packBoundary(p.boundary, taskKind(this.options.task.name) === 'classification') } : {}),
      ...(p.confusion ? { confusion: p.confusion } : {}),
      layers: p.histograms.map((h) => ({ ...h, ...(this.lastLayers[h.layer] ? { stats: roundLayerStats(this.lastLayers[h.layer]!) } : {}) })),
      ...(p.activationMaps ? { activations: packActivationMaps(p.activationMaps, p.boundary?.extent ?? 1.2) } : {}),
      network: this.networkShape(),
    };
    this.lastProbe = msg;
    this.broadcast('probe', msg);
  }

  /** Widths from inputs to outputs and the input features, for the page's network graph. */
  private networkShape(): { widths: number[]; inputs: string[] } {
    const spec = this.run?.job.spec ?? this.spec;
    const { inputDim, outputDim } = networkDims(spec, this.options.task);
    return { widths: [inputDim, ...spec.layers.map((l) => l.units), outputDim], inputs: isPlanar(this.options.task.name) ? [...spec.features] : [] };
  }

  private applyEvent(run: CurrentRun, e: RunEvent): void {
    run.events.push(e);
    if (e.type === 'control' || e.type === 'controlRefused') {
      const control = e.control as Control;
      if (e.type === 'controlRefused') {
        this.state.lastControl = `refused: ${e.message}`;
        this.logLine(`step ${e.step}: refused ${control?.type ?? 'control'}: ${e.message}`);
        return;
      }
      this.state.controlsApplied++;
      this.state.step = e.step; // frames come every few steps; a paused run shows where it stands
      this.state.lastControl = `${describeControl(control)} (step ${e.step})`;
      this.logLine(`step ${e.step}: ${describeControl(control)}`);
      if (run.shock && !run.shock.applied && JSON.stringify(control) === JSON.stringify(run.shock.control)) {
        run.shock.applied = true;
        this.logLine(`challenge: noise shock into the weights at ${e.samples.toLocaleString('en')} samples`);
      }
      run.steering.applied(control, e.step);
      return;
    }
    this.logLine(`step ${e.step}: ${e.message}`);
  }

  /** Forks the running run from its latest checkpoint (run B). */
  private async startFork(client: Client): Promise<void> {
    const run = this.run!;
    try {
      await this.fork!.start(run.job);
    } catch (err) {
      if (err instanceof ForkRefused) refuse(client, { code: ErrorCode.WrongPhase, message: err.message, about: 'fork' });
      else {
        moduleLogger('playground').error({ roomId: this.roomId, err }, 'fork failed');
        refuse(client, { code: ErrorCode.Internal, message: 'the run could not be forked', about: 'fork' });
      }
    }
  }

  private steerFork(client: Client, control: Control): void {
    this.fork!.control(control).catch((err: unknown) => {
      refuse(client, { code: ErrorCode.WrongPhase, message: err instanceof Error ? err.message : String(err), about: 'control' });
    });
  }

  private steer(control: Control): void {
    const run = this.run!;
    this.services.trainer.control(run.job.runId, control).catch((err: unknown) => {
      this.logLine(`could not steer: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private askLandscape(client: Client, request: LandscapeRequest): void {
    if (this.landscapeAskedAt && Date.now() - this.landscapeAskedAt < LANDSCAPE_TIMEOUT_MS) {
      refuse(client, { code: ErrorCode.WrongPhase, message: 'a loss landscape is being computed: it will come to everyone in the room', about: 'landscape' });
      return;
    }
    this.landscapeAskedAt = Date.now();
    this.services.trainer.requestLandscape(this.run!.job.runId, request).catch((err: unknown) => {
      this.landscapeAskedAt = 0;
      refuse(client, { code: ErrorCode.Internal, message: `the landscape could not be asked for: ${err instanceof Error ? err.message : String(err)}`, about: 'landscape' });
    });
  }

  /** The run ended: mirror its result, store it with the achievements its events earned, tell the room. */
  private async finish(run: CurrentRun, result?: RunResult, error?: string): Promise<void> {
    run.result = result;
    this.state.phase = result ? PlaygroundPhase.Finished : PlaygroundPhase.Failed;
    run.steering.ended();
    if (result) {
      this.applyFrame(run, { ...result.final, step: result.steps, samples: result.samples, samplesPerSec: result.samplesPerSec, learningRate: this.state.learningRate, batchSize: this.state.batchSize });
      this.state.heldOutAccuracy = result.heldOutAccuracy;
      this.logLine(result.status === 'diverged' ? `diverged at step ${result.steps}` : `finished: ${(result.final.valAccuracy * 100).toFixed(1)}% on validation`);
    } else this.logLine(`training failed: ${error}`);
    patchListing(this, { phase: this.state.phase });
    // The verdict comes first: a passed challenge is credited with the run, in the same transaction.
    const challenge = this.options.challenge
      ? judgeChallenge(this.options.challenge, { status: result?.status ?? 'failed', heldOutAccuracy: result?.heldOutAccuracy ?? null, parameters: run.parameters, shocked: run.shock?.applied ?? false })
      : undefined;
    let stored = false;
    let unlocks: PlaygroundResultMessage['unlocks'] = [];
    if (this.owner) {
      try {
        const record = runRecordOf(run.job, { result, events: run.events, playerId: this.owner.playerId, matchId: null, samplesIfFailed: this.state.samples });
        const credit = challenge?.status === ChallengeStatus.Passed ? { challengePassed: this.options.challenge!.kind } : {};
        const saving = savingNotices((n) => this.broadcast('notice', n), 'the run');
        unlocks = (await this.services.runs.recordSolo(record, run.events, credit, saving.hooks)).map((u) => ({ achievement: u.name, tier: u.tier }));
        saving.stored();
        stored = true;
      } catch (err) {
        moduleLogger('playground').error({ roomId: this.roomId, runId: run.job.runId, err }, 'could not store a run');
      }
    }
    if (this.run === run) {
      this.runSettled = true;
      await this.fork!.parentSettled();
    }
    if (challenge) {
      this.state.challengeStatus = challenge.status;
      this.state.challengeDetail = challenge.detail;
      this.logLine(`challenge ${challenge.detail}`);
    }
    const message: PlaygroundResultMessage = {
      runId: run.job.runId,
      run: 'a',
      status: result?.status ?? 'failed',
      valAccuracy: result?.final.valAccuracy ?? null,
      heldOutAccuracy: result?.heldOutAccuracy ?? null,
      stored,
      unlocks,
      ...(challenge ? { challenge } : {}),
    };
    this.broadcast('result', message, { afterNextPatch: true });
  }
}
