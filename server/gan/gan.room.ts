import { randomUUID } from 'node:crypto';
import { ServerError, type Client } from '@colyseus/core';
import type { z } from 'zod';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import { sampleDistribution } from '../../contract/datasets/gan-distributions.ts';
import { DEFAULT_GAN_SIDE, GAN_SHOWN_POINTS, GanClientMessages, GanCreateOptions, GanJoinOptions, GanPhase } from '../../shared/gan.messages.ts';
import type { GanClientMessageType, GanErrorMessage, GanResultMessage, GanRole, GanRoundResult, GanWelcomeMessage } from '../../shared/gan.messages.ts';
import { GanJob, type GanSide } from '../../shared/gan.schema.ts';
import type { GanMatch, GanRoundCurve } from '../../shared/gan-match.schema.ts';
import { GAN_SCOPE } from '../../shared/rating-scale.ts';
import { GanRoundScore, GanSeat, GanState } from '../../shared/gan.state.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { createRng, deriveSeed } from '../../contract/random.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { moduleLogger } from '../logger.ts';
import { drawFairSeed, listingOf, publishCommitment, revealInState, revealOf } from '../match/fair-seed.ts';
import { announceUnlocks, claimSeat, Countdown, holdSeat, MatchLifecycle, parseOptions, seatRefusal, Spectators, storeMatch } from '../match/index.ts';
import { gainsOf } from '../match/match-ending.ts';
import { onValidated, refuse } from '../room-messages.ts';
import { GanRounds } from './gan-rounds.ts';
import { Rematch } from '../match/rematch.ts';
import { GanView } from './gan-view.ts';
import { battleDecided, battleWinner, referenceDistance, scoreRound, summariseSide, type RoundScore } from './gan.rules.ts';

const ROLES: readonly GanRole[] = ['generator', 'discriminator'];

/**
 * A GAN battle: one player designs the generator, the other the discriminator, on a 2D distribution.
 * Each round trains a fresh GAN from both current designs for the same number of iterations through the
 * trainer; the rules score the round's end (distance to the real points against the discriminator's
 * accuracy). Between rounds each player may redesign their own side. The battle is a `MatchLifecycle`
 * (kind `gan`: joins, designs, each round's launch and result); spectators see the real and generated
 * points, the discriminator's heatmap and both losses live.
 */
export class GanRoom extends ArenaRoom<{ state: GanState }> {
  override state = new GanState();
  override maxClients = 300;
  /** The battle: its phase and its log. Its id is the stored battle's. */
  match!: MatchLifecycle;
  private options!: GanCreateOptions;
  private reference = 0;
  /** Each side's player: their session, account and current design. */
  private readonly seats = new Map<GanRole, { sessionId: string; playerId: string; design: GanSide }>();
  private spectators!: Spectators;
  private countdown!: Countdown;
  private view!: GanView;
  private readonly scores: RoundScore[] = [];
  private readonly roundResults: GanRoundResult[] = [];
  /** Each round's curve, as it ended (for the stored battle's replay). */
  private readonly roundCurves: Array<GanRoundCurve | null> = [];
  private startedAt = new Date();
  private rounds!: GanRounds;

  override onCreate(raw: unknown): void {
    const options = parseOptions(GanCreateOptions, raw);
    this.options = options;
    this.match = new MatchLifecycle({ id: randomUUID(), kind: 'gan', roomId: this.roomId, options, fairSeed: drawFairSeed(options.seed) });
    publishCommitment(this.state.fairSeed, this.match.fairSeed!); // the seed itself only once the battle is over
    const real = sampleDistribution(options.distribution, 512, createRng(deriveSeed(this.match.seed!, 'gan:real')));
    this.reference = referenceDistance(real);
    Object.assign(this.state, { distribution: options.distribution, rounds: options.rounds, iterationsPerRound: options.iterationsPerRound, referenceDistance: this.reference });
    this.state.real.push(...real.subarray(0, 2 * GAN_SHOWN_POINTS));
    for (const role of ROLES) this.state.seats.set(role, Object.assign(new GanSeat(), { summary: summariseSide(DEFAULT_GAN_SIDE) }));
    this.setMetadata({ kind: 'gan', task: options.distribution, phase: GanPhase.Lobby, players: 0, maxPlayers: 2, spectators: 0, ...listingOf(this.match.fairSeed!) });
    this.spectators = new Spectators(this.state);
    this.countdown = new Countdown(this.clock, this.state);
    this.view = new GanView(this.state);
    this.rounds = new GanRounds(this.services.trainer, this.match, (notice) => this.broadcast('notice', notice));
    this.on('design', (client, msg) => this.handleDesign(client, msg.side, msg.network));
    this.on('ready', (client, msg) => this.handleReady(client, msg.ready));
    const rematch = new Rematch('gan', () => ({ ...options }), (roomId) => (this.state.rematch = roomId));
    this.on('rematch', (client) => {
      const no = rematch.request({ isPlayer: !!this.roleOf(client), over: this.match.ended, tell: (e) => refuse(client, e) });
      if (no) refuse(client, no);
    });
  }

  /** Registers a handler whose payload is checked against the shared schema first. */
  private on<K extends GanClientMessageType>(type: K, handler: (client: Client, msg: z.infer<(typeof GanClientMessages)[K]>) => void): void {
    onValidated(this, 'gan', GanClientMessages, type, handler);
  }

  override async onJoin(client: Client, raw: unknown): Promise<void> {
    const joining = parseOptions(GanJoinOptions, raw);
    const who = (client.auth as RoomIdentity | undefined)!; // onAuth refused anyone it could not identify
    if (joining.role === 'spectator') this.spectators.add(client.sessionId);
    else {
      const free = ROLES.filter((r) => !this.seats.has(r));
      const words = { started: 'the battle has started: join as a spectator', full: 'both sides are taken: join as a spectator', again: 'you already have a side in this battle' };
      const rule = { open: this.state.phase === GanPhase.Lobby, seated: this.seats.size, capacity: ROLES.length, seatedIds: [...this.seats.values()].map((s) => s.playerId), words };
      const side = joining.side ?? free[0]!;
      if (!seatRefusal(rule) && this.seats.has(side)) throw new ServerError(409, `the ${side} is taken: join as the ${free[0]} or as a spectator`);
      const playerId = await claimSeat(who, rule, (id, name) => this.services.players.ensure(id, name));
      this.seats.set(side, { sessionId: client.sessionId, playerId, design: DEFAULT_GAN_SIDE });
      Object.assign(this.state.seats.get(side)!, { player: who.name, connected: true });
      this.match.record({ type: 'join', role: 'player', playerId, name: who.name, seat: ROLES.indexOf(side) });
      client.send('welcome', { playerId, side } satisfies GanWelcomeMessage);
    }
    patchListing(this, { players: this.seats.size, spectators: this.state.spectators });
  }

  override onDrop(client: Client): Promise<void> {
    return holdSeat(this, client, (connected) => this.onReconnect(client, connected));
  }

  override onReconnect(client: Client, connected = true): void {
    patchListing(this);
    const role = this.roleOf(client);
    if (role) this.state.seats.get(role)!.connected = connected;
  }

  override onLeave(client: Client): void {
    const role = this.roleOf(client);
    if (!this.spectators.remove(client.sessionId) && role) {
      const seat = this.state.seats.get(role)!;
      if (this.state.phase === GanPhase.Lobby) {
        this.match.record({ type: 'leave', role: 'player', playerId: this.seats.get(role)!.playerId, seat: ROLES.indexOf(role), reason: 'left' });
        this.seats.delete(role);
        Object.assign(seat, { player: '', ready: false, summary: summariseSide(DEFAULT_GAN_SIDE) });
      }
      seat.connected = false; // after the start the battle goes on with the side's last design
    }
    patchListing(this, { players: this.seats.size, spectators: this.state.spectators });
  }

  override async onDispose(): Promise<void> {
    this.countdown?.stop();
    await this.rounds?.cancel();
  }

  private roleOf(client: Client): GanRole | undefined {
    return ROLES.find((r) => this.seats.get(r)?.sessionId === client.sessionId);
  }

  private handleDesign(client: Client, side: GanRole, network: GanSide): void {
    const own = this.roleOf(client);
    if (!own) return refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot design or steer a network', about: 'design' });
    if (own !== side) return refuse(client, { code: ErrorCode.NotAllowed, field: 'side', message: `side: you play the ${own}; the ${side} is your opponent's`, about: 'design' });
    if (this.state.phase === GanPhase.Finished) return refuse(client, { code: ErrorCode.WrongPhase, message: 'the battle is over', about: 'design' });
    // Sent while a round trains, a design applies from the next round.
    const seat = Object.assign(this.seats.get(side)!, { design: network });
    const summary = (this.state.seats.get(side)!.summary = summariseSide(network));
    this.match.record({ type: 'design', playerId: seat.playerId, seat: ROLES.indexOf(side), role: side, design: network, summary });
  }

  private handleReady(client: Client, ready: boolean): void {
    const role = this.roleOf(client);
    if (!role) return refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot play', about: 'ready' });
    if (this.state.phase !== GanPhase.Lobby && this.state.phase !== GanPhase.Break) return refuse(client, { code: ErrorCode.WrongPhase, message: 'a round is under way', about: 'ready' });
    this.state.seats.get(role)!.ready = ready;
    if (this.seats.size === 2 && ROLES.every((r) => this.state.seats.get(r)!.ready)) this.startRound();
  }

  private startRound(): void {
    this.countdown.stop();
    if (this.match.phase === 'lobby') (this.match.transition('running'), (this.startedAt = new Date()));
    for (const r of ROLES) this.state.seats.get(r)!.ready = false;
    const round = ++this.state.round;
    this.state.phase = GanPhase.Training;
    patchListing(this, { phase: GanPhase.Training, round });
    this.view.reset();
    const { distribution, iterationsPerRound: iterations, batchSize, latentDim, frameEveryIterations, heatmapResolution } = this.options;
    const [generator, discriminator] = ROLES.map((r) => this.seats.get(r)!.design);
    const job = GanJob.parse({ runId: randomUUID(), distribution, seed: deriveSeed(this.match.seed!, `gan:round:${round}`), iterations, batchSize, latentDim, generator, discriminator, frameEveryIterations, heatmapResolution });
    this.rounds.play(job, (frame) => this.view.show(frame), (result, error) => {
      if (result) return (this.state.iteration = result.iterations), this.endRound(round, result.final);
      moduleLogger('gan').warn({ roomId: this.roomId, round, reason: error }, 'round failed');
      this.broadcast('error', { code: ErrorCode.TrainingFailed, message: `round ${round} could not be trained: ${error}` } satisfies GanErrorMessage);
      this.endRound(round, { distance: NaN, dAccuracy: NaN }); // nothing was forged: scored as a generator that produced nothing
    });
  }

  private endRound(round: number, figures: { distance: number; dAccuracy: number }): void {
    const score = scoreRound(figures, this.reference);
    this.scores.push(score);
    const result: GanRoundResult = { round, distance: figures.distance, dAccuracy: figures.dAccuracy, ...score };
    this.roundResults.push(result);
    this.roundCurves.push(this.view.roundCurve());
    this.state.results.push(Object.assign(new GanRoundScore(), result));
    for (const role of ROLES) this.state.seats.get(role)!.points += role === 'generator' ? score.generatorPoints : score.discriminatorPoints;
    this.state.seats.get(score.winner)!.roundsWon++;
    this.broadcast('round', result, { afterNextPatch: true });
    if (battleDecided(this.scores, this.options.rounds)) return void this.finish();
    if (this.options.breakSeconds === 0) return this.startRound();
    this.state.phase = GanPhase.Break;
    patchListing(this, { phase: GanPhase.Break });
    this.countdown.start(this.options.breakSeconds, () => this.startRound());
  }

  private async finish(): Promise<void> {
    const outcome = battleWinner(this.scores);
    this.match.transition('settling');
    Object.assign(this.state, { winner: outcome.winner, phase: GanPhase.Finished });
    revealInState(this.state.fairSeed, this.match.fairSeed!);
    patchListing(this, { phase: GanPhase.Finished });
    const [g, d] = ROLES.map((r) => ({ ...this.seats.get(r)!, player: this.state.seats.get(r)!.player }));
    const battle = this.battleOf(outcome, g!, d!);
    const unlocks = await storeMatch(this.match, this.match.id, (hooks) => this.services.gan.recordBattle(battle, hooks), (err) => {
      moduleLogger('gan').error({ roomId: this.roomId, err }, 'could not store the battle');
      this.broadcast('error', { code: ErrorCode.Internal, message: 'the result could not be stored' } satisfies GanErrorMessage);
    }, { tell: (n) => this.broadcast('notice', n), what: 'the battle result' });
    const stored = this.match.phase === 'stored';
    const generator = { player: g!.player, playerId: g!.playerId, rounds: outcome.generatorRounds, points: outcome.generatorPoints };
    const discriminator = { player: d!.player, playerId: d!.playerId, rounds: outcome.discriminatorRounds, points: outcome.discriminatorPoints };
    const { rated } = this.match.fairSeed!;
    const unlocked = announceUnlocks(unlocks, new Map([g!, d!].map((s) => [s.playerId, s.player])));
    const gains = await gainsOf(this.services, stored, this.match.id, [g!, d!], GAN_SCOPE, unlocks);
    const message: GanResultMessage = { battleId: this.match.id, matchId: stored ? this.match.id : null, winner: outcome.winner, decidedBy: outcome.decidedBy, generator, discriminator, rounds: [...this.roundResults], rated, seedReveal: revealOf(this.match.fairSeed!), unlocks: unlocked, gains };
    this.broadcast('result', message, { afterNextPatch: true });
  }

  /** The battle as stored: both sides with their last designs, each round with its figures and curve, and how it was decided. */
  private battleOf(outcome: ReturnType<typeof battleWinner>, g: { playerId: string; player: string; design: GanSide }, d: { playerId: string; player: string; design: GanSide }): GanMatch {
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    const side = (seat: number, role: GanRole, s: typeof g, rounds: number, points: number) => ({ seat, role, player: s.player, playerId: s.playerId, design: s.design, rank: outcome.winner === role ? 1 : 2, rounds, points });
    return {
      id: this.match.id,
      roomId: this.roomId,
      kind: 'gan',
      distribution: this.options.distribution,
      seed: this.match.seed!,
      rated: this.match.fairSeed!.rated,
      seedReveal: revealOf(this.match.fairSeed!),
      iterationsPerRound: this.options.iterationsPerRound,
      referenceDistance: this.reference,
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      winner: outcome.winner,
      decidedBy: outcome.decidedBy,
      rounds: this.roundResults.map((r, i) => ({ ...r, distance: finite(r.distance), dAccuracy: finite(r.dAccuracy), curve: this.roundCurves[i] ?? null })),
      entries: [side(0, 'generator', g, outcome.generatorRounds, outcome.generatorPoints), side(1, 'discriminator', d, outcome.discriminatorRounds, outcome.discriminatorPoints)],
    };
  }
}
