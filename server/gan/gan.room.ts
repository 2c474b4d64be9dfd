import { randomUUID } from 'node:crypto';
import { ServerError, type Client, type Delayed } from '@colyseus/core';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { drawFairSeed, listingOf, publishCommitment, revealInState, revealOf, type FairSeed } from '../match/fair-seed.ts';
import { RECONNECT_SECONDS } from '../match/reconnection.ts';
import type { z } from 'zod';
import { strideFor } from '../../shared/curve-downsample.ts';
import { savingNotices } from '../outbox/saving-notice.ts';
import { moduleLogger } from '../logger.ts';
import { sampleDistribution } from '../../shared/datasets/gan-distributions.ts';
import {
  DEFAULT_GAN_SIDE,
  GAN_CURVE_POINTS,
  GAN_SHOWN_POINTS,
  GanClientMessages,
  GanCreateOptions,
  GanJoinOptions,
  GanPhase,
  type GanClientMessageType,
  type GanErrorMessage,
  type GanResultMessage,
  type GanRole,
  type GanRoundResult,
  type GanWelcomeMessage,
} from '../../shared/gan.messages.ts';
import { GanJob, type GanFrame, type GanResult, type GanSide } from '../../shared/gan.schema.ts';
import { GanRoundScore, GanSeat, GanState } from '../../shared/gan.state.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { recoveryNotice } from '../trainer/trainer.port.ts';
import { createRng, deriveSeed } from '../../shared/random.ts';
import { describeZodError } from '../../shared/validation.ts';
import type { Unlock } from '../progression/progression.service.ts';
import { battleDecided, battleWinner, referenceDistance, scoreRound, type RoundScore } from './gan.rules.ts';
import { onValidated, refuse } from '../room-messages.ts';

/** Server-side facts about a seat. */
interface SeatPrivate {
  sessionId: string;
  playerId: string;
  design: GanSide;
}

const ROLES: readonly GanRole[] = ['generator', 'discriminator'];

/** "32-32 relu · adam 0.002 · 1 step" */
function summarise(side: GanSide): string {
  const widths = side.layers.map((l) => l.units).join('-');
  const acts = [...new Set(side.layers.map((l) => l.activation))].join('/');
  return `${widths} ${acts} · ${side.optimizer} ${side.learningRate} · ${side.steps} step${side.steps === 1 ? '' : 's'}`;
}

/**
 * A GAN battle: one player designs the generator, the other the
 * discriminator, on a 2D distribution. Each round trains a fresh GAN from
 * both current designs for the same number of iterations through the trainer;
 * the round's end is scored by the rules (distance to the real points against
 * the discriminator's accuracy). Between rounds each player may redesign
 * their own side. Spectators see the real and generated points, the
 * discriminator's heatmap and both losses live.
 */
export class GanRoom extends ArenaRoom<{ state: GanState }> {
  override state = new GanState();
  override maxClients = 300;
  private options!: GanCreateOptions;
  /** The seed with its salt and commitment: only the commitment is in state until the battle is over. */
  private fairSeed!: FairSeed;
  private reference = 0;
  private readonly battleId = randomUUID();
  private readonly seats = new Map<GanRole, SeatPrivate>();
  private readonly spectatorIds = new Set<string>();
  private readonly scores: RoundScore[] = [];
  private readonly roundResults: GanRoundResult[] = [];
  private runId?: string;
  private timer?: Delayed;
  private curve: Array<{ iteration: number; dLoss: number; gLoss: number; distance: number }> = [];
  private curveStride = 1;

  override onCreate(raw: unknown): void {
    const parsed = GanCreateOptions.safeParse(raw ?? {});
    if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
    this.options = parsed.data;
    this.fairSeed = drawFairSeed(parsed.data.seed);
    publishCommitment(this.state.fairSeed, this.fairSeed);
    const real = sampleDistribution(parsed.data.distribution, 512, createRng(deriveSeed(this.fairSeed.seed, 'gan:real')));
    this.reference = referenceDistance(real);
    Object.assign(this.state, {
      distribution: parsed.data.distribution,
      rounds: parsed.data.rounds,
      iterationsPerRound: parsed.data.iterationsPerRound,
      referenceDistance: this.reference,
    });
    this.state.real.push(...real.subarray(0, 2 * GAN_SHOWN_POINTS));
    for (const role of ROLES) {
      const seat = new GanSeat();
      seat.summary = summarise(DEFAULT_GAN_SIDE);
      this.state.seats.set(role, seat);
    }
    this.setMetadata({ kind: 'gan', task: parsed.data.distribution, phase: GanPhase.Lobby, players: 0, maxPlayers: 2, spectators: 0, ...listingOf(this.fairSeed) });

    this.on('design', (client, msg) => this.handleDesign(client, msg.side, msg.network));
    this.on('ready', (client, msg) => this.handleReady(client, msg.ready));
  }

  /** Registers a handler whose payload is checked against the shared schema first. */
  private on<K extends GanClientMessageType>(type: K, handler: (client: Client, msg: z.infer<(typeof GanClientMessages)[K]>) => void): void {
    onValidated(this, 'gan', GanClientMessages, type, handler);
  }

  override async onJoin(client: Client, raw: unknown): Promise<void> {
    await this.admit(client, raw);
    patchListing(this, { players: this.seats.size, spectators: this.state.spectators });
  }

  /** A lost connection keeps the side for RECONNECT_SECONDS. */
  override async onDrop(client: Client): Promise<void> {
    const role = this.roleOf(client);
    if (role) this.state.seats.get(role)!.connected = false;
    await this.allowReconnection(client, RECONNECT_SECONDS).catch(() => {});
  }

  override onReconnect(client: Client): void {
    const role = this.roleOf(client);
    if (role) this.state.seats.get(role)!.connected = true;
  }

  /** Seats a player or counts a spectator; the one place where joining is decided (onAuth slots in before it). */
  private async admit(client: Client, raw: unknown): Promise<void> {
    const parsed = GanJoinOptions.safeParse(raw ?? {});
    if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
    const { role } = parsed.data;
    const who = (client.auth as RoomIdentity | undefined)!; // onAuth refused anyone it could not identify
    const name = who.name;
    if (role === 'spectator') {
      this.spectatorIds.add(client.sessionId);
      this.state.spectators++;
      return;
    }
    if (this.state.phase !== GanPhase.Lobby) throw new ServerError(409, 'the battle has started: join as a spectator');
    const free = ROLES.filter((r) => !this.seats.has(r));
    if (free.length === 0) throw new ServerError(409, 'both sides are taken: join as a spectator');
    const side = parsed.data.side ?? free[0]!;
    if (this.seats.has(side)) throw new ServerError(409, `the ${side} is taken: join as the ${free[0]} or as a spectator`);
    const playerId = await this.services.players.ensure(who.playerId ?? undefined, name);
    if ([...this.seats.values()].some((s) => s.playerId === playerId)) throw new ServerError(409, 'you already have a side in this battle');
    this.seats.set(side, { sessionId: client.sessionId, playerId, design: DEFAULT_GAN_SIDE });
    const seat = this.state.seats.get(side)!;
    seat.player = name;
    seat.connected = true;
    client.send('welcome', { playerId, side } satisfies GanWelcomeMessage);
  }

  override onLeave(client: Client): void {
    this.leave(client);
    patchListing(this, { players: this.seats.size, spectators: this.state.spectators });
  }

  private leave(client: Client): void {
    if (this.spectatorIds.delete(client.sessionId)) {
      this.state.spectators = Math.max(0, this.state.spectators - 1);
      return;
    }
    const role = this.roleOf(client);
    if (!role) return;
    const seat = this.state.seats.get(role)!;
    if (this.state.phase === GanPhase.Lobby) {
      this.seats.delete(role);
      seat.player = '';
      seat.ready = false;
      seat.summary = summarise(DEFAULT_GAN_SIDE);
    }
    seat.connected = false; // after the start the battle goes on with the side's last design
  }

  override async onDispose(): Promise<void> {
    this.timer?.clear();
    if (this.runId) await this.services.trainer.cancel(this.runId);
  }

  private roleOf(client: Client): GanRole | undefined {
    return ROLES.find((r) => this.seats.get(r)?.sessionId === client.sessionId);
  }

  private handleDesign(client: Client, side: GanRole, network: GanSide): void {
    const own = this.roleOf(client);
    if (!own) {
      refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot design or steer a network', about: 'design' });
      return;
    }
    if (own !== side) {
      refuse(client, { code: ErrorCode.NotAllowed, field: 'side', message: `side: you play the ${own}; the ${side} is your opponent's`, about: 'design' });
      return;
    }
    if (this.state.phase === GanPhase.Finished) {
      refuse(client, { code: ErrorCode.WrongPhase, message: 'the battle is over', about: 'design' });
      return;
    }
    // Sent while a round trains, a design applies from the next round.
    this.seats.get(side)!.design = network;
    this.state.seats.get(side)!.summary = summarise(network);
  }

  private handleReady(client: Client, ready: boolean): void {
    const role = this.roleOf(client);
    if (!role) {
      refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot play', about: 'ready' });
      return;
    }
    if (this.state.phase !== GanPhase.Lobby && this.state.phase !== GanPhase.Break) {
      refuse(client, { code: ErrorCode.WrongPhase, message: 'a round is under way', about: 'ready' });
      return;
    }
    this.state.seats.get(role)!.ready = ready;
    if (this.seats.size === 2 && ROLES.every((r) => this.state.seats.get(r)!.ready)) this.startRound();
  }

  private startRound(): void {
    this.timer?.clear();
    for (const r of ROLES) this.state.seats.get(r)!.ready = false;
    this.state.round++;
    this.state.phase = GanPhase.Training;
    this.state.countdown = 0;
    this.state.iteration = 0;
    patchListing(this, { phase: GanPhase.Training, round: this.state.round });
    this.curve = [];
    this.curveStride = 1;
    for (const a of [this.state.curveIteration, this.state.curveDLoss, this.state.curveGLoss, this.state.curveDistance]) a.clear();
    const round = this.state.round;
    const job = GanJob.parse({
      runId: randomUUID(),
      distribution: this.options.distribution,
      seed: deriveSeed(this.fairSeed.seed, `gan:round:${round}`),
      iterations: this.options.iterationsPerRound,
      batchSize: this.options.batchSize,
      latentDim: this.options.latentDim,
      generator: this.seats.get('generator')!.design,
      discriminator: this.seats.get('discriminator')!.design,
      frameEveryIterations: this.options.frameEveryIterations,
      heatmapResolution: this.options.heatmapResolution,
    });
    this.runId = job.runId;
    const failed = (message: string): void => {
      if (this.runId !== job.runId) return;
      this.runId = undefined;
      moduleLogger('gan').warn({ roomId: this.roomId, round, reason: message }, 'round failed');
      this.broadcast('error', { code: ErrorCode.TrainingFailed, message: `round ${round} could not be trained: ${message}` } satisfies GanErrorMessage);
      // Nothing was forged: the round is scored as a generator that produced nothing.
      this.endRound(round, { distance: NaN, dAccuracy: NaN });
    };
    this.services.trainer
      .submitGan(job, {
        onFrame: (frame) => {
          if (this.runId === job.runId) this.applyFrame(frame);
        },
        onDone: (result: GanResult) => {
          if (this.runId !== job.runId) return;
          this.runId = undefined;
          this.state.iteration = result.iterations;
          this.endRound(round, result.final);
        },
        onFailed: failed,
        onRecovered: (info) => this.runId === job.runId && this.broadcast('notice', recoveryNotice(info)),
      })
      .catch((err: unknown) => failed(err instanceof Error ? err.message : String(err)));
  }

  private applyFrame(frame: GanFrame): void {
    const s = this.state;
    s.iteration = frame.iteration;
    s.dLoss = frame.dLoss;
    s.gLoss = frame.gLoss;
    s.dAccuracy = frame.dAccuracy;
    s.distance = frame.distance;
    s.generated.clear();
    s.generated.push(...frame.generated.slice(0, 2 * GAN_SHOWN_POINTS));
    s.heatmapResolution = frame.heatmap.resolution;
    s.heatmapExtent = frame.heatmap.extent;
    if (s.heatmap.length === frame.heatmap.values.length) frame.heatmap.values.forEach((v, i) => (s.heatmap[i] = v));
    else {
      s.heatmap.clear();
      s.heatmap.push(...frame.heatmap.values);
    }
    this.addCurvePoint({ iteration: frame.iteration, dLoss: frame.dLoss, gLoss: frame.gLoss, distance: frame.distance });
  }

  /** Keeps the round's whole curve here and a downsampled view of it in state. */
  private addCurvePoint(p: { iteration: number; dLoss: number; gLoss: number; distance: number }): void {
    this.curve.push(p);
    const stride = strideFor(this.curve.length, GAN_CURVE_POINTS);
    const s = this.state;
    const push = (q: typeof p): void => {
      s.curveIteration.push(q.iteration);
      s.curveDLoss.push(q.dLoss);
      s.curveGLoss.push(q.gLoss);
      s.curveDistance.push(q.distance);
    };
    if (stride !== this.curveStride) {
      this.curveStride = stride;
      for (const a of [s.curveIteration, s.curveDLoss, s.curveGLoss, s.curveDistance]) a.clear();
      for (let i = 0; i < this.curve.length; i += stride) push(this.curve[i]!);
    } else if ((this.curve.length - 1) % stride === 0) push(p);
  }

  private endRound(round: number, figures: { distance: number; dAccuracy: number }): void {
    const score = scoreRound(figures, this.reference);
    this.scores.push(score);
    const result: GanRoundResult = { round, distance: figures.distance, dAccuracy: figures.dAccuracy, ...score };
    this.roundResults.push(result);
    const view = new GanRoundScore();
    Object.assign(view, result);
    this.state.results.push(view);
    const gen = this.state.seats.get('generator')!;
    const disc = this.state.seats.get('discriminator')!;
    gen.points += score.generatorPoints;
    disc.points += score.discriminatorPoints;
    if (score.winner === 'generator') gen.roundsWon++;
    else disc.roundsWon++;
    this.broadcast('round', result, { afterNextPatch: true });
    if (battleDecided(this.scores, this.options.rounds)) {
      void this.finish();
      return;
    }
    if (this.options.breakSeconds === 0) {
      this.startRound();
      return;
    }
    this.state.phase = GanPhase.Break;
    patchListing(this, { phase: GanPhase.Break });
    this.state.countdown = this.options.breakSeconds;
    this.timer = this.clock.setInterval(() => {
      this.state.countdown = Math.max(0, this.state.countdown - 1);
      if (this.state.countdown === 0) this.startRound();
    }, 1000);
  }

  private async finish(): Promise<void> {
    const outcome = battleWinner(this.scores);
    this.state.winner = outcome.winner;
    this.state.phase = GanPhase.Finished;
    revealInState(this.state.fairSeed, this.fairSeed);
    patchListing(this, { phase: GanPhase.Finished });
    const g = this.seats.get('generator')!;
    const d = this.seats.get('discriminator')!;
    let unlocks: Unlock[] = [];
    try {
      const saving = savingNotices((n) => this.broadcast('notice', n), 'the battle result');
      unlocks = await this.services.gan.recordBattle({ battleId: this.battleId, generatorPlayerId: g.playerId, discriminatorPlayerId: d.playerId, generatorWon: outcome.winner === 'generator', rated: this.fairSeed.rated }, saving.hooks);
      saving.stored();
    } catch (err) {
      moduleLogger('gan').error({ roomId: this.roomId, err }, 'could not store the battle');
      this.broadcast('error', { code: ErrorCode.Internal, message: 'the result could not be stored' } satisfies GanErrorMessage);
    }
    const seat = (role: GanRole) => this.state.seats.get(role)!;
    const names = new Map([
      [g.playerId, seat('generator').player],
      [d.playerId, seat('discriminator').player],
    ]);
    const message: GanResultMessage = {
      battleId: this.battleId,
      winner: outcome.winner,
      generator: { player: seat('generator').player, playerId: g.playerId, rounds: outcome.generatorRounds, points: outcome.generatorPoints },
      discriminator: { player: seat('discriminator').player, playerId: d.playerId, rounds: outcome.discriminatorRounds, points: outcome.discriminatorPoints },
      rounds: [...this.roundResults],
      rated: this.fairSeed.rated,
      seedReveal: revealOf(this.fairSeed),
      unlocks: unlocks.map((u) => ({ playerId: u.playerId, player: names.get(u.playerId) ?? '', achievement: u.name, tier: u.tier })),
    };
    this.broadcast('result', message, { afterNextPatch: true });
  }
}
