import { randomInt, randomUUID } from 'node:crypto';
import { ServerError, type Client } from '@colyseus/core';
import type { z } from 'zod';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import { DEFAULT_SPEC, type ModelSpec } from '../../shared/model-spec.schema.ts';
import { PlaygroundClientMessages, PlaygroundCreateOptions, PlaygroundJoinOptions, PlaygroundPhase, type PlaygroundClientMessageType, type PlaygroundResultMessage, type PlaygroundWelcomeMessage } from '../../shared/playground.messages.ts';
import { PlaygroundState } from '../../shared/playground.state.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { describeRecovery, recoveryNotice } from '../trainer/trainer.port.ts';
import { PLAYGROUND_PROBE_INTERVAL_MS, newTrainJob, TrainJob, type RunResult } from '../../shared/run.schema.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { moduleLogger } from '../logger.ts';
import { applySpec, holdSeat, MatchLifecycle, parseOptions, Spectators } from '../match/index.ts';
import { LandscapeDesk } from './landscape-desk.ts';
import { challengeShock, describeChallenge, specRefusal } from './challenge.rules.ts';
import { lessonById, pathStates, type Lesson } from '../../shared/lesson.schema.ts';
import { lessonShock, lessonSpecRefusal } from '../lessons/lesson.rules.ts';
import { ForkRefused, PlaygroundForkRunner } from './playground.fork.ts';
import { forkOfCurrent, forkOfStored, type ForkSource } from './fork-source.ts';
import { pointsToDraw } from './playground.data.ts';
import { mayTakeSeat, refusal, viewOfSpec, type PlaygroundAction } from './playground.rules.ts';
import { logLine, PlaygroundRun } from './playground-run.ts';
import { showView } from './run-steering.ts';
import { onValidated, refuse } from '../room-messages.ts';
import { SweepRefused, SweepRunner } from './sweep-runner.ts';

/** Steps between two automatic checkpoints of a playground run (rewind targets). */
const CHECKPOINT_EVERY = 50;

/**
 * A playground: one player trains one network on a task and steers it live with every control of the
 * engine; anyone with the link watches. Each run is a `MatchLifecycle` of its own (kind `playground`);
 * `PlaygroundRun` mirrors it into state. The room validates, checks that only the owner steers, calls the
 * trainer, and answers a control the engine refuses with the engine's reason.
 */
export class PlaygroundRoom extends ArenaRoom<{ state: PlaygroundState }> {
  override state = new PlaygroundState();
  override maxClients = 200;
  private options!: PlaygroundCreateOptions;
  private seed = 0;
  private spec: ModelSpec = DEFAULT_SPEC;
  private owner?: { playerId: string; sessionId: string; connected: boolean };
  private spectators!: Spectators;
  private run?: PlaygroundRun;
  private readonly landscapes = new LandscapeDesk();
  /** Set in onCreate (undefined only when onCreate refused the options). */
  private fork?: PlaygroundForkRunner;
  /** The room's hyperparameter sweep (set in onCreate). */
  private sweep?: SweepRunner;
  /** Whether the drawn points differ from the task's (a control added or removed some), so a new run sends them again. */
  private pointsEdited = false;
  /** Whether the current run has ended and been stored, or failed to be (its fork is stored after it). */
  private runSettled = false;
  /** The lesson of the learning path this playground plays, if any. */
  private lesson?: Lesson;

  /** The current run's lifecycle (none before the first start). */
  get match(): MatchLifecycle | undefined {
    return this.run?.match;
  }

  override onCreate(raw: unknown): void {
    this.options = parseOptions(PlaygroundCreateOptions, raw);
    this.lesson = this.options.lesson ? lessonById(this.options.lesson) : undefined;
    if (this.lesson) {
      // The lesson's setup, not the client's: every player meets the same run, judged by the same rule.
      const { challenge: _ignored, ...rest } = this.options;
      this.options = { ...rest, task: this.lesson.setup.task, budget: this.lesson.setup.budget, seed: this.lesson.setup.seed };
    }
    this.seed = this.options.seed ?? randomInt(2 ** 31 - 1);
    Object.assign(this.state, { task: this.options.task.name, budget: this.options.budget });
    if (this.options.challenge) this.state.challenge = describeChallenge(this.options.challenge);
    if (this.lesson) Object.assign(this.state, { lesson: this.lesson.id, challenge: this.lesson.task });
    this.spectators = new Spectators(this.state);
    this.fork = new PlaygroundForkRunner({
      services: this.services,
      state: this.state.fork,
      ownerId: () => this.owner?.playerId ?? null,
      parentSettled: () => this.runSettled,
      currentRunId: () => this.run?.job.runId ?? '',
      logLine: (line) => logLine(this.state, line),
      broadcastResult: (message) => this.broadcast('result', message, { afterNextPatch: true }),
    });
    this.setSpec(this.lesson?.setup.spec ?? DEFAULT_SPEC);
    this.setMetadata({ kind: 'playground', task: this.options.task.name, phase: PlaygroundPhase.Design });
    this.on('spec', 'spec', (client, msg) => this.takeSpec(client, msg.spec));
    this.on('start', 'start', () => this.start());
    this.on('control', 'control', (client, msg) => (msg.run === 'b' ? this.fork!.control(msg.control, (no) => refuse(client, no)).catch((err: Error) => refuse(client, { code: ErrorCode.WrongPhase, message: err.message, about: 'control' })) : this.run!.steer(this.services.trainer, client.sessionId, msg.control)));
    this.on('fork', 'fork', (client, msg) => void this.startFork(client, msg));
    this.sweep = new SweepRunner(this.state.sweep, this.services.trainer);
    const sweepRefusal = (client: Client, about: string) => (err: unknown) => {
      if (err instanceof SweepRefused) return refuse(client, { code: ErrorCode.WrongPhase, message: err.message, about });
      throw err;
    };
    this.on('sweep', 'sweep', (client, msg) => {
      try {
        this.sweep!.start(msg, this.spec, this.state.summary, this.options.task, this.seed);
        logLine(this.state, `sweep of ${this.state.sweep.total} trials queued in the background (${msg.method}, ${msg.budgetPerTrial.toLocaleString('en')} samples each)`);
      } catch (err) {
        sweepRefusal(client, 'sweep')(err);
      }
    });
    this.on('sweepCancel', 'sweep', (client) => {
      if (!this.sweep!.running) return refuse(client, { code: ErrorCode.WrongPhase, message: 'no sweep is running', about: 'sweepCancel' });
      void this.sweep!.cancel().then(() => logLine(this.state, 'sweep cancelled'));
    });
    this.on('sweepAdopt', 'start', (client, msg) => {
      try {
        const spec = this.sweep!.specOf(msg.trial);
        if (!applySpec(client, spec, this.options.task, this.state, (p) => specRefusal(this.options.challenge, p))) return;
        this.setSpec(spec);
        this.start();
        logLine(this.state, `training sweep trial ${msg.trial}'s network`);
      } catch (err) {
        sweepRefusal(client, 'sweepAdopt')(err);
      }
    });
    this.on('landscape', 'landscape', (client, msg) => this.landscapes.ask(this.services.trainer, this.run!.job.runId, msg, (no) => refuse(client, no)));
  }

  /** A new network from the owner: refused when the lesson fixes the network or limits its size. */
  private takeSpec(client: Client, spec: ModelSpec): void {
    const lesson = this.lesson;
    if (lesson?.setup.locked) return refuse(client, { code: ErrorCode.NotAllowed, message: `the lesson “${lesson.title}” trains its own network: start it and steer it with the controls`, about: 'spec' });
    const limit = (p: number) => (lesson ? lessonSpecRefusal(lesson, p) : specRefusal(this.options.challenge, p));
    if (applySpec(client, spec, this.options.task, this.state, limit)) this.setSpec(spec);
  }

  /** Registers a handler that runs only for a valid payload from someone allowed to send it now. */
  private on<K extends PlaygroundClientMessageType>(type: K, action: PlaygroundAction, handler: (client: Client, msg: z.infer<(typeof PlaygroundClientMessages)[K]>) => void): void {
    onValidated(this, 'playground', PlaygroundClientMessages, type, handler, (client) => refusal(action, { owner: this.isOwner(client), ownerName: this.state.owner }, this.state.phase, true));
  }

  private isOwner(client: Client): boolean {
    return this.owner?.connected === true && this.owner.sessionId === client.sessionId;
  }

  override async onJoin(client: Client, raw: unknown): Promise<void> {
    const { role } = parseOptions(PlaygroundJoinOptions, raw);
    const who = (client.auth as RoomIdentity | undefined)!; // onAuth refused anyone it could not identify
    let playerId: string | null = null;
    if (role === 'player') {
      // Only the owner's own (verified) account may take the seat back.
      if (!mayTakeSeat(this.owner, who.playerId ?? undefined)) throw new ServerError(409, `this playground is ${this.state.owner}'s: join as a spectator`);
      playerId = await this.services.players.ensure(who.playerId ?? undefined, who.name);
      if (this.lesson) await this.checkUnlocked(this.lesson, playerId);
      this.owner = { playerId, sessionId: client.sessionId, connected: true };
      Object.assign(this.state, { owner: who.name, ownerConnected: true });
    } else this.spectators.add(client.sessionId);
    client.send('welcome', { playerId, owner: role === 'player' } satisfies PlaygroundWelcomeMessage);
    client.send('points', this.run?.drawn.points ?? pointsToDraw(this.options.task, this.seed));
    if (this.run?.lastProbe) client.send('probe', this.run.lastProbe);
    if (this.landscapes.last) client.send('landscape', this.landscapes.last);
    patchListing(this, { players: this.owner?.connected ? 1 : 0, maxPlayers: 1, spectators: this.state.spectators });
  }

  /** Refuses a player who has not yet passed the lesson before this one (the path opens in order). */
  private async checkUnlocked(lesson: Lesson, playerId: string): Promise<void> {
    const passed = new Set(await this.services.players.lessonsPassed(playerId));
    const states = pathStates(passed);
    const at = states.findIndex((s) => s.lesson.id === lesson.id);
    if (states[at]!.state === 'locked') throw new ServerError(403, `the lesson “${lesson.title}” is locked: pass “${states[at - 1]!.lesson.title}” first`);
  }

  /** A lost connection keeps the owner's seat for the reconnection window (they may also come back later with their token). */
  override onDrop(client: Client): Promise<void> {
    return holdSeat(this, client, (connected) => this.onReconnect(client, connected));
  }

  override onReconnect(client: Client, connected = true): void {
    patchListing(this);
    if (this.owner?.sessionId === client.sessionId) this.state.ownerConnected = connected;
  }

  override onLeave(client: Client): void {
    if (!this.spectators.remove(client.sessionId) && this.owner?.sessionId === client.sessionId) {
      this.owner.connected = false; // the run goes on; the owner may come back with their token
      this.state.ownerConnected = false;
    }
    patchListing(this, { players: this.owner?.connected ? 1 : 0, spectators: this.state.spectators });
  }

  override async onDispose(): Promise<void> {
    if (this.run && this.state.phase === PlaygroundPhase.Training) await this.services.trainer.cancel(this.run.job.runId);
    await this.fork?.cancel();
    await this.sweep?.cancel();
  }

  private setSpec(spec: ModelSpec): void {
    this.spec = spec;
    applySpec({ send: () => {} }, spec, this.options.task, this.state); // the default, or one accepted already
    showView(this.state, viewOfSpec(spec, this.options.task.ramp));
  }

  private start(): void {
    const shock = this.lesson ? lessonShock(this.lesson, this.spec.batchSize) : challengeShock(this.options.challenge, this.options.budget, this.spec.batchSize);
    const { task, budget, paceSeconds } = this.options;
    const job = newTrainJob({ runId: randomUUID(), spec: this.spec, task, seed: this.seed, budget, paceMs: paceSeconds * 1000, probeIntervalMs: PLAYGROUND_PROBE_INTERVAL_MS, checkpointEverySteps: CHECKPOINT_EVERY, controls: shock ? [shock] : [] });
    const match = new MatchLifecycle({ id: job.runId, kind: 'playground', roomId: this.roomId, options: this.options, seed: this.seed });
    const owner = this.owner!; // only the owner may start
    match.record({ type: 'join', role: 'player', playerId: owner.playerId, name: this.state.owner, seat: 0 });
    match.record({ type: 'spec', playerId: owner.playerId, seat: 0, spec: this.spec, params: this.state.params, summary: this.state.summary });
    match.transition('running');
    match.record({ type: 'launch', runId: job.runId, seat: 0, playerId: owner.playerId, job });
    const run = (this.run = new PlaygroundRun(this.state, this.options, job, match, shock?.control, pointsToDraw(task, this.seed)));
    const hadEdits = this.pointsEdited;
    this.pointsEdited = false;
    run.onPoints = (points) => {
      this.pointsEdited = true;
      this.broadcast('points', points, { afterNextPatch: true });
    };
    if (hadEdits) this.broadcast('points', run.drawn.points); // a new run starts from the task's own training set
    this.runSettled = false;
    void this.fork!.cancel();
    this.state.runs++;
    this.state.phase = PlaygroundPhase.Training;
    this.landscapes.reset();
    patchListing(this, { phase: PlaygroundPhase.Training });
    const mine = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => void (this.run === run && fn(...a));
    this.services.trainer
      .submit(job, {
        onFrame: mine((f) => run.frame(f)),
        onProbe: mine((p) => this.broadcast('probe', run.probe(p))),
        onEvent: mine((e) => run.event(e, (sessionId, error) => this.clients.getById(sessionId)?.send('error', error))),
        onLandscape: mine((l) => (this.landscapes.answered(l), this.broadcast('landscape', l))),
        onDone: mine((r) => void this.finish(run, r)),
        onFailed: mine((message) => void this.finish(run, undefined, message)),
        onRecovered: mine((info) => (logLine(this.state, describeRecovery(info)), this.broadcast('notice', recoveryNotice(info)))),
      })
      .catch((err: unknown) => this.run === run && void this.finish(run, undefined, err instanceof Error ? err.message : String(err)));
  }

  /** Forks a run of the room (the current one, live or ended, or a stored one) at one of its checkpoints (run B). */
  private async startFork(client: Client, msg: { runId?: string; step?: number }): Promise<void> {
    const run = this.run!; // not in the design phase: a run has started
    const live = this.state.phase === PlaygroundPhase.Training;
    const from = async (): Promise<ForkSource | { latestOf: TrainJob }> => {
      if (live && msg.step === undefined && (!msg.runId || msg.runId === run.job.runId)) return { latestOf: run.job }; // the trainer's latest bytes: no replay
      if (!msg.runId || msg.runId === run.job.runId) return forkOfCurrent({ job: run.job, events: run.events, result: run.result, live, step: this.state.step }, msg.step);
      const view = await this.services.runs.load(msg.runId);
      return forkOfStored(view, { task: this.options.task, seed: this.seed, checkpointEverySteps: CHECKPOINT_EVERY, paceMs: this.options.paceSeconds * 1000, probeIntervalMs: PLAYGROUND_PROBE_INTERVAL_MS }, msg.step);
    };
    await from().then((source) => this.fork!.start(source)).catch((err: unknown) => {
      if (err instanceof ForkRefused) return refuse(client, { code: ErrorCode.WrongPhase, message: err.message, about: 'fork' });
      moduleLogger('playground').error({ roomId: this.roomId, err }, 'fork failed');
      refuse(client, { code: ErrorCode.Internal, message: 'the run could not be forked', about: 'fork' });
    });
  }

  /** The run ended: mirror its result, store it with the achievements its events earned, tell the room. */
  private async finish(run: PlaygroundRun, result?: RunResult, error?: string): Promise<void> {
    this.state.phase = result ? PlaygroundPhase.Finished : PlaygroundPhase.Failed;
    run.ended(result, error);
    patchListing(this, { phase: this.state.phase });
    const refused = (err: unknown) => moduleLogger('playground').error({ roomId: this.roomId, runId: run.job.runId, err }, 'could not store a run');
    const passedBefore = this.lesson ? await this.services.players.lessonsPassed(this.owner!.playerId).catch(() => []) : [];
    const { challenge, score, unlocks } = await run.store(this.services.runs, this.owner!.playerId, (n) => this.broadcast('notice', n), refused);
    if (this.run === run) {
      this.runSettled = true;
      await this.fork!.parentSettled();
    }
    if (challenge) {
      Object.assign(this.state, { challengeStatus: challenge.status, challengeDetail: challenge.detail });
      logLine(this.state, `challenge ${challenge.detail}`);
    }
    const figures = { status: result?.status ?? 'failed', valAccuracy: result?.final.valAccuracy ?? null, heldOutAccuracy: result?.heldOutAccuracy ?? null } as const;
    const stored = run.match.phase === 'stored';
    const lesson = this.lesson && challenge ? { id: this.lesson.id, passed: challenge.status === 'passed', xp: stored && challenge.status === 'passed' && !passedBefore.includes(this.lesson.id) ? this.lesson.xp : 0, ...(score !== undefined ? { score } : {}) } : undefined;
    const message: PlaygroundResultMessage = { runId: run.job.runId, run: 'a', ...figures, stored, unlocks, ...(challenge ? { challenge } : {}), ...(lesson ? { lesson } : {}) };
    this.broadcast('result', message, { afterNextPatch: true });
  }
}
