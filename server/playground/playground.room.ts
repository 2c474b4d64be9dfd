import { randomInt, randomUUID } from 'node:crypto';
import { ServerError, type Client } from '@colyseus/core';
import type { z } from 'zod';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import { DEFAULT_SPEC, type ModelSpec } from '../../shared/model-spec.schema.ts';
import { PlaygroundClientMessages, PlaygroundCreateOptions, PlaygroundJoinOptions, PlaygroundPhase, type PlaygroundClientMessageType, type PlaygroundResultMessage, type PlaygroundWelcomeMessage } from '../../shared/playground.messages.ts';
import { PlaygroundState } from '../../shared/playground.state.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { describeRecovery, recoveryNotice } from '../trainer/trainer.port.ts';
import { TrainJob, type RunResult } from '../../shared/run.schema.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { moduleLogger } from '../logger.ts';
import { applySpec, holdSeat, MatchLifecycle, parseOptions, Spectators } from '../match/index.ts';
import { LandscapeDesk } from './landscape-desk.ts';
import { challengeShock, describeChallenge, specRefusal } from './challenge.rules.ts';
import { ForkRefused, PlaygroundForkRunner } from './playground.fork.ts';
import { pointsToDraw } from './playground.data.ts';
import { mayTakeSeat, refusal, viewOfSpec, type PlaygroundAction } from './playground.rules.ts';
import { logLine, PlaygroundRun } from './playground-run.ts';
import { showView } from './run-steering.ts';
import { onValidated, refuse } from '../room-messages.ts';

/** Steps between two automatic checkpoints of a playground run (rewind targets). */
const CHECKPOINT_EVERY = 50;
/** Time between two heavy probes (ms): the boundary redraws about three times a second. */
const PROBE_INTERVAL_MS = 300;

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
  /** Whether the current run has ended and been stored, or failed to be (its fork is stored after it). */
  private runSettled = false;

  /** The current run's lifecycle (none before the first start). */
  get match(): MatchLifecycle | undefined {
    return this.run?.match;
  }

  override onCreate(raw: unknown): void {
    this.options = parseOptions(PlaygroundCreateOptions, raw);
    this.seed = this.options.seed ?? randomInt(2 ** 31 - 1);
    Object.assign(this.state, { task: this.options.task.name, budget: this.options.budget });
    if (this.options.challenge) this.state.challenge = describeChallenge(this.options.challenge);
    this.spectators = new Spectators(this.state);
    this.fork = new PlaygroundForkRunner({
      services: this.services,
      state: this.state.fork,
      ownerId: () => this.owner?.playerId ?? null,
      parentSettled: () => this.runSettled,
      logLine: (line) => logLine(this.state, line),
      broadcastResult: (message) => this.broadcast('result', message, { afterNextPatch: true }),
    });
    this.setSpec(DEFAULT_SPEC);
    this.setMetadata({ kind: 'playground', task: this.options.task.name, phase: PlaygroundPhase.Design });
    this.on('spec', 'spec', (client, msg) => applySpec(client, msg.spec, this.options.task, this.state, (p) => specRefusal(this.options.challenge, p)) && this.setSpec(msg.spec));
    this.on('start', 'start', () => this.start());
    this.on('control', 'control', (client, msg) => (msg.run === 'b' ? this.fork!.control(msg.control, (no) => refuse(client, no)).catch((err: Error) => refuse(client, { code: ErrorCode.WrongPhase, message: err.message, about: 'control' })) : this.run!.steer(this.services.trainer, client.sessionId, msg.control)));
    this.on('fork', 'control', (client) => void this.startFork(client));
    this.on('landscape', 'landscape', (client, msg) => this.landscapes.ask(this.services.trainer, this.run!.job.runId, msg, (no) => refuse(client, no)));
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
      this.owner = { playerId, sessionId: client.sessionId, connected: true };
      Object.assign(this.state, { owner: who.name, ownerConnected: true });
    } else this.spectators.add(client.sessionId);
    client.send('welcome', { playerId, owner: role === 'player' } satisfies PlaygroundWelcomeMessage);
    client.send('points', pointsToDraw(this.options.task, this.seed));
    if (this.run?.lastProbe) client.send('probe', this.run.lastProbe);
    if (this.landscapes.last) client.send('landscape', this.landscapes.last);
    patchListing(this, { players: this.owner?.connected ? 1 : 0, maxPlayers: 1, spectators: this.state.spectators });
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
  }

  private setSpec(spec: ModelSpec): void {
    this.spec = spec;
    applySpec({ send: () => {} }, spec, this.options.task, this.state); // the default, or one accepted already
    showView(this.state, viewOfSpec(spec));
  }

  private start(): void {
    const shock = challengeShock(this.options.challenge, this.options.budget, this.spec.batchSize);
    const { task, budget, paceSeconds } = this.options;
    const job = TrainJob.parse({ runId: randomUUID(), spec: this.spec, task, seed: this.seed, budget, paceMs: paceSeconds * 1000, probeIntervalMs: PROBE_INTERVAL_MS, checkpointEverySteps: CHECKPOINT_EVERY, controls: shock ? [shock] : [] });
    const match = new MatchLifecycle({ id: job.runId, kind: 'playground', roomId: this.roomId, options: this.options, seed: this.seed });
    const owner = this.owner!; // only the owner may start
    match.record({ type: 'join', role: 'player', playerId: owner.playerId, name: this.state.owner, seat: 0 });
    match.record({ type: 'spec', playerId: owner.playerId, seat: 0, spec: this.spec, params: this.state.params, summary: this.state.summary });
    match.transition('running');
    match.record({ type: 'launch', runId: job.runId, seat: 0, playerId: owner.playerId, job });
    const run = (this.run = new PlaygroundRun(this.state, this.options, job, match, shock?.control));
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

  /** Forks the running run from its latest checkpoint (run B). */
  private async startFork(client: Client): Promise<void> {
    await this.fork!.start(this.run!.job).catch((err: unknown) => {
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
    const { challenge, unlocks } = await run.store(this.services.runs, this.owner!.playerId, (n) => this.broadcast('notice', n), refused);
    if (this.run === run) {
      this.runSettled = true;
      await this.fork!.parentSettled();
    }
    if (challenge) {
      Object.assign(this.state, { challengeStatus: challenge.status, challengeDetail: challenge.detail });
      logLine(this.state, `challenge ${challenge.detail}`);
    }
    const figures = { status: result?.status ?? 'failed', valAccuracy: result?.final.valAccuracy ?? null, heldOutAccuracy: result?.heldOutAccuracy ?? null } as const;
    const message: PlaygroundResultMessage = { runId: run.job.runId, run: 'a', ...figures, stored: run.match.phase === 'stored', unlocks, ...(challenge ? { challenge } : {}) };
    this.broadcast('result', message, { afterNextPatch: true });
  }
}
