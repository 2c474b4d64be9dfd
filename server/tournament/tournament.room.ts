import { randomUUID } from 'node:crypto';
import { ServerError, type Client } from '@colyseus/core';
import type { z } from 'zod';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { PlayerStatus, TournamentClientMessages, TournamentCreateOptions, TournamentJoinOptions, TournamentPhase } from '../../shared/tournament.messages.ts';
import type { TournamentClientMessageType, TournamentWelcomeMessage } from '../../shared/tournament.messages.ts';
import { TournamentPlayer, TournamentState } from '../../shared/tournament.state.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { applySpec, claimSeat, Countdown, followReady, holdSeat, MatchLifecycle, parseOptions, Spectators } from '../match/index.ts';
import { DurableMatch } from '../match/durable-match.ts';
import { takeResumedWith } from '../match/match-recovery.ts';
import { freeSeat } from '../race/race.rules.ts';
import { onValidated, refuse } from '../room-messages.ts';
import { TournamentCourse } from './tournament-course.ts';
import { Rematch } from '../match/rematch.ts';
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
  private tournamentId!: string;
  private countdown!: Countdown;
  private spectators!: Spectators;
  /** Each player's account and current spec, by session (never in state). */
  private readonly privates = new Map<string, { playerId: string; spec?: ModelSpec }>();
  private course!: TournamentCourse;
  /** The tournament's own log, persisted, and carried on across restarts. */
  private durable!: DurableMatch;
  private disposed = false;

  override onCreate(raw: unknown): void {
    const resumed = takeResumedWith(this.services.matches.resumable, raw, this.roomId);
    const options = parseOptions(TournamentCreateOptions, resumed ? resumed.match.options : raw);
    if (options.minPlayers > options.maxPlayers) throw new ServerError(400, 'minPlayers must not exceed maxPlayers');
    this.options = options;
    this.customSeed = options.seed;
    this.tournamentId = resumed?.match.tournament!.id ?? randomUUID();
    const log = resumed?.match ?? new MatchLifecycle({ id: this.tournamentId, kind: 'tournament', roomId: this.roomId, options, tournament: { id: this.tournamentId, round: 0 } });
    this.durable = new DurableMatch(this, this.services.matches, log, !!resumed);
    const { title, format, task, budget, minPlayers, maxPlayers, paceSeconds } = options;
    const rated = this.customSeed === undefined;
    Object.assign(this.state, { title, format, task: task.name, budget, paceSeconds, minPlayers, maxPlayers, tournamentId: this.tournamentId, rated });
    this.setMetadata({ kind: 'tournament', task: task.name, format, budget, phase: TournamentPhase.Lobby, players: 0, maxPlayers, spectators: 0, rated });
    this.countdown = new Countdown(this.clock, this.state);
    this.spectators = new Spectators(this.state);
    const broadcast = (type: 'notice' | 'error' | 'result', message: unknown, opts?: { afterNextPatch?: boolean }) => this.broadcast(type, message, opts);
    const seat = (n: number) => this.bySeat(n);
    this.games = new TournamentMatches({ roomId: this.roomId, tournamentId: this.tournamentId, options, customSeed: this.customSeed, state: this.state, services: this.services, seat, broadcast, heard: (n) => this.course.hear(n), decided: (i, rec, id) => this.course.decided(i, rec, id) });
    const host = { roomId: this.roomId, tournamentId: this.tournamentId, options, state: this.state, services: this.services, games: this.games, countdown: this.countdown, durable: this.durable, privates: this.privates };
    this.course = new TournamentCourse({ ...host, bySeat: seat, broadcast, list: (patch: Record<string, unknown>) => patchListing(this, patch), disposed: () => this.disposed });
    this.on('spec', (client, msg) => this.handleSpec(client, msg.spec));
    this.on('ready', (client, msg) => this.handleReady(client, msg.ready));
    const rematch = new Rematch('tournament', () => ({ ...options }), (roomId) => (this.state.rematch = roomId));
    this.on('rematch', (client) => {
      const no = rematch.request({ isPlayer: this.state.players.has(client.sessionId), over: this.state.phase === TournamentPhase.Finished, tell: (e) => refuse(client, e) });
      if (no) refuse(client, no);
    });
    if (resumed) this.course.carryOn(resumed.companions);
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
    const back = role === 'player' && !this.open && who.playerId ? this.course.rejoin(client.sessionId, who.playerId) : undefined;
    if (back) client.send('welcome', { playerId: who.playerId! } satisfies TournamentWelcomeMessage);
    else if (role === 'spectator') this.spectators.add(client.sessionId);
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
    patchListing(this);
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

  /** SIGTERM: the tournament stays in the database, and its matches' runs with the trainer, for the next process. */
  override onBeforeShutdown(): void {
    this.durable.shutdown();
    super.onBeforeShutdown();
  }

  override async onDispose(): Promise<void> {
    this.disposed = true;
    this.countdown?.stop();
    await this.durable?.dispose(this.games); // undefined when onCreate refused the options
  }

  private handleSpec(client: Client, spec: ModelSpec): void {
    const player = this.state.players.get(client.sessionId);
    if (!player) return refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot enter or steer a model', about: 'spec' });
    if (this.state.phase === TournamentPhase.Finished || player.status === PlayerStatus.Out) return refuse(client, { code: ErrorCode.WrongPhase, message: 'you have no match left to play', about: 'spec' });
    // A spec sent while racing applies from the player's next match.
    const accepted = applySpec(client, spec, this.options.task, player);
    const own = this.privates.get(client.sessionId)!;
    if (accepted) (own.spec = spec), this.course.spec(player.seat, own.playerId, spec, accepted);
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
    await this.course.start();
  }

  /** The player in a seat, with their account and current spec. */
  private bySeat(seat: number): { player: TournamentPlayer; playerId: string; spec?: ModelSpec } {
    const [id, player] = [...this.state.players].find(([, p]) => p.seat === seat)!;
    return { player, ...this.privates.get(id)! };
  }
}
