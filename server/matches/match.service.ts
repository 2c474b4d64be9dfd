import type { Kysely } from 'kysely';
import { Match, type MatchEntry } from '../../shared/match.schema.ts';
import { GanMatch, GanRoundRecord, type StoredMatch } from '../../shared/gan-match.schema.ts';
import { z } from 'zod';
import type { Database } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import type { RunRecord } from '../runs/run.record.ts';
import { insertRuns } from '../runs/run.repository.ts';
import { findMatchRows, insertMatch } from './match.repository.ts';

/**
 * Stores a finished match, its entries and their runs. Pass a transaction to
 * store it together with what the match changes elsewhere (ratings, XP).
 */
export async function saveMatch(db: Kysely<Database>, match: Match, runs: readonly RunRecord[], tournament?: { id: string; round: number }): Promise<void> {
  await insertRuns(db, runs.map((r) => ({ ...r, matchId: null })));
  await insertMatch(db, {
    match: {
      id: match.id,
      room_id: match.roomId,
      kind: match.kind,
      task: match.task,
      seed: match.seed,
      budget: match.budget,
      started_at: new Date(match.startedAt),
      finished_at: new Date(match.finishedAt),
      tournament_id: tournament?.id ?? null,
      round: tournament?.round ?? null,
      rated: match.rated,
      seed_scheme: match.seedReveal?.scheme ?? null,
      seed_commitment: match.seedReveal?.commitment ?? null,
      seed_salt: match.seedReveal?.salt ?? null,
      status: match.status ?? 'finished',
      abort_reason: match.status === 'aborted' ? (match.abortReason ?? 'aborted') : null,
    },
    entries: match.entries.map((e: MatchEntry) => ({
      seat: e.seat,
      player_name: e.player,
      player_id: e.playerId,
      run_id: e.runId,
      spec: e.spec,
      status: e.status,
      rank: e.rank,
      held_out_accuracy: e.heldOutAccuracy,
      val_accuracy: e.valAccuracy,
      loss: e.loss,
      samples: e.samples,
      weights_hash: e.weightsHash,
      backend: e.backend,
      error: e.error,
    })),
  });
  // Runs are inserted before their match exists (entries point at runs); link them now.
  if (runs.length > 0) await db.updateTable('runs').set({ match_id: match.id }).where('id', 'in', runs.map((r) => r.id)).execute();
}

/** What a GAN battle keeps in its match's `detail`. */
const GanDetail = GanMatch.pick({ distribution: true, iterationsPerRound: true, referenceDistance: true, winner: true, decidedBy: true }).extend({
  rounds: z.array(GanRoundRecord),
  /** Per side (by seat): its role and the rounds and points it won. */
  sides: z.array(GanMatch.shape.entries.element.pick({ role: true, rounds: true, points: true })),
});

/**
 * Stores a finished GAN battle as a match of kind `gan` (pass a transaction to store it with what it
 * changes): one entry per side with its last design (no run of its own: each round trained both sides in
 * one job), and the rounds, their curves and how the battle was decided as the match's detail.
 */
export async function saveGanMatch(db: Kysely<Database>, battle: GanMatch): Promise<void> {
  const detail: z.infer<typeof GanDetail> = {
    distribution: battle.distribution,
    iterationsPerRound: battle.iterationsPerRound,
    referenceDistance: battle.referenceDistance,
    winner: battle.winner,
    decidedBy: battle.decidedBy,
    rounds: battle.rounds,
    sides: battle.entries.map((e) => ({ role: e.role, rounds: e.rounds, points: e.points })),
  };
  await insertMatch(db, {
    match: {
      id: battle.id,
      room_id: battle.roomId,
      kind: 'gan',
      task: { name: battle.distribution },
      seed: battle.seed,
      budget: battle.iterationsPerRound * battle.rounds.length,
      started_at: new Date(battle.startedAt),
      finished_at: new Date(battle.finishedAt),
      tournament_id: null,
      round: null,
      rated: battle.rated,
      seed_scheme: battle.seedReveal?.scheme ?? null,
      seed_commitment: battle.seedReveal?.commitment ?? null,
      seed_salt: battle.seedReveal?.salt ?? null,
      status: battle.status ?? 'finished',
      abort_reason: battle.status === 'aborted' ? (battle.abortReason ?? 'aborted') : null,
      detail,
    },
    entries: battle.entries.map((e) => ({
      seat: e.seat,
      player_name: e.player,
      player_id: e.playerId,
      run_id: null,
      spec: e.design,
      status: 'finished' as const,
      rank: e.rank,
      held_out_accuracy: null,
      val_accuracy: null,
      loss: null,
      samples: battle.iterationsPerRound * battle.rounds.length,
      weights_hash: null,
      backend: null,
      error: null,
    })),
  });
}

/** A stored match of any kind (a race or a GAN battle), or undefined when there is none with that id. */
export async function loadStoredMatch(db: Kysely<Database>, id: string): Promise<StoredMatch | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await findMatchRows(db, id);
  if (!rows) return undefined;
  return rows.match.kind === 'gan' ? ganMatchOf(rows) : raceMatchOf(rows);
}

/** A stored race (or tournament match), or undefined when there is none with that id (a GAN battle is not one). */
export async function loadMatch(db: Kysely<Database>, id: string): Promise<Match | undefined> {
  const m = await loadStoredMatch(db, id);
  return m?.kind === 'race' ? m : undefined;
}

type MatchRows = NonNullable<Awaited<ReturnType<typeof findMatchRows>>>;

function seedRevealOf(match: MatchRows['match']) {
  return match.seed_commitment === null ? null : { scheme: match.seed_scheme, commitment: match.seed_commitment, seed: match.seed, salt: match.seed_salt };
}

function ganMatchOf({ match, entries }: MatchRows): GanMatch {
  const detail = GanDetail.parse(match.detail);
  return GanMatch.parse({
    id: match.id,
    roomId: match.room_id,
    kind: 'gan',
    distribution: detail.distribution,
    seed: match.seed,
    rated: match.rated,
    seedReveal: seedRevealOf(match),
    iterationsPerRound: detail.iterationsPerRound,
    referenceDistance: detail.referenceDistance,
    startedAt: match.started_at.toISOString(),
    finishedAt: match.finished_at.toISOString(),
    winner: detail.winner,
    decidedBy: detail.decidedBy,
    rounds: detail.rounds,
    entries: entries.map((e) => ({ seat: e.seat, player: e.player_name, playerId: e.player_id, design: e.spec, rank: e.rank, ...detail.sides[e.seat]! })),
    status: match.status,
    abortReason: match.abort_reason,
  });
}

function raceMatchOf({ match, entries }: MatchRows): Match {
  return Match.parse({
    id: match.id,
    roomId: match.room_id,
    kind: match.kind,
    task: match.task,
    seed: match.seed,
    rated: match.rated,
    seedReveal: seedRevealOf(match),
    budget: match.budget,
    startedAt: match.started_at.toISOString(),
    finishedAt: match.finished_at.toISOString(),
    status: match.status,
    abortReason: match.abort_reason,
    entries: entries.map((e) => ({
      seat: e.seat,
      player: e.player_name,
      playerId: e.player_id,
      runId: e.run_id,
      spec: e.spec,
      status: e.status,
      rank: e.rank,
      heldOutAccuracy: e.held_out_accuracy,
      valAccuracy: e.val_accuracy,
      loss: e.loss,
      samples: e.samples,
      weightsHash: e.weights_hash,
      backend: e.backend,
      error: e.error,
      curve: e.curve ?? null,
    })),
  });
}
