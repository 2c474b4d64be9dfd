import { randomUUID } from 'node:crypto';
import { ServerError, type Client } from '@colyseus/core';
import { StateView } from '@colyseus/schema';
import type { z } from 'zod';
import { moduleLogger } from '../logger.ts';
import type { RoomIdentity } from '../../shared/identity.schema.ts';
import type { ModelSpec } from '../../shared/model-spec.schema.ts';
import { ErrorCode } from '../../shared/protocol.ts';
import { EntryStatus, RaceClientMessages, RaceCreateOptions, RaceJoinOptions, RacePhase, type RaceClientMessageType, type RaceWelcomeMessage } from '../../shared/race.messages.ts';
import { RaceEntry, RaceState } from '../../shared/race.state.ts';
import { ArenaRoom } from '../arena-room.ts';
import { patchListing } from '../lobby/listing.ts';
import { drawFairSeed, listingOf, publishCommitment } from '../match/fair-seed.ts';
import { applySpec, claimSeat, Countdown, followReady, holdSeat, Interventions, MatchLifecycle, parseOptions, Spectators } from '../match/index.ts';
import type { MatchPhase } from '../match/index.ts';
import { DurableMatch } from '../match/durable-match.ts';
import { resumedRuns, takeResumed } from '../match/match-recovery.ts';
import { RaceCourse } from './race-course.ts';
import { Rematch } from '../match/rematch.ts';
import { RaceSeats } from './race-seats.ts';
import { onValidated, refuse } from '../room-messages.ts';

/** How the match's phases show in the race's state. */
const SHOWN: Record<MatchPhase, RacePhase> = { lobby: RacePhase.Lobby, countdown: RacePhase.Countdown, running: RacePhase.Training, settling: RacePhase.Finished, stored: RacePhase.Finished, aborted: RacePhase.Finished };

/**
 * A model race: 2 to 8 players each enter a network; all train on the same task under the same budget
 * of samples; the held-out split decides. The room is an adapter: its match (`MatchLifecycle`) holds the
 * phase and the log (who sits where with which spec, each run's job, every control), `runMatch` trains
 * the entries, and the room checks who may act and mirrors the rest into state.
 */
export class RaceRoom extends ArenaRoom<{ state: RaceState; client: Client<{ auth: RoomIdentity }> }> {
  override state = new RaceState();
  override maxClients = 2000;
  /** The match this room plays: its phase and its log of everything that happened. */
  match!: MatchLifecycle;
  private options!: RaceCreateOptions;
  private countdown!: Countdown;
  private spectators!: Spectators;
  private interventions!: Interventions;
  private course!: RaceCourse;
  /** Persists the match, and carries it on across restarts. */
  private durable!: DurableMatch;
  private seats!: RaceSeats;

  override onCreate(raw: unknown): void {
    const resumed = takeResumed(this.services.matches.resumable, raw, this.roomId);
    const options = resumed ? parseOptions(RaceCreateOptions, resumed.options) : parseOptions(RaceCreateOptions, raw);
    if (options.minPlayers > options.maxPlayers) throw new ServerError(400, 'minPlayers must not exceed maxPlayers');
    this.options = options;
    this.match = resumed ?? new MatchLifecycle({ id: randomUUID(), kind: 'race', roomId: this.roomId, options, fairSeed: drawFairSeed(options.seed) });
    this.durable = new DurableMatch(this, this.services.matches, this.match, !!resumed);
    publishCommitment(this.state.fairSeed, this.match.fairSeed!); // the seed itself only once the race is over
    this.match.subscribe(({ event, phase }) => event.type === 'phase' && (this.state.phase = SHOWN[phase]));
    this.seats = new RaceSeats(this.state, this.match);
    this.countdown = new Countdown(this.clock, this.state);
    this.spectators = new Spectators(this.state);
    const { task, budget, minPlayers, maxPlayers, paceSeconds, interventions } = options;
    Object.assign(this.state, { task: task.name, budget, minPlayers, maxPlayers, paceSeconds, interventions, interventionCost: Math.round(budget * options.interventionCost) });
    this.setMetadata({ kind: 'race', task: task.name, budget, phase: RacePhase.Lobby, players: 0, maxPlayers, spectators: 0, ...listingOf(this.match.fairSeed!) });
    const training = (entry: unknown) => this.match.phase === 'running' && (entry as RaceEntry).status === EntryStatus.Training;
    const warn = (message: string, err: unknown) => moduleLogger('race').warn({ roomId: this.roomId, err }, message);
    this.interventions = new Interventions({ trainer: this.services.trainer, interventions, cost: this.state.interventionCost, seats: this.state.entries, training, clients: this.clients, warn });
    const list = (phase: RacePhase) => patchListing(this, { phase });
    this.course = new RaceCourse({ roomId: this.roomId, services: this.services, state: this.state, match: this.match, options, seats: this.seats, interventions: this.interventions, durable: this.durable, broadcast: (type, message, opts) => this.broadcast(type, message, opts), list });
    this.on('spec', (client, msg) => this.handleSpec(client, msg.spec));
    this.on('ready', (client, msg) => this.handleReady(client, msg.ready));
    const rematch = new Rematch('race', () => ({ ...options }), (roomId) => (this.state.rematch = roomId));
    this.on('rematch', (client) => {
      const no = rematch.request({ isPlayer: this.state.entries.has(client.sessionId), over: this.match.ended, tell: (e) => refuse(client, e) });
      if (no) refuse(client, no);
    });
    this.on('control', (client, msg) => {
      const no = this.interventions.request(client.sessionId, msg.runId, msg.control);
      if (no) refuse(client, no);
    });
    if (resumed) this.carryOn();
  }

  /**
   * A race the previous server process was running, rebuilt from its log (seats, specs, figures and curves
   * so far, interventions left), its runs followed again from where the log had heard them; if they do not
   * all answer within the resume timeout, the race is called off.
   */
  private carryOn(): void {
    this.state.phase = SHOWN[this.match.phase];
    this.seats.restore(this.options.interventions);
    this.course.startedAt = new Date(this.match.events.find((e) => e.type === 'phase' && e.to === 'running')?.at ?? Date.now());
    this.durable.running();
    patchListing(this, { phase: RacePhase.Training });
    const heard = this.durable.awaitRuns(this.match.entries().map((e) => e.seat), (reason) => void this.course.abort(reason));
    this.course.launch(resumedRuns(this.match), heard);
    this.broadcast('notice', { message: 'the server restarted: the race goes on from where it was' });
  }

  /** Registers a handler whose payload is checked against the shared schema first. */
  private on<K extends RaceClientMessageType>(type: K, handler: (client: Client, msg: z.infer<(typeof RaceClientMessages)[K]>) => void): void {
    onValidated(this, 'race', RaceClientMessages, type, handler);
  }

  /** Whether players may still take a seat, change their spec or get ready. */
  private get open(): boolean {
    return this.match.phase === 'lobby' || this.match.phase === 'countdown';
  }

  override async onJoin(client: Client<{ auth: RoomIdentity }>, raw: unknown): Promise<void> {
    const { role } = parseOptions(RaceJoinOptions, raw);
    const who = client.auth!; // onAuth ran first and refused anyone it could not identify
    if (role === 'spectator') return this.spectators.add(client.sessionId), this.listCounts();
    const back = !this.open && who.playerId ? this.seats.rejoin(client.sessionId, who.playerId) : undefined;
    if (back) return this.showPrivate(client, back), this.listCounts(), client.send('welcome', { playerId: who.playerId! } satisfies RaceWelcomeMessage);
    const max = this.options.maxPlayers;
    const words = { started: 'the race has already started: join as a spectator', full: `the race is full (${max} players): join as a spectator`, again: 'you already have a seat in this race' };
    const playerId = await claimSeat(who, { open: this.open, seated: this.state.entries.size, capacity: max, seatedIds: this.seats.playerIds(), words }, (id, name) => this.services.players.ensure(id, name));
    this.showPrivate(client, this.seats.seat(client.sessionId, who, playerId, this.options.interventions));
    this.listCounts();
    client.send('welcome', { playerId } satisfies RaceWelcomeMessage);
  }

  /** A player sees their own entry's private fields (interventions left); nobody else does. */
  private showPrivate(client: Client, entry: RaceEntry): void {
    client.view = new StateView();
    client.view.add(entry);
  }

  private listCounts(): void {
    patchListing(this, { players: this.state.entries.size, spectators: this.state.spectators });
  }

  override onDrop(client: Client): Promise<void> {
    return holdSeat(this, client, (connected) => {
      if (this.state.entries.has(client.sessionId)) this.state.entries.get(client.sessionId)!.connected = connected;
      patchListing(this);
    });
  }

  override onReconnect(client: Client): void {
    patchListing(this);
    const entry = this.state.entries.get(client.sessionId);
    if (!entry) return;
    entry.connected = true;
    this.showPrivate(client, entry);
  }

  override onLeave(client: Client): void {
    const entry = this.state.entries.get(client.sessionId);
    if (this.spectators.remove(client.sessionId) || !entry) return this.listCounts();
    if (this.open) {
      this.seats.unseat(client.sessionId, entry, 'left');
      this.updateCountdown();
    } else entry.connected = false; // the run goes on without its player
    this.listCounts();
  }

  /** SIGTERM: the match stays in the database, and its runs with the trainer, for the next process. */
  override onBeforeShutdown(): void {
    this.durable.shutdown();
    super.onBeforeShutdown();
  }

  override async onDispose(): Promise<void> {
    this.countdown?.stop();
    await this.durable?.dispose(this.course?.running); // undefined when onCreate refused the options
  }

  /** The sender's entry, if they are a player and entries are still open; otherwise they are told why not. */
  private openEntry(client: Client, about: string): RaceEntry | undefined {
    const entry = this.state.entries.get(client.sessionId);
    if (!entry) refuse(client, { code: ErrorCode.NotAllowed, message: 'spectators cannot enter or steer a model', about });
    else if (!this.open) refuse(client, { code: ErrorCode.WrongPhase, message: 'the race has started: entries are closed', about });
    else return entry;
    return undefined;
  }

  private handleSpec(client: Client, spec: ModelSpec): void {
    const entry = this.openEntry(client, 'spec');
    const accepted = entry && applySpec(client, spec, this.options.task, entry);
    if (entry && accepted) this.match.record({ type: 'spec', playerId: this.seats.logged(entry).playerId, seat: entry.seat, spec, ...accepted });
  }

  private handleReady(client: Client, ready: boolean): void {
    const entry = this.openEntry(client, 'ready');
    if (!entry) return;
    if (ready && !this.seats.logged(entry).spec) return refuse(client, { code: ErrorCode.WrongPhase, field: 'ready', message: 'send a model spec before getting ready', about: 'ready' });
    entry.status = ready ? EntryStatus.Ready : EntryStatus.Designing;
    this.updateCountdown();
  }

  /** Starts, continues or calls off the countdown as players get ready or leave. */
  private updateCountdown(): void {
    const entries = [...this.state.entries.values()];
    const counts = { ready: entries.filter((e) => e.status === EntryStatus.Ready).length, seated: entries.length, counting: this.match.phase === 'countdown' };
    followReady(this.countdown, counts, this.options, { start: () => this.startRace(), setPhase: (phase) => this.match.transition(phase) });
  }

  private startRace(): void {
    if (!this.open) return;
    this.countdown.stop();
    for (const [sessionId, entry] of this.state.entries) if (entry.status !== EntryStatus.Ready) this.seats.unseat(sessionId, entry, 'not ready at the start'); // they sit this race out
    this.match.transition('running');
    this.course.startedAt = new Date();
    this.durable.running();
    patchListing(this, { phase: RacePhase.Training });
    this.course.launch();
  }
}
