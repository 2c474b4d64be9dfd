import { randomUUID } from 'node:crypto';
import { ServerError, type Client } from '@colyseus/core';
import type { z } from 'zod';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { PlayerStatus, TournamentClientMessages, TournamentCreateOptions, TournamentJoinOptions, TournamentPhase } from '../../shared/tournament.messages.ts';
import type { TournamentClientMessageType, TournamentErrorMessage, TournamentResultMessage, TournamentWelcomeMessage } from '../../shared/tournament.messages.ts';
import { TournamentPlayer, TournamentState } from '../../shared/tournament.state.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { moduleLogger } from '../logger.ts';
import { announceUnlocks, applySpec, attempt, claimSeat, Countdown, followReady, holdSeat, parseOptions, Spectators } from '../match/index.ts';
import { freeSeat } from '../race/race.rules.ts';
import { onValidated, refuse } from '../room-messages.ts';
import { TournamentBracket } from './tournament-bracket.ts';
import { TournamentMatches } from './tournament-matches.ts';

/**
 * A tournament: 4 to 32 players, single elimination or Swiss, every match a race of two entries on the
 * same task and budget, ranked on the held-out split. Each match is a `MatchLifecycle` of its own (in
 * `matches`), played by `runMatch` like a race's entries and stored as it finishes; every match is in
 * state with its live progress, so players waiting for their next match (and spectators) can watch.
 */
export class TournamentRoom extends ArenaRoom<{ state: TournamentState }> {
  override state = new TournamentState();
  override maxClients = 300;
  /** Its matches: each a lifecycle of its own (`games.all`), live in state. */
  games!: TournamentMatches;
  private options!: TournamentCreateOptions;
  /** The creator's seed, if they chose one (the tournament is then unrated); otherwise every match draws and commits to its own. */
  private customSeed?: number;
  private readonly tournamentId = randomUUID();
  private countdown!: Countdown;
  private spectators!: Spectators;
  /** Each player's account and current spec, by session (never in state). */
  private readonly privates = new Map<string, { playerId: string; spec?: ModelSpec }>();
  private bracket?: TournamentBracket;
  private disposed = false;

  override onCreate(raw: unknown): void {
    const options = parseOptions(TournamentCreateOptions, raw);
    if (options.minPlayers > options.maxPlayers) throw new ServerError(400, 'minPlayers must not exceed maxPlayers');
    this.options = options;
    this.customSeed = options.seed;
    const { title, format, task, budget, minPlayers, maxPlayers } = options;
    const rated = this.customSeed === undefined;
    Object.assign(this.state, { title, format, task: task.name, budget, minPlayers, maxPlayers, tournamentId: this.tournamentId, rated });
    this.setMetadata({ kind: 'tournament', task: task.name, format, budget, phase: TournamentPhase.Lobby, players: 0, maxPlayers, spectators: 0, rated });
    this.countdown = new Countdown(this.clock, this.state);
    this.spectators = new Spectators(this.state);
    const broadcast = (type: 'notice' | 'error', message: unknown) => this.broadcast(type, message);
    this.games = new TournamentMatches({ roomId: this.roomId, tournamentId: this.tournamentId, options, customSeed: this.customSeed, state: this.state, services: this.services, seat: (n) => this.bySeat(n), broadcast });
    this.on('spec', (client, msg) => this.handleSpec(client, msg.spec));
    this.on('ready', (client, msg) => this.handleReady(client, msg.ready));
  }

  /** Registers a handler whose payload is checked against the shared schema first. */
  private on<K extends TournamentClientMessageType>(type: K, handler: (client: Client, msg: z.infer<(typeof TournamentClientMessages)[K]>) => void): void {
    onValidated(this, 'tournament', TournamentClientMessages, type, handler);
  }

  private get open(): boolean {
    return this.state.phase === TournamentPhase.Lobby || this.state.phase === TournamentPhase.Countdown;
  }

  override async onJoin(client: Client, raw: unknown): Promise<void> {
    const { role } = parseOptions(TournamentJoinOptions, raw);
    const who = (client.auth as RoomIdentity | undefined)!; // onAuth refused anyone it could not identify
    if (role === 'spectator') this.spectators.add(client.sessionId);
    else {
      const max = this.options.maxPlayers;
      const words = { started: 'the tournament has started: join as a spectator', full: `the tournament is full (${max} players): join as a spectator`, again: 'you already have a seat in this tournament' };
      const seatedIds = [...this.privates.values()].map((p) => p.playerId);
      const playerId = await claimSeat(who, { open: this.open, seated: this.state.players.size, capacity: max, seatedIds, words }, (id, name) => this.services.players.ensure(id, name));
      const player = Object.assign(new TournamentPlayer(), { seat: freeSeat([...this.state.players.values()].map((p) => p.seat)), player: who.name });
      this.state.players.set(client.sessionId, player);
      this.privates.set(client.sessionId, { playerId });
      client.send('welcome', { playerId } satisfies TournamentWelcomeMessage);
    }
    this.listCounts();
  }

  private listCounts(): void {
    patchListing(this, { players: this.state.players.size, spectators: this.state.spectators });
  }

  override onDrop(client: Client): Promise<void> {
    return holdSeat(this, client, (connected) => this.onReconnect(client, connected));
  }

  override onReconnect(client: Client, connected = true): void {
    const player = this.state.players.get(client.sessionId);
    if (player) player.connected = connected;
  }

  override onLeave(client: Client): void {
    const player = this.state.players.get(client.sessionId);
    if (!this.spectators.remove(client.sessionId) && player && this.open) {
      this.state.players.delete(client.sessionId);
      this.privates.delete(client.sessionId);
      this.updateCountdown();
    } else if (player) player.connected = false; // their entry plays on with its last spec
    this.listCounts();
  }

  override async onDispose(): Promise<void> {
    this.disposed = true;
    this.countdown?.stop();
    await this.games?.cancel();
  }

  private handleSpec(client: Client, spec: ModelSpec): void {
    const player = this.state.players.get(client.sessionId);
    if (!player) return refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot enter or steer a model', about: 'spec' });
    if (this.state.phase === TournamentPhase.Finished || player.status === PlayerStatus.Out) return refuse(client, { code: ErrorCode.WrongPhase, message: 'you have no match left to play', about: 'spec' });
    // A spec sent while racing applies from the player's next match.
    if (applySpec(client, spec, this.options.task, player)) this.privates.get(client.sessionId)!.spec = spec;
  }

  private handleReady(client: Client, ready: boolean): void {
    const player = this.state.players.get(client.sessionId);
    if (!player) return refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot play', about: 'ready' });
    if (!this.open) return refuse(client, { code: ErrorCode.WrongPhase, message: 'the tournament has started', about: 'ready' });
    if (ready && !this.privates.get(client.sessionId)?.spec) return refuse(client, { code: ErrorCode.WrongPhase, field: 'ready', message: 'send a model spec before getting ready', about: 'ready' });
    player.status = ready ? PlayerStatus.Ready : PlayerStatus.Designing;
    this.updateCountdown();
  }

  private updateCountdown(): void {
    const players = [...this.state.players.values()];
    const counts = { ready: players.filter((p) => p.status === PlayerStatus.Ready).length, seated: players.length, counting: this.state.phase === TournamentPhase.Countdown };
    followReady(this.countdown, counts, this.options, { start: () => void this.start(), setPhase: (phase) => (this.state.phase = phase) });
  }

  private async start(): Promise<void> {
    if (!this.open) return;
    this.countdown.stop();
    for (const [sessionId, p] of this.state.players) if (p.status !== PlayerStatus.Ready) this.state.players.delete(sessionId) && this.privates.delete(sessionId); // they may watch
    const seats = [...this.state.players.values()].map((p) => p.seat).sort((a, b) => a - b);
    this.bracket = new TournamentBracket(this.options.format, seats, this.options.rounds);
    this.state.totalRounds = this.bracket.totalRounds;
    this.state.phase = TournamentPhase.Racing;
    patchListing(this, { phase: TournamentPhase.Racing });
    const { title: name, format, task } = this.options;
    await attempt((hooks) => this.services.tournaments.open({ id: this.tournamentId, name, format, task }, hooks), (err) => {
      moduleLogger('tournament').error({ roomId: this.roomId, err }, 'could not store the tournament');
      this.broadcast('error', { code: ErrorCode.Internal, message: 'the tournament could not be stored; its matches will not be either' } satisfies TournamentErrorMessage);
    }, { tell: (n) => this.broadcast('notice', n), what: 'the tournament' });
    this.playRound();
  }

  /** The player in a seat, with their account and current spec. */
  private bySeat(seat: number): { player: TournamentPlayer; playerId: string; spec?: ModelSpec } {
    const [id, player] = [...this.state.players].find(([, p]) => p.seat === seat)!;
    return { player, ...this.privates.get(id)! };
  }

  private playRound(): void {
    if (this.disposed) return;
    const round = ++this.state.round;
    this.state.phase = TournamentPhase.Racing;
    patchListing(this, { phase: TournamentPhase.Racing, round });
    for (const p of this.state.players.values()) if (p.status !== PlayerStatus.Out) p.status = PlayerStatus.Waiting;
    const played = this.bracket!.pairings(round).map(async (pairing, index) => {
      const outcome = await this.games.play(round, index, pairing);
      if (outcome) this.bracket!.record(index, outcome);
    });
    void Promise.all(played).then(() => this.endRound());
  }

  private endRound(): void {
    if (this.disposed) return;
    this.bracket!.showStandings((seat) => this.bySeat(seat).player);
    if (this.state.round >= this.state.totalRounds) return void this.finish();
    if (this.options.breakSeconds === 0) return this.playRound();
    this.state.phase = TournamentPhase.Break;
    patchListing(this, { phase: TournamentPhase.Break });
    this.countdown.start(this.options.breakSeconds, () => this.playRound());
  }

  private async finish(): Promise<void> {
    const ranking = this.bracket!.showRanking((seat) => this.bySeat(seat).player).map(({ player, seat, rank, wins, losses, points }) => ({ player, playerId: this.bySeat(seat).playerId, seat, rank, wins, losses, points }));
    const champion = ranking[0]!;
    this.state.champion = champion.player;
    const { title: name, format, task } = this.options;
    const rated = this.state.rated;
    const unlocked = await attempt((hooks) => this.services.tournaments.finish({ id: this.tournamentId, name, format, task, ranking: ranking.map((r) => r.playerId), rated }, hooks), (err) => {
      moduleLogger('tournament').error({ roomId: this.roomId, err }, 'could not store the result');
      this.broadcast('error', { code: ErrorCode.Internal, message: 'the result could not be stored' } satisfies TournamentErrorMessage);
    }, { tell: (n) => this.broadcast('notice', n), what: 'the tournament result' });
    this.state.phase = TournamentPhase.Finished;
    patchListing(this, { phase: TournamentPhase.Finished });
    const matchIds = this.state.matches.map((m) => m.matchId).filter(Boolean);
    const unlocks = announceUnlocks(unlocked ?? [], new Map(ranking.map((r) => [r.playerId, r.player])));
    const message: TournamentResultMessage = { tournamentId: this.tournamentId, stored: unlocked !== undefined, champion: { player: champion.player, playerId: champion.playerId }, ranking, matchIds, rated, unlocks };
    this.broadcast('result', message, { afterNextPatch: true });
  }
}
