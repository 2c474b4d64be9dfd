/**
 * What a browser test needs to open every page: one open room of each kind
 * (made through the SDK by guests, who stay in them so they stay open) and a
 * stored match with learning curves for the match page.
 */
import { randomUUID } from 'node:crypto';
import type { Room } from '@colyseus/sdk';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import type { Kysely } from 'kysely';
import type { Database } from '../../server/db/tables.ts';
import { saveMatch } from '../../server/matches/match.service.ts';
import { runRecordOf } from '../../server/runs/run.record.ts';
import type { Match, MatchEntry } from '../../shared/match.schema.ts';
import { DEFAULT_SPEC } from '../../shared/model-spec.schema.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { TaskSpec } from '../../shared/task.schema.ts';
import { guestClient } from './arena.ts';
import { quiet } from './sdk-players.ts';


/** One open room of each kind, and the guest who made them (their profile is the profile page's). */
export interface OpenRooms {
  race: Room<any, any>;
  tournament: Room<any, any>;
  gan: Room<any, any>;
  playground: Room<any, any>;
  hostId: string;
  leave(): Promise<void>;
}

/** A race, a tournament, a GAN battle and a playground, none of which starts without the page's player. */
export async function openRooms(url: string): Promise<OpenRooms> {
  const host = await guestClient(url, 'host');
  const race = quiet(await host.client.create('race', { minPlayers: 8, countdownSeconds: 300 }));
  const tournament = quiet(await host.client.create('tournament', { minPlayers: 32, countdownSeconds: 300, title: 'Page fixture cup' }));
  const gan = quiet(await host.client.create('gan', { breakSeconds: 300 }));
  const playground = quiet(await host.client.create('playground', { task: { name: 'xor' }, budget: 1_000 }));
  const rooms = [race, tournament, gan, playground];
  return {
    race,
    tournament,
    gan,
    playground,
    hostId: host.playerId,
    leave: async () => {
      await Promise.all(rooms.map((r) => r.leave().catch(() => {})));
    },
  };
}

/** Stores a finished two-entry race on xor with curves of `points` points each, as the race room would. */
export async function storeMatchWithCurves(db: Kysely<Database>, points = 64): Promise<Match> {
  const budget = 2_000;
  const curve = (seat: number) => {
    const samples = Array.from({ length: points }, (_, i) => Math.round(((i + 1) * budget) / points));
    return { samples, loss: samples.map((_, i) => 0.7 / (1 + i / (8 + seat))), valAccuracy: samples.map((_, i) => 0.5 + 0.45 * (1 - Math.exp(-i / (10 + 4 * seat)))) };
  };
  const entry = (seat: number): MatchEntry => ({ seat, player: seat ? 'bob' : 'ada', playerId: null, runId: randomUUID(), spec: DEFAULT_SPEC, status: 'finished', rank: seat + 1, heldOutAccuracy: 0.9 - seat / 10, valAccuracy: 0.9, loss: 0.2, samples: budget, weightsHash: 'c'.repeat(64), backend: 'wasm', error: null, curve: curve(seat) });
  const now = new Date().toISOString();
  const match: Match = { id: randomUUID(), roomId: 'page-fixture', kind: 'race', task: TaskSpec.parse({ name: 'xor' }), seed: 42, rated: false, seedReveal: null, budget, startedAt: now, finishedAt: now, entries: [entry(0), entry(1)] };
  const runs = match.entries.map((e) => ({ ...runRecordOf(TrainJob.parse({ runId: e.runId, spec: e.spec, task: match.task, seed: match.seed, budget }), { events: [], playerId: null, matchId: match.id, samplesIfFailed: e.samples }), curve: e.curve }));
  await db.transaction().execute((trx) => saveMatch(trx, match, runs));
  return match;
}

/**
 * A browser context whose pages hold the account of a new guest `name`, as a
 * browser that has played here before does (its invite links seat it at once).
 */
export async function signedInContext(browser: Browser, url: string, name: string, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; playerId: string }> {
  const guest = await guestClient(url, name);
  const context = await browser.newContext(options);
  await context.addInitScript((g) => {
    if (localStorage.getItem('arena.token')) return; // set once: the page may renew it
    localStorage.setItem('arena.token', g.token);
    localStorage.setItem('arena.playerId', g.playerId);
    localStorage.setItem('arena.name', g.name);
  }, { token: guest.token, playerId: guest.playerId, name });
  return { context, playerId: guest.playerId };
}
