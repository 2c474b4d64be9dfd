import { randomUUID } from 'node:crypto';
import { ServerError, type Client } from '@colyseus/core';
import { StateView } from '@colyseus/schema';
import type { Delayed } from '@colyseus/core';
import type { z } from 'zod';
import type { Match } from '../../shared/match.schema.ts';
import { moduleLogger } from '../logger.ts';
import { parameterCount } from '../../shared/model-spec.metrics.ts';
import type { Control } from '../../shared/control.schema.ts';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { recoveryNotice } from '../trainer/trainer.port.ts';
import {
  EntryStatus,
  RaceClientMessages,
  RaceCreateOptions,
  RaceJoinOptions,
  RacePhase,
  type RaceClientMessageType,
  type RaceErrorMessage,
  type RaceResultMessage,
  type RaceSteeredMessage,
  type RaceWelcomeMessage,
} from '../../shared/race.messages.ts';
import { RaceEntry, RaceState } from '../../shared/race.state.ts';
import type { RunEvent, RunResult, TelemetryFrame } from '../../shared/run.schema.ts';
import { networkDims } from '../../shared/network-dims.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { checkSpecSize, describeZodError } from '../../shared/validation.ts';
import type { Unlock } from '../progression/progression.service.ts';
import { runRecordOf, storedCurve } from '../runs/run.record.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { drawFairSeed, listingOf, publishCommitment, revealInState, revealOf, type FairSeed } from '../match/fair-seed.ts';
import { LiveCurve } from './live-curve.ts';
import { enoughReady, everyoneReady, freeSeat, rankEntries } from './race.rules.ts';
import { onValidated, refuse } from '../room-messages.ts';

/** Server-side facts about an entry that never go into state. */
interface EntryPrivate {
  playerId: string;
  spec?: ModelSpec;
  job?: TrainJob;
  result?: RunResult;
  events: RunEvent[];
  error?: string;
  curve: LiveCurve;
}

interface ClientData {
  role: 'player' | 'spectator';
  name: string;
}

/** Seconds a dropped player (or spectator) has to come back to their seat. */
export const RECONNECT_SECONDS = 30;

/**
 * A model race: 2 to 8 players each enter a network; all train on the same
 * task under the same budget of samples; the held-out split decides.
 * The room is thin: it validates, checks who may act, and mirrors the trainer.
 */
export class RaceRoom extends ArenaRoom<{ state: RaceState; client: Client<{ auth: RoomIdentity }> }> {
  /** Set by `defineRaceRoom`; rooms are created by the matchmaker, not by us. */
  override state = new RaceState();
  override maxClients = 2000;
  /** A client sending more than this is cut off (Colyseus closes only that connection). */
  private options!: RaceCreateOptions;
  /** The seed with its salt and commitment: only the commitment is in state until the race is over. */
  private fairSeed!: FairSeed;
  private startedAt?: Date;
  private countdownTimer?: Delayed;
  private readonly entries = new Map<string, EntryPrivate>();
  private readonly roles = new Map<string, ClientData>();

  override onCreate(raw: unknown): void {
    const parsed = RaceCreateOptions.safeParse(raw ?? {});
    if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
    if (parsed.data.minPlayers > parsed.data.maxPlayers) throw new ServerError(400, 'minPlayers must not exceed maxPlayers');
    this.options = parsed.data;
    this.fairSeed = drawFairSeed(parsed.data.seed);
    publishCommitment(this.state.fairSeed, this.fairSeed);
    this.state.task = parsed.data.task.name;
    this.state.budget = parsed.data.budget;
    this.state.minPlayers = parsed.data.minPlayers;
    this.state.maxPlayers = parsed.data.maxPlayers;
    this.state.paceSeconds = parsed.data.paceSeconds;
    this.state.interventions = parsed.data.interventions;
    this.state.interventionCost = Math.round(parsed.data.budget * parsed.data.interventionCost);
    this.setMetadata({ kind: 'race', task: parsed.data.task.name, budget: parsed.data.budget, phase: RacePhase.Lobby, players: 0, maxPlayers: parsed.data.maxPlayers, spectators: 0, ...listingOf(this.fairSeed) });

    this.on('spec', (client, msg) => this.handleSpec(client, msg.spec));
    this.on('ready', (client, msg) => this.handleReady(client, msg.ready));
    this.on('control', (client, msg) => this.handleControl(client, msg.runId, msg.control));
  }

  /** Registers a handler whose payload is checked against the shared schema first. */
  private on<K extends RaceClientMessageType>(type: K, handler: (client: Client, msg: z.infer<(typeof RaceClientMessages)[K]>) => void): void {
    onValidated(this, 'race', RaceClientMessages, type, handler);
  }

  override async onJoin(client: Client<{ auth: RoomIdentity }>, raw: unknown): Promise<void> {
    const parsed = RaceJoinOptions.safeParse(raw ?? {});
    if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
    const { role } = parsed.data;
    const who = client.auth!; // onAuth ran first and refused anyone it could not identify
    const name = who.name;
    if (role === 'spectator') {
      this.roles.set(client.sessionId, { role, name });
      this.state.spectators++;
      this.listCounts();
      return;
    }
    if (this.state.phase === RacePhase.Training || this.state.phase === RacePhase.Finished) {
      throw new ServerError(409, 'the race has already started: join as a spectator');
    }
    if (this.state.entries.size >= this.options.maxPlayers) {
      throw new ServerError(409, `the race is full (${this.options.maxPlayers} players): join as a spectator`);
    }
    const playerId = await this.services.players.ensure(who.playerId ?? undefined, name);
    if ([...this.entries.values()].some((e) => e.playerId === playerId)) throw new ServerError(409, 'you already have a seat in this race');
    const entry = new RaceEntry();
    entry.seat = freeSeat([...this.state.entries.values()].map((e) => e.seat));
    entry.player = name;
    entry.interventionsLeft = this.options.interventions;
    this.state.entries.set(client.sessionId, entry);
    this.entries.set(client.sessionId, { playerId, events: [], curve: new LiveCurve(entry) });
    this.roles.set(client.sessionId, { role, name });
    this.showPrivate(client, entry);
    this.listCounts();
    client.send('welcome', { playerId } satisfies RaceWelcomeMessage);
  }

  /** A player sees their own entry's private fields (interventions left); nobody else does. */
  private showPrivate(client: Client, entry: RaceEntry): void {
    client.view = new StateView();
    client.view.add(entry);
  }

  /** Keeps the lobby's listing of this room current. */
  private listCounts(): void {
    patchListing(this, { players: this.state.entries.size, spectators: this.state.spectators });
  }

  /** A connection lost without leaving: the seat (and the run) wait RECONNECT_SECONDS for the player. */
  override async onDrop(client: Client): Promise<void> {
    const entry = this.state.entries.get(client.sessionId);
    if (entry) entry.connected = false;
    await this.allowReconnection(client, RECONNECT_SECONDS).catch(() => {}); // on timeout, onLeave follows
  }

  override onReconnect(client: Client): void {
    const entry = this.state.entries.get(client.sessionId);
    if (!entry) return;
    entry.connected = true;
    this.showPrivate(client, entry);
  }

  override onLeave(client: Client): void {
    const role = this.roles.get(client.sessionId);
    this.roles.delete(client.sessionId);
    if (role?.role === 'spectator') {
      this.state.spectators = Math.max(0, this.state.spectators - 1);
      this.listCounts();
      return;
    }
    const entry = this.state.entries.get(client.sessionId);
    if (!entry) return;
    if (this.state.phase === RacePhase.Lobby || this.state.phase === RacePhase.Countdown) {
      this.state.entries.delete(client.sessionId);
      this.entries.delete(client.sessionId);
      this.updateCountdown();
    } else {
      entry.connected = false; // the run goes on without its player
    }
    this.listCounts();
  }

  override async onDispose(): Promise<void> {
    await Promise.all(
      [...this.entries.values()].flatMap((e) => (e.job && !e.result && !e.error ? [this.services.trainer.cancel(e.job.runId)] : [])),
    );
  }

  private playerEntry(client: Client, about: string): RaceEntry | undefined {
    const entry = this.state.entries.get(client.sessionId);
    if (!entry) {
      refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot enter or steer a model', about });
      return undefined;
    }
    if (this.state.phase !== RacePhase.Lobby && this.state.phase !== RacePhase.Countdown) {
      refuse(client, { code: ErrorCode.WrongPhase, message: 'the race has started: entries are closed', about });
      return undefined;
    }
    return entry;
  }

  private handleSpec(client: Client, spec: ModelSpec): void {
    const entry = this.playerEntry(client, 'spec');
    if (!entry) return;
    const tooLarge = checkSpecSize(spec, this.options.task);
    if (tooLarge) {
      refuse(client, { code: ErrorCode.SpecTooLarge, ...tooLarge, about: 'spec' });
      return;
    }
    const { inputDim, outputDim } = networkDims(spec, this.options.task);
    this.entries.get(client.sessionId)!.spec = spec;
    entry.params = parameterCount(spec, inputDim, outputDim);
    const widths = [inputDim, ...spec.layers.map((l) => l.units), outputDim].join('-');
    const acts = [...new Set(spec.layers.map((l) => l.activation))].join('/');
    entry.summary = `${widths} ${acts} · ${spec.optimizer} ${spec.learningRate} · batch ${spec.batchSize}`;
  }

  /** An intervention during the race: only on the sender's own run, while it trains, and while they have some left. */
  private handleControl(client: Client, runId: string, control: Control): void {
    const entry = this.state.entries.get(client.sessionId);
    if (!entry) {
      refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot steer a model', about: 'control' });
      return;
    }
    if (entry.runId !== runId) {
      const owner = [...this.state.entries.values()].find((e) => e.runId === runId);
      const message = owner ? `run ${runId} belongs to ${owner.player}: you can only steer your own` : `there is no run ${runId} in this race`;
      refuse(client, { code: ErrorCode.NotAllowed, field: 'runId', message, about: 'control' });
      return;
    }
    if (this.state.phase !== RacePhase.Training || entry.status !== EntryStatus.Training) {
      refuse(client, { code: ErrorCode.WrongPhase, message: 'you can steer only while your run trains', about: 'control' });
      return;
    }
    if (entry.interventionsLeft === 0) {
      refuse(client, { code: ErrorCode.NotAllowed, message: `you have used all ${this.options.interventions} interventions`, about: 'control' });
      return;
    }
    const spec = this.entries.get(client.sessionId)!.spec!;
    const layerProblem = checkLayer(control, spec);
    if (layerProblem) {
      refuse(client, { code: ErrorCode.BadMessage, field: 'control.layer', message: `control.layer: ${layerProblem}`, about: 'control' });
      return;
    }
    entry.interventionsLeft--;
    const cost = this.state.interventionCost;
    const trainer = this.services.trainer;
    // The charge goes first so both apply at the same step; the run's log keeps them in order.
    void (cost > 0 ? trainer.control(runId, { type: 'spendBudget', samples: cost }) : Promise.resolve())
      .then(() => trainer.control(runId, control))
      .then(() => client.send('steered', { control, cost, interventionsLeft: entry.interventionsLeft } satisfies RaceSteeredMessage))
      .catch((err: unknown) => refuse(client, { code: ErrorCode.WrongPhase, message: `the run could not be steered: ${err instanceof Error ? err.message : String(err)}`, about: 'control' }));
  }

  private handleReady(client: Client, ready: boolean): void {
    const entry = this.playerEntry(client, 'ready');
    if (!entry) return;
    if (ready && !this.entries.get(client.sessionId)?.spec) {
      refuse(client, { code: ErrorCode.WrongPhase, field: 'ready', message: 'send a model spec before getting ready', about: 'ready' });
      return;
    }
    entry.status = ready ? EntryStatus.Ready : EntryStatus.Designing;
    this.updateCountdown();
  }

  private readyCount(): number {
    return [...this.state.entries.values()].filter((e) => e.status === EntryStatus.Ready).length;
  }

  /** Starts, continues or calls off the countdown as players get ready or leave. */
  private updateCountdown(): void {
    const ready = this.readyCount();
    const { minPlayers, countdownSeconds } = this.options;
    if (everyoneReady(ready, this.state.entries.size, minPlayers) || (enoughReady(ready, minPlayers) && countdownSeconds === 0)) {
      this.startRace();
      return;
    }
    if (enoughReady(ready, minPlayers) && this.state.phase === RacePhase.Lobby) {
      this.state.phase = RacePhase.Countdown;
      this.state.countdown = countdownSeconds;
      this.countdownTimer = this.clock.setInterval(() => {
        this.state.countdown = Math.max(0, this.state.countdown - 1);
        if (this.state.countdown === 0) this.startRace();
      }, 1000);
    } else if (!enoughReady(ready, minPlayers) && this.state.phase === RacePhase.Countdown) {
      this.countdownTimer?.clear();
      this.state.phase = RacePhase.Lobby;
      this.state.countdown = 0;
    }
  }

  private startRace(): void {
    if (this.state.phase === RacePhase.Training || this.state.phase === RacePhase.Finished) return;
    this.countdownTimer?.clear();
    this.state.countdown = 0;
    // Players who were not ready when the gun went off sit this race out.
    for (const [sessionId, entry] of this.state.entries) {
      if (entry.status !== EntryStatus.Ready) {
        this.state.entries.delete(sessionId);
        this.entries.delete(sessionId);
      }
    }
    this.state.phase = RacePhase.Training;
    this.startedAt = new Date();
    patchListing(this, { phase: RacePhase.Training });
    for (const [sessionId, entry] of this.state.entries) this.launch(sessionId, entry);
  }

  private launch(sessionId: string, entry: RaceEntry): void {
    const priv = this.entries.get(sessionId)!;
    entry.status = EntryStatus.Training;
    const job = TrainJob.parse({ runId: randomUUID(), spec: priv.spec!, task: this.options.task, seed: this.fairSeed.seed, budget: this.options.budget, probeIntervalMs: 0, paceMs: this.options.paceSeconds * 1000 }); // the race view draws no probes yet
    priv.job = job;
    entry.runId = job.runId;
    this.services.trainer
      .submit(job, {
        onFrame: (frame) => this.applyFrame(entry, priv, frame),
        onEvent: (event) => priv.events.push(event),
        onDone: (result) => {
          priv.result = result;
          this.applyFrame(entry, priv, { ...result.final, samples: result.samples, samplesPerSec: result.samplesPerSec } as TelemetryFrame);
          entry.status = EntryStatus.Finished;
          void this.finishIfDone();
        },
        onFailed: (message) => this.failEntry(entry, priv, message),
        onRecovered: (info) => this.broadcast('notice', recoveryNotice(info, entry.player)),
      })
      .catch((err: unknown) => this.failEntry(entry, priv, err instanceof Error ? err.message : String(err)));
  }

  private failEntry(entry: RaceEntry, priv: EntryPrivate, message: string): void {
    priv.error = message;
    entry.status = EntryStatus.Failed;
    void this.finishIfDone();
  }

  private applyFrame(entry: RaceEntry, priv: EntryPrivate, frame: Pick<TelemetryFrame, 'samples' | 'loss' | 'accuracy' | 'valAccuracy' | 'samplesPerSec'>): void {
    entry.samples = frame.samples;
    entry.loss = frame.loss;
    entry.accuracy = frame.accuracy;
    entry.valAccuracy = frame.valAccuracy;
    entry.samplesPerSec = frame.samplesPerSec;
    priv.curve.add(frame.samples, frame.loss, frame.valAccuracy);
  }

  private async finishIfDone(): Promise<void> {
    const all = [...this.entries.values()];
    if (this.state.phase !== RacePhase.Training || all.some((e) => !e.result && !e.error)) return;
    this.state.phase = RacePhase.Finished;
    revealInState(this.state.fairSeed, this.fairSeed);
    const seats = new Map([...this.state.entries].map(([id, e]) => [id, e.seat]));
    const ranks = rankEntries([...this.entries].map(([id, e]) => ({ seat: seats.get(id)!, result: e.result })));
    for (const [id, entry] of this.state.entries) {
      entry.rank = ranks.get(entry.seat) ?? 0;
      entry.heldOutAccuracy = this.entries.get(id)?.result?.heldOutAccuracy ?? 0;
    }
    const { matchId, unlocks } = await this.store();
    this.state.matchId = matchId ?? '';
    patchListing(this, { phase: RacePhase.Finished });
    const ranking = [...this.state.entries]
      .sort(([, a], [, b]) => a.rank - b.rank)
      .map(([id, e]) => ({ player: e.player, playerId: this.entries.get(id)?.playerId ?? null, seat: e.seat, rank: e.rank, valAccuracy: e.valAccuracy, heldOutAccuracy: e.heldOutAccuracy }));
    const names = new Map(ranking.map((r) => [r.playerId, r.player]));
    const message: RaceResultMessage = {
      matchId,
      ranking,
      seedReveal: revealOf(this.fairSeed),
      rated: this.fairSeed.rated,
      unlocks: unlocks.map((u) => ({ playerId: u.playerId, player: names.get(u.playerId) ?? '', achievement: u.name, tier: u.tier })),
    };
    this.broadcast('result', message, { afterNextPatch: true });
  }

  /** Stores the match with its runs, ratings, XP and achievements; the id is null if the database refused it. */
  private async store(): Promise<{ matchId: string | null; unlocks: Unlock[] }> {
    const match: Match = {
      id: randomUUID(),
      roomId: this.roomId,
      kind: 'race',
      task: this.options.task,
      seed: this.fairSeed.seed,
      rated: this.fairSeed.rated,
      seedReveal: revealOf(this.fairSeed),
      budget: this.options.budget,
      startedAt: (this.startedAt ?? new Date()).toISOString(),
      finishedAt: new Date().toISOString(),
      entries: [...this.state.entries].map(([id, e]) => {
        const priv = this.entries.get(id)!;
        const r = priv.result;
        return {
          seat: e.seat,
          player: e.player,
          playerId: priv.playerId,
          runId: priv.job!.runId,
          spec: priv.spec!,
          status: r ? 'finished' : 'failed',
          rank: e.rank,
          heldOutAccuracy: r?.heldOutAccuracy ?? null,
          valAccuracy: r?.final.valAccuracy ?? null,
          loss: r?.final.loss ?? null,
          samples: r?.samples ?? e.samples,
          weightsHash: r?.weightsHash ?? null,
          backend: r?.backend ?? null,
          error: priv.error ?? null,
        };
      }),
    };
    const privs = [...this.entries.values()];
    const runs = privs.map((p) => ({
      ...runRecordOf(p.job!, { result: p.result, events: p.events, playerId: p.playerId, matchId: match.id, samplesIfFailed: 0 }),
      curve: storedCurve(p.curve.points),
    }));
    try {
      const unlocks = await this.services.matches.recordRace({ match, runs, events: new Map(privs.map((p) => [p.job!.runId, p.events])) });
      return { matchId: match.id, unlocks };
    } catch (err) {
      moduleLogger('race').error({ roomId: this.roomId, err }, 'could not store the match');
      this.broadcast('error', { code: ErrorCode.Internal, message: 'the result could not be stored' } satisfies RaceErrorMessage);
      return { matchId: null, unlocks: [] };
    }
  }
}

/** Why a control names a layer this spec does not have, if it does. */
function checkLayer(control: Control, spec: ModelSpec): string | undefined {
  if (control.type === 'setActivation' && control.layer >= spec.layers.length) return `hidden layers are 0 to ${spec.layers.length - 1}`;
  if (control.type === 'freeze' && control.layer > spec.layers.length) return `layers are 0 to ${spec.layers.length} (the output layer)`;
  return undefined;
}
