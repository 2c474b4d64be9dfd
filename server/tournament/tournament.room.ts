import { randomUUID } from 'node:crypto';
import { ServerError, type Client, type Delayed } from '@colyseus/core';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { drawFairSeed, publishCommitment, revealInState } from '../match/fair-seed.ts';
import { RECONNECT_SECONDS } from '../match/reconnection.ts';
import type { z } from 'zod';
import { parameterCount } from '../../shared/model-spec.metrics.ts';
import { savingNotices } from '../outbox/saving-notice.ts';
import { moduleLogger } from '../logger.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { networkDims } from '../../shared/network-dims.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { recoveryNotice } from '../trainer/trainer.port.ts';
import { deriveSeed } from '../../shared/random.ts';
import {
  MatchStatus,
  PlayerStatus,
  TournamentClientMessages,
  TournamentCreateOptions,
  TournamentFormat,
  TournamentJoinOptions,
  TournamentPhase,
  type TournamentClientMessageType,
  type TournamentErrorMessage,
  type TournamentResultMessage,
  type TournamentWelcomeMessage,
} from '../../shared/tournament.messages.ts';
import { MatchSide, TournamentMatch, TournamentPlayer, TournamentState } from '../../shared/tournament.state.ts';
import { checkSpecSize, describeZodError } from '../../shared/validation.ts';
import type { Unlock } from '../progression/progression.service.ts';
import { freeSeat } from '../race/race.rules.ts';
import { raceMatchResult, runMatch, type RaceMatchEntry, type RunningRaceMatch } from '../match/match-runner.ts';
import {
  bracketFirstRound,
  bracketNextRound,
  eliminationRanking,
  eliminationRounds,
  swissPairings,
  swissRanking,
  swissRounds,
  swissStandings,
  type MatchRecord,
  type Pairing,
} from './tournament.rules.ts';
import { onValidated, refuse } from '../room-messages.ts';

/** Server-side facts about a player that never go into state. */
interface PlayerPrivate {
  playerId: string;
  spec?: ModelSpec;
}

/**
 * A tournament: 4 to 32 players, single elimination or Swiss, every match a
 * race of two entries on the same task and budget, ranked on the held-out
 * split. Every match is in state with its live progress, so players waiting
 * for their next match (and spectators) can watch the others. Each match is
 * stored as it finishes, and the final ranking at the end.
 */
export class TournamentRoom extends ArenaRoom<{ state: TournamentState }> {
  override state = new TournamentState();
  override maxClients = 300;
  private options!: TournamentCreateOptions;
  /** The creator's seed, if they chose one (the tournament is then unrated); otherwise every match draws and commits to its own. */
  private customSeed?: number;
  private readonly tournamentId = randomUUID();
  private timer?: Delayed;
  private readonly privates = new Map<string, PlayerPrivate>();
  private readonly spectatorIds = new Set<string>();
  /** Session ids in seed order, fixed at the start. */
  private seeds: string[] = [];
  /** Decided pairings, by round, in bracket order (index = the pairing's position). */
  private readonly byRound = new Map<number, MatchRecord[]>();
  private readonly matchIds: string[] = [];
  private readonly running = new Set<RunningRaceMatch>();
  private disposed = false;

  override onCreate(raw: unknown): void {
    const parsed = TournamentCreateOptions.safeParse(raw ?? {});
    if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
    if (parsed.data.minPlayers > parsed.data.maxPlayers) throw new ServerError(400, 'minPlayers must not exceed maxPlayers');
    this.options = parsed.data;
    this.customSeed = parsed.data.seed;
    Object.assign(this.state, {
      title: parsed.data.title,
      format: parsed.data.format,
      task: parsed.data.task.name,
      budget: parsed.data.budget,
      minPlayers: parsed.data.minPlayers,
      maxPlayers: parsed.data.maxPlayers,
      tournamentId: this.tournamentId,
      rated: this.customSeed === undefined,
    });
    this.setMetadata({ kind: 'tournament', task: parsed.data.task.name, format: parsed.data.format, budget: parsed.data.budget, phase: TournamentPhase.Lobby, players: 0, maxPlayers: parsed.data.maxPlayers, spectators: 0, rated: this.customSeed === undefined });

    this.on('spec', (client, msg) => this.handleSpec(client, msg.spec));
    this.on('ready', (client, msg) => this.handleReady(client, msg.ready));
  }

  /** Registers a handler whose payload is checked against the shared schema first. */
  private on<K extends TournamentClientMessageType>(type: K, handler: (client: Client, msg: z.infer<(typeof TournamentClientMessages)[K]>) => void): void {
    onValidated(this, 'tournament', TournamentClientMessages, type, handler);
  }

  override async onJoin(client: Client, raw: unknown): Promise<void> {
    await this.admit(client, raw);
    patchListing(this, { players: this.state.players.size, spectators: this.state.spectators });
  }

  /** A lost connection keeps the seat for RECONNECT_SECONDS. */
  override async onDrop(client: Client): Promise<void> {
    const player = this.state.players.get(client.sessionId);
    if (player) player.connected = false;
    await this.allowReconnection(client, RECONNECT_SECONDS).catch(() => {});
  }

  override onReconnect(client: Client): void {
    const player = this.state.players.get(client.sessionId);
    if (player) player.connected = true;
  }

  /** Seats a player or counts a spectator; the one place where joining is decided (onAuth slots in before it). */
  private async admit(client: Client, raw: unknown): Promise<void> {
    const parsed = TournamentJoinOptions.safeParse(raw ?? {});
    if (!parsed.success) throw new ServerError(400, describeZodError(parsed.error).message);
    const { role } = parsed.data;
    const who = (client.auth as RoomIdentity | undefined)!; // onAuth refused anyone it could not identify
    const name = who.name;
    if (role === 'spectator') {
      this.spectatorIds.add(client.sessionId);
      this.state.spectators++;
      return;
    }
    if (this.state.phase !== TournamentPhase.Lobby && this.state.phase !== TournamentPhase.Countdown) {
      throw new ServerError(409, 'the tournament has started: join as a spectator');
    }
    if (this.state.players.size >= this.options.maxPlayers) {
      throw new ServerError(409, `the tournament is full (${this.options.maxPlayers} players): join as a spectator`);
    }
    const playerId = await this.services.players.ensure(who.playerId ?? undefined, name);
    if ([...this.privates.values()].some((p) => p.playerId === playerId)) throw new ServerError(409, 'you already have a seat in this tournament');
    const player = new TournamentPlayer();
    player.seat = freeSeat([...this.state.players.values()].map((p) => p.seat));
    player.player = name;
    this.state.players.set(client.sessionId, player);
    this.privates.set(client.sessionId, { playerId });
    client.send('welcome', { playerId } satisfies TournamentWelcomeMessage);
  }

  override onLeave(client: Client): void {
    this.leave(client);
    patchListing(this, { players: this.state.players.size, spectators: this.state.spectators });
  }

  private leave(client: Client): void {
    if (this.spectatorIds.delete(client.sessionId)) {
      this.state.spectators = Math.max(0, this.state.spectators - 1);
      return;
    }
    const player = this.state.players.get(client.sessionId);
    if (!player) return;
    if (this.state.phase === TournamentPhase.Lobby || this.state.phase === TournamentPhase.Countdown) {
      this.state.players.delete(client.sessionId);
      this.privates.delete(client.sessionId);
      this.updateCountdown();
    } else {
      player.connected = false; // their entry plays on with its last spec
    }
  }

  override async onDispose(): Promise<void> {
    this.disposed = true;
    this.timer?.clear();
    await Promise.all([...this.running].map((m) => m.cancel()));
  }

  private handleSpec(client: Client, spec: ModelSpec): void {
    const player = this.state.players.get(client.sessionId);
    if (!player) {
      refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot enter or steer a model', about: 'spec' });
      return;
    }
    if (this.state.phase === TournamentPhase.Finished || player.status === PlayerStatus.Out) {
      refuse(client, { code: ErrorCode.WrongPhase, message: 'you have no match left to play', about: 'spec' });
      return;
    }
    const tooLarge = checkSpecSize(spec, this.options.task);
    if (tooLarge) {
      refuse(client, { code: ErrorCode.SpecTooLarge, ...tooLarge, about: 'spec' });
      return;
    }
    // A spec sent while racing applies from the player's next match.
    const { inputDim, outputDim } = networkDims(spec, this.options.task);
    this.privates.get(client.sessionId)!.spec = spec;
    player.params = parameterCount(spec, inputDim, outputDim);
    const widths = [inputDim, ...spec.layers.map((l) => l.units), outputDim].join('-');
    const acts = [...new Set(spec.layers.map((l) => l.activation))].join('/');
    player.summary = `${widths} ${acts} · ${spec.optimizer} ${spec.learningRate} · batch ${spec.batchSize}`;
  }

  private handleReady(client: Client, ready: boolean): void {
    const player = this.state.players.get(client.sessionId);
    if (!player) {
      refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot play', about: 'ready' });
      return;
    }
    if (this.state.phase !== TournamentPhase.Lobby && this.state.phase !== TournamentPhase.Countdown) {
      refuse(client, { code: ErrorCode.WrongPhase, message: 'the tournament has started', about: 'ready' });
      return;
    }
    if (ready && !this.privates.get(client.sessionId)?.spec) {
      refuse(client, { code: ErrorCode.WrongPhase, field: 'ready', message: 'send a model spec before getting ready', about: 'ready' });
      return;
    }
    player.status = ready ? PlayerStatus.Ready : PlayerStatus.Designing;
    this.updateCountdown();
  }

  /** Starts, continues or calls off the countdown as players get ready or leave. */
  private updateCountdown(): void {
    const players = [...this.state.players.values()];
    const ready = players.filter((p) => p.status === PlayerStatus.Ready).length;
    const { minPlayers, countdownSeconds } = this.options;
    const enough = ready >= minPlayers;
    if ((enough && ready === players.length) || (enough && countdownSeconds === 0)) {
      void this.start();
      return;
    }
    if (enough && this.state.phase === TournamentPhase.Lobby) {
      this.state.phase = TournamentPhase.Countdown;
      this.state.countdown = countdownSeconds;
      this.timer = this.clock.setInterval(() => {
        this.state.countdown = Math.max(0, this.state.countdown - 1);
        if (this.state.countdown === 0) void this.start();
      }, 1000);
    } else if (!enough && this.state.phase === TournamentPhase.Countdown) {
      this.timer?.clear();
      this.state.phase = TournamentPhase.Lobby;
      this.state.countdown = 0;
    }
  }

  private async start(): Promise<void> {
    if (this.state.phase !== TournamentPhase.Lobby && this.state.phase !== TournamentPhase.Countdown) return;
    this.timer?.clear();
    this.state.countdown = 0;
    // Players who were not ready when it started sit the tournament out (and may watch).
    for (const [sessionId, p] of this.state.players) {
      if (p.status !== PlayerStatus.Ready) {
        this.state.players.delete(sessionId);
        this.privates.delete(sessionId);
      }
    }
    this.seeds = [...this.state.players].sort(([, a], [, b]) => a.seat - b.seat).map(([id]) => id);
    const n = this.seeds.length;
    this.state.totalRounds = this.options.format === TournamentFormat.Swiss ? (this.options.rounds ?? swissRounds(n)) : eliminationRounds(n);
    this.state.phase = TournamentPhase.Racing;
    patchListing(this, { phase: TournamentPhase.Racing });
    try {
      const saving = savingNotices((n) => this.broadcast('notice', n), 'the tournament');
      await this.services.tournaments.open({ id: this.tournamentId, name: this.options.title, format: this.options.format, task: this.options.task }, saving.hooks);
      saving.stored();
    } catch (err) {
      moduleLogger('tournament').error({ roomId: this.roomId, err }, 'could not store the tournament');
      this.broadcast('error', { code: ErrorCode.Internal, message: 'the tournament could not be stored; its matches will not be either' } satisfies TournamentErrorMessage);
    }
    this.playRound();
  }

  private seatOf(sessionId: string): number {
    return this.state.players.get(sessionId)!.seat;
  }

  private sessionOfSeat(seat: number): string {
    return this.seeds.find((id) => this.seatOf(id) === seat)!;
  }

  private pairings(): Pairing[] {
    const seats = this.seeds.map((id) => this.seatOf(id));
    if (this.options.format === TournamentFormat.Swiss) return swissPairings(seats, this.records);
    if (this.state.round === 1) return bracketFirstRound(seats);
    return bracketNextRound(this.byRound.get(this.state.round - 1) ?? []);
  }

  private get records(): MatchRecord[] {
    return [...this.byRound.values()].flatMap((r) => r.filter(Boolean));
  }

  private record(index: number, rec: MatchRecord): void {
    const round = this.byRound.get(rec.round) ?? [];
    round[index] = rec;
    this.byRound.set(rec.round, round);
  }

  private playRound(): void {
    if (this.disposed) return;
    this.state.round++;
    this.state.phase = TournamentPhase.Racing;
    patchListing(this, { phase: TournamentPhase.Racing, round: this.state.round });
    const round = this.state.round;
    const pairings = this.pairings();
    for (const id of this.seeds) {
      const p = this.state.players.get(id)!;
      if (p.status !== PlayerStatus.Out) p.status = PlayerStatus.Waiting;
    }
    const played = pairings.map((pairing, index) => this.playMatch(round, index, pairing));
    void Promise.all(played).then(() => this.endRound());
  }

  /** Plays one pairing (a bye is won at once) and records its outcome. */
  private async playMatch(round: number, index: number, pairing: Pairing): Promise<void> {
    const view = new TournamentMatch();
    view.round = round;
    view.index = index;
    const seats = pairing.b === null ? [pairing.a] : [pairing.a, pairing.b];
    for (const seat of seats) {
      const side = new MatchSide();
      side.seat = seat;
      side.player = this.state.players.get(this.sessionOfSeat(seat))!.player;
      view.sides.push(side);
    }
    this.state.matches.push(view);
    view.fairSeed.rated = this.state.rated;
    if (pairing.b === null) {
      view.status = MatchStatus.Bye;
      view.winner = pairing.a;
      view.sides[0]!.status = 'bye';
      this.record(index, { round, a: pairing.a, b: null, winner: pairing.a, accuracy: { a: null, b: null } });
      return;
    }
    view.status = MatchStatus.Racing;
    const entries: RaceMatchEntry[] = seats.map((seat) => {
      const id = this.sessionOfSeat(seat);
      const p = this.state.players.get(id)!;
      p.status = PlayerStatus.Racing;
      const priv = this.privates.get(id)!;
      return { seat, player: p.player, playerId: priv.playerId, spec: priv.spec! };
    });
    // Each match its own seed, committed to as it starts and revealed as it ends (a later match's seed owes nothing to it).
    const fairSeed = drawFairSeed(this.customSeed === undefined ? undefined : deriveSeed(this.customSeed, `round:${round}:match:${index}`));
    publishCommitment(view.fairSeed, fairSeed);
    const conditions = { task: this.options.task, budget: this.options.budget, seed: fairSeed.seed };
    const startedAt = new Date();
    const sideOf = (seat: number) => view.sides.find((s) => s.seat === seat)!;
    const match = runMatch(this.services.trainer, conditions, entries, {
      onFrame: (seat, frame) => {
        const side = sideOf(seat);
        side.samples = frame.samples;
        side.loss = frame.loss;
        side.valAccuracy = frame.valAccuracy;
      },
      notice: (notice) => this.broadcast('notice', notice),
    });
    this.running.add(match);
    const outcomes = await match.done;
    this.running.delete(match);
    if (this.disposed) return;
    revealInState(view.fairSeed, fairSeed);
    for (const o of outcomes) {
      const side = sideOf(o.entry.seat);
      side.status = o.result ? 'finished' : 'failed';
      side.heldOutAccuracy = o.result?.heldOutAccuracy ?? 0;
      if (o.result) {
        side.samples = o.result.samples;
        side.valAccuracy = o.result.final.valAccuracy;
        side.loss = o.result.final.loss;
      }
      this.state.players.get(this.sessionOfSeat(o.entry.seat))!.status = PlayerStatus.Waiting;
    }
    const winner = outcomes.find((o) => o.rank === 1)!.entry.seat;
    const acc = (seat: number) => outcomes.find((o) => o.entry.seat === seat)?.result?.heldOutAccuracy ?? null;
    this.record(index, { round, a: pairing.a, b: pairing.b, winner, accuracy: { a: acc(pairing.a), b: acc(pairing.b) } });
    const result = raceMatchResult(outcomes, { roomId: this.roomId, conditions, fairSeed, startedAt, tournament: { id: this.tournamentId, round } });
    try {
      const saving = savingNotices((n) => this.broadcast('notice', n), `the result of round ${round}, match ${index + 1}`);
      await this.services.matches.recordRace(result, saving.hooks);
      saving.stored();
      view.matchId = result.match.id;
      this.matchIds.push(result.match.id);
    } catch (err) {
      moduleLogger('tournament').error({ roomId: this.roomId, matchId: result.match.id, err }, 'could not store a match');
      this.broadcast('error', { code: ErrorCode.Internal, message: `a match of round ${round} could not be stored` } satisfies TournamentErrorMessage);
    }
    view.winner = winner;
    view.status = MatchStatus.Finished;
  }

  /** Mirrors wins, losses, points and (Swiss) the live table into state. */
  private updateStandings(): void {
    const seats = this.seeds.map((id) => this.seatOf(id));
    const table = swissStandings(seats, this.records);
    for (const line of table) {
      const p = this.state.players.get(this.sessionOfSeat(line.seat))!;
      p.wins = line.wins;
      p.losses = line.losses;
      p.points = line.points;
      p.buchholz = line.buchholz;
      if (this.options.format === TournamentFormat.Swiss) p.rank = line.rank;
      else if (line.losses > 0) p.status = PlayerStatus.Out;
    }
  }

  private endRound(): void {
    if (this.disposed) return;
    this.updateStandings();
    if (this.state.round >= this.state.totalRounds) {
      void this.finish();
      return;
    }
    if (this.options.breakSeconds === 0) {
      this.playRound();
      return;
    }
    this.state.phase = TournamentPhase.Break;
    patchListing(this, { phase: TournamentPhase.Break });
    this.state.countdown = this.options.breakSeconds;
    this.timer = this.clock.setInterval(() => {
      this.state.countdown = Math.max(0, this.state.countdown - 1);
      if (this.state.countdown === 0) {
        this.timer?.clear();
        this.playRound();
      }
    }, 1000);
  }

  private async finish(): Promise<void> {
    const seats = this.seeds.map((id) => this.seatOf(id));
    const order = this.options.format === TournamentFormat.Swiss ? swissRanking(seats, this.records) : eliminationRanking(seats, this.records);
    const ranking = order.map((seat, i) => {
      const id = this.sessionOfSeat(seat);
      const p = this.state.players.get(id)!;
      p.rank = i + 1;
      return { player: p.player, playerId: this.privates.get(id)!.playerId, seat, rank: i + 1, wins: p.wins, losses: p.losses, points: p.points };
    });
    const champion = ranking[0]!;
    this.state.players.get(this.sessionOfSeat(champion.seat))!.status = PlayerStatus.Champion;
    this.state.champion = champion.player;
    let unlocks: Unlock[] = [];
    let stored = true;
    const finishing = savingNotices((n) => this.broadcast('notice', n), 'the tournament result');
    try {
      unlocks = await this.services.tournaments.finish({
        id: this.tournamentId,
        name: this.options.title,
        format: this.options.format,
        task: this.options.task,
        ranking: ranking.map((r) => r.playerId),
        rated: this.state.rated,
      }, finishing.hooks);
      finishing.stored();
    } catch (err) {
      stored = false;
      moduleLogger('tournament').error({ roomId: this.roomId, err }, 'could not store the result');
      this.broadcast('error', { code: ErrorCode.Internal, message: 'the result could not be stored' } satisfies TournamentErrorMessage);
    }
    this.state.phase = TournamentPhase.Finished;
    patchListing(this, { phase: TournamentPhase.Finished });
    const names = new Map(ranking.map((r) => [r.playerId, r.player]));
    const message: TournamentResultMessage = {
      tournamentId: this.tournamentId,
      stored,
      champion: { player: champion.player, playerId: champion.playerId },
      ranking,
      matchIds: [...this.matchIds],
      rated: this.state.rated,
      unlocks: unlocks.map((u) => ({ playerId: u.playerId, player: names.get(u.playerId) ?? '', achievement: u.name, tier: u.tier })),
    };
    this.broadcast('result', message, { afterNextPatch: true });
  }
}
