import { existsSync } from 'node:fs';
import { passedLessons } from './lessons/lesson.repository.ts';
import { lessonBoardOf } from './lessons/lesson.service.ts';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { matchMaker, Server } from '@colyseus/core';
import { RedisDriver } from '@colyseus/redis-driver';
import { RedisPresence } from '@colyseus/redis-presence';
import express from 'express';
import { Redis } from 'ioredis';
import type { ArenaServices } from './arena.services.ts';
import { gateLimits, runStateDir, type ServerConfig } from './config.ts';
import { ArenaTransport } from './gate/arena-transport.ts';
import { colyseusLogger } from './gate/colyseus-logger.ts';
import type { GateLimits } from './gate/message-gate.ts';
import { openDatabase, type ArenaDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { errorHandler } from './http/error-handler.ts';
import { mountHttpEdge, wrapHttpEdge } from './http/http-edge.ts';
import { createOps } from './ops/ops.ts';
import { VERSION, type Health } from './health.ts';
import { moduleLogger } from './logger.ts';
import { loadMatch, loadStoredMatch } from './matches/match.service.ts';
import { matchGains } from './progression/match-gains.ts';
import { resolveArenaSecret } from './identity/arena-secret.ts';
import { guestIdentity } from './identity/identity.service.ts';
import { passkeyService } from './identity/passkey.service.ts';
import { designService } from './designs/design.service.ts';
import { defaultWebauthnOrigins } from './identity/webauthn-setting.ts';
import { ACHIEVEMENTS } from './progression/achievements.ts';
import { leaderboard } from './progression/leaderboard.service.ts';
import { ensurePlayer } from './progression/players.service.ts';
import { achievementInfos, playerProfile } from './progression/profile.service.ts';
import { syncAchievementDefs } from './progression/progression.repository.ts';
import { LiveMatchWriter } from './match/live-match.writer.ts';
import { abortTournament } from './tournament/tournament.repository.ts';
import { isTournamentCourse, recoverMatches, ResumableMatches } from './match/match-recovery.ts';
import { loadRun } from './runs/run.service.ts';
import { loadRunCurve } from './runs/run-export.service.ts';
import { ModelReplayer } from './runs/model-replayer.ts';
import { ResultOutbox } from './outbox/result-outbox.ts';
import { storedResults } from './outbox/stored-results.ts';
import { apiRoutes } from './api.routes.ts';
import { ArenaLobbyRoom } from './lobby/lobby.room.ts';
import { PlaygroundRoom } from './playground/playground.room.ts';
import { RaceRoom } from './race/race.room.ts';
import { GanRoom } from './gan/gan.room.ts';
import { TournamentRoom } from './tournament/tournament.room.ts';
import { BullmqTrainer } from './trainer/bullmq.trainer.ts';
import { LocalTrainer } from './trainer/local.trainer.ts';
import { SavedRunStore } from './trainer/saved-run.store.ts';
import type { Trainer } from './trainer/trainer.port.ts';
import { BACKEND_DEGRADED } from '../contract/worker-heartbeat.schema.ts';
import type { RunEvent } from '../shared/run.schema.ts';

/** A running arena. */
export interface Arena {
  port: number;
  services: ArenaServices;
  database: ArenaDatabase;
  /** Stops accepting players, ends rooms and closes every connection. */
  close(): Promise<void>;
}

function createTrainer(config: ServerConfig, redis: Redis | undefined): Trainer {
  if (redis) return new BullmqTrainer({ redis, queueName: config.ARENA_QUEUE });
  return new LocalTrainer({ threads: config.TRAINER_THREADS, nice: config.TRAINER_NICE, savedRuns: new SavedRunStore(runStateDir(config)) });
}

/** Binds the gate's limits (and the services, for game rooms) into a room class, since the matchmaker creates rooms itself. */
function bindRoom<T extends new (...args: any[]) => object>(room: T, limits: GateLimits, services?: ArenaServices): T {
  return class extends room {
    gateLimits = limits;
    services = services;
  };
}

function routes(app: express.Application, config: ServerConfig, services: ArenaServices, database: ArenaDatabase, outbox: { pending(): number }): void {
  const started = Date.now();
  app.get('/health', async (_req, res) => {
    let tfBackend: string;
    try {
      tfBackend = await services.trainer.backend();
    } catch (err) {
      tfBackend = `unavailable: ${err instanceof Error ? err.message : String(err)}`;
    }
    const body: Health = {
      status: tfBackend.startsWith('unavailable') || tfBackend.startsWith(BACKEND_DEGRADED) || outbox.pending() > 0 ? 'degraded' : 'ok',
      db: database.kind,
      trainer: services.trainer.kind,
      tfBackend,
      version: VERSION,
      uptimeSec: Math.round((Date.now() - started) / 1000),
      resultsWaiting: outbox.pending(),
    };
    res.json(body);
  });
  app.use('/api', apiRoutes(services));
  const clientDir = path.resolve(config.CLIENT_DIR);
  if (existsSync(clientDir)) app.use(express.static(clientDir));
  else app.get('/', (_req, res) => void res.status(503).type('text').send(`the client is not built: run "npm run build" (looked in ${clientDir})`));
  app.use(errorHandler());
}

/**
 * Opens the database (and migrates it), starts the trainer and serves the game
 * server, the HTTP API and the built client on `config.PORT` (0 picks a free port).
 */
export async function startArena(config: ServerConfig): Promise<Arena> {
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await migrateToLatest(database.db);
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: null }) : undefined;
  const ops = createOps(config, redis);
  const trainer = ops.meter(createTrainer(config, redis));
  await syncAchievementDefs(database.db, ACHIEVEMENTS);
  const db = database.db;
  const secret = resolveArenaSecret({ secret: config.ARENA_SECRET, secretFile: config.SECRET_FILE, sharedByServers: Boolean(config.REDIS_URL) });
  const outbox = new ResultOutbox(storedResults(db), { dir: config.OUTBOX_DIR ?? path.join(config.DATA_DIR, 'outbox'), maxRetryMs: config.OUTBOX_MAX_RETRY_MS });
  await outbox.open();
  const replayer = new ModelReplayer({ nice: config.TRAINER_NICE });
  const tokenPolicy = { keys: { current: secret, previous: config.ARENA_SECRET_PREVIOUS }, ttlSeconds: config.GUEST_TOKEN_TTL_DAYS * 86_400 };
  let listeningPort = config.PORT; // PORT 0 picks a free port: known once listening, and the default passkey origin names it
  const services: ArenaServices = {
    trainer,
    identity: guestIdentity(db, tokenPolicy),
    passkeys: passkeyService(db, tokenPolicy, {
      rpId: config.WEBAUTHN_RP_ID,
      rpName: config.WEBAUTHN_RP_NAME,
      origins: () => config.WEBAUTHN_ORIGINS ?? defaultWebauthnOrigins(config.WEBAUTHN_RP_ID, listeningPort),
      challengeTtlMs: config.WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
    }),
    designs: designService(db, tokenPolicy),
    players: { ensure: (id, name) => ensurePlayer(db, id, name), profile: (id) => playerProfile(db, id), lessonsPassed: async (id) => (await passedLessons(db, id)).map((p) => p.lessonId) },
    lessons: { board: (lesson, playerId) => lessonBoardOf(db, lesson, playerId) },
    matches: {
      load: (id) => loadMatch(db, id),
      show: (id) => loadStoredMatch(db, id),
      recordRace: (r, hooks) => outbox.store('race', r.match.id, { match: r.match, runs: [...r.runs], events: [...r.events].map(([id, e]) => [id, [...e]] as [string, RunEvent[]]), ...(r.tournament ? { tournament: r.tournament } : {}) }, hooks),
      recordAborted: (r, reason, hooks) => outbox.store('aborted', r.match.id, { match: r.match, runs: [...r.runs], reason, ...(r.tournament ? { tournament: r.tournament } : {}) }, hooks),
      persist: (match) => new LiveMatchWriter(db, match),
      resumable: new ResumableMatches(),
      resumeTimeoutMs: config.MATCH_RESUME_TIMEOUT_MS,
    },
    runs: { load: (id) => loadRun(db, id), curve: (id) => loadRunCurve(db, id), replayer, recordSolo: (run, events, credit, hooks) => outbox.store('solo', run.id, { run, events: [...events], ...(credit ? { credit } : {}) }, hooks) },
    tournaments: {
      open: async (t, hooks) => void (await outbox.store('tournamentOpen', t.id, t, hooks)),
      finish: (t, hooks) => outbox.store('tournamentFinish', t.id, { ...t, ranking: [...t.ranking] }, hooks),
      abort: (id) => abortTournament(db, id),
    },
    gan: { recordBattle: (battle, hooks) => outbox.store('ganBattle', battle.id, battle, hooks) },
    progression: { leaderboard: (q) => leaderboard(db, q), achievements: () => achievementInfos(db), gains: (matchIds, players, scope, unlocks, extraXp) => matchGains(db, matchIds, players, scope, unlocks, extraXp) },
  };

  const httpServer: HttpServer = createServer();
  const gameServer = new Server({
    transport: new ArenaTransport({ server: httpServer, maxBytes: config.ROOM_MAX_MESSAGE_BYTES }),
    logger: colyseusLogger,
    presence: config.REDIS_URL ? new RedisPresence(config.REDIS_URL) : undefined,
    driver: config.REDIS_URL ? new RedisDriver(config.REDIS_URL) : undefined,
    publicAddress: config.PUBLIC_ADDRESS,
    gracefullyShutdown: false,
    greet: false,
    express: (app) => {
      mountHttpEdge(app, config, redis);
      ops.mount(app);
      routes(app, config, services, database, outbox);
    },
  });
  const limits = gateLimits(config);
  gameServer.define('lobby', bindRoom(ArenaLobbyRoom, limits));
  gameServer.define('race', bindRoom(RaceRoom as any, limits, services)).enableRealtimeListing();
  gameServer.define('playground', bindRoom(PlaygroundRoom as any, limits, services)).enableRealtimeListing();
  gameServer.define('tournament', bindRoom(TournamentRoom as any, limits, services)).enableRealtimeListing();
  gameServer.define('gan', bindRoom(GanRoom as any, limits, services)).enableRealtimeListing();
  await gameServer.listen(config.PORT);
  listeningPort = (httpServer.address() as AddressInfo).port;
  wrapHttpEdge(httpServer, config);
  // Matches the previous process left running: their rooms come back under the same ids before anyone reconnects.
  const recovered = await recoverMatches({
    db,
    recordAborted: (r, reason) => services.matches.recordAborted(r, reason),
    waitsInOutbox: (matchId) => outbox.waits(matchId),
    abortTournament: (id) => abortTournament(db, id),
    resumeRoom: (match, companions) => {
      const room = match.kind === 'race' ? 'race' : isTournamentCourse(match) ? 'tournament' : undefined;
      return room && matchMaker.handleCreateRoom(room, { resume: services.matches.resumable.offer(match, companions) }, undefined, match.roomId).then(() => {});
    },
  });
  if (recovered.resumed.length + recovered.aborted.length + recovered.closed.length > 0) moduleLogger('app').info(recovered, 'unfinished matches from before the restart');
  const port = listeningPort;

  let closing: Promise<void> | undefined;
  return {
    port,
    services,
    database,
    close: () =>
      (closing ??= (async () => {
        await gameServer.gracefullyShutdown(false);
        await trainer.close();
        await replayer.close();
        await outbox.close();
        await ops.close();
        redis?.disconnect();
        await database.close();
      })()),
  };
}
