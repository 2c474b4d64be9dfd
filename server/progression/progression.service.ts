import type { Kysely } from 'kysely';
import type { Match } from '../../shared/match.schema.ts';
import type { RunEvent } from '../../shared/run.schema.ts';
import type { Database } from '../db/tables.ts';
import { saveGanMatch, saveMatch } from '../matches/match.service.ts';
import type { GanMatch } from '../../shared/gan-match.schema.ts';
import { GAN_SCOPE } from '../../shared/rating-scale.ts';
import { deleteLiveMatch, isMatchStored } from '../match/live-match.repository.ts';
import type { RunRecord } from '../runs/run.record.ts';
import { insertRuns } from '../runs/run.repository.ts';
import { ACHIEVEMENTS, raceAchievements, runAchievements, type AchievementDef, type AchievementGrant, type RunFacts } from './achievements.ts';
import { applyGrant, grantXp, lockSkills, saveSkill, taskHistory } from './progression.repository.ts';
import { rateRace } from './ratings.rules.ts';
import { markLessonPassed, offerLessonBest } from '../lessons/lesson.repository.ts';
import { lessonScore } from '../lessons/lesson.rules.ts';
import { lessonById } from '../../shared/lesson.schema.ts';
import { championXpKey } from './match-gains.ts';
import { challengeXp, ganXp, raceXp, TOURNAMENT_CHAMPION_XP } from './xp.rules.ts';
import type { ChallengeKind } from '../../shared/challenge.schema.ts';

const DEFS = new Map<string, AchievementDef>(ACHIEVEMENTS.map((d) => [d.key, d]));

/** An achievement tier someone just reached. */
export interface Unlock {
  playerId: string;
  key: string;
  name: string;
  tier: number;
}

async function applyGrants(db: Kysely<Database>, grants: readonly AchievementGrant[], at: Date): Promise<Unlock[]> {
  const unlocks: Unlock[] = [];
  for (const g of grants) {
    const def = DEFS.get(g.key)!;
    for (const tier of await applyGrant(db, g, def, at)) unlocks.push({ playerId: g.playerId, key: g.key, name: def.name, tier });
  }
  return unlocks;
}

function factsOf(run: RunRecord, events: readonly RunEvent[]): RunFacts | undefined {
  if (!run.playerId) return undefined;
  return {
    runId: run.id,
    playerId: run.playerId,
    task: run.task.name,
    events,
    controls: run.controls,
    finalValAccuracy: run.final?.valAccuracy ?? null,
    heldOutAccuracy: run.heldOutAccuracy,
    parameters: run.parameters,
    architecture: run.architecture,
    convergedSamples: run.convergedSamples,
    convergedFlops: run.convergedFlops,
  };
}

/** A finished race: the match with ranked entries, the entries' runs and what their runs reported. */
export interface RaceResult {
  match: Match;
  runs: readonly RunRecord[];
  events: ReadonlyMap<string, readonly RunEvent[]>;
  tournament?: { id: string; round: number };
}

/** Postgres's unique_violation: a row with that key is already there. */
const UNIQUE_VIOLATION = '23505';

/**
 * Stores a match at most once: `store` runs in a transaction that first
 * checks the match id is not stored yet (and does nothing if it is), and
 * deletes the match's live rows (what a restarted server would carry on) with
 * the same commit. Two attempts at once: the second fails on the match's key
 * and is a no-op too. Returns what `store` returned, or `none` when the match
 * was stored already.
 */
async function storeOnce<T>(db: Kysely<Database>, matchId: string, none: T, store: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(async (trx) => {
      if (await isMatchStored(trx, matchId)) return none;
      const out = await store(trx);
      await deleteLiveMatch(trx, matchId);
      return out;
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === UNIQUE_VIOLATION && (await isMatchStored(db, matchId))) return none;
    throw err;
  }
}

/**
 * Stores a race and everything it changes, in one transaction: the match and
 * its runs, ratings overall and on the task (OpenSkill, all entries ranked at
 * once), XP for every player, and the achievements the runs and the standings
 * earned. Returns the tiers unlocked. An unrated match (a custom seed) is
 * stored with its runs and changes nothing else: no rating, XP or achievement.
 * A match id already stored is not stored again and changes nothing (none
 * unlocked): a match is never counted twice, whatever retries or restarts
 * happen around it.
 */
export async function recordRaceResult(db: Kysely<Database>, r: RaceResult, at = new Date()): Promise<Unlock[]> {
  return storeOnce(db, r.match.id, [] as Unlock[], async (trx) => {
    const task = r.match.task.name;
    const history = await taskHistory(trx, task, r.match.id);
    await saveMatch(trx, { ...r.match, status: 'finished', abortReason: null }, r.runs, r.tournament);
    // A custom seed could have been tried out beforehand: the match is kept, and counts for nothing.
    if (!r.match.rated) return [];
    const ranked = r.match.entries.filter((e): e is typeof e & { playerId: string; rank: number } => e.playerId !== null && e.rank !== null);
    const ids = [...new Set(ranked.map((e) => e.playerId))].sort(); // one lock order for every transaction
    let muBefore = new Map<string, number>();
    for (const scope of ['overall', task]) {
      const skills = await lockSkills(trx, ids, scope);
      if (scope === 'overall') muBefore = new Map([...skills].map(([id, s]) => [id, s.mu]));
      const after = rateRace(ranked.map((e) => ({ skill: skills.get(e.playerId)!, rank: e.rank })));
      for (const [i, e] of ranked.entries()) await saveSkill(trx, e.playerId, scope, after[i]!, r.match.id, e.rank === 1, at);
    }
    for (const e of ranked) await grantXp(trx, e.playerId, raceXp(e.rank, ranked.length), `race ${r.match.id}: place ${e.rank}`, `match:${r.match.id}:player:${e.playerId}`, at);

    const runsById = new Map(r.runs.map((run) => [run.id, run]));
    const grants: AchievementGrant[] = [];
    const raceFacts = [];
    for (const e of ranked) {
      const run = runsById.get(e.runId);
      const facts = run && factsOf(run, r.events.get(run.id) ?? []);
      if (!facts) continue;
      grants.push(...runAchievements(facts, history));
      raceFacts.push({ run: facts, rank: e.rank, muBefore: muBefore.get(e.playerId)! });
    }
    grants.push(...raceAchievements(r.match.id, raceFacts, history));
    return applyGrants(trx, grants, at);
  });
}

/**
 * Stores a match that was called off (`reason`: why it could not be carried
 * on) with its entries and their runs as far as they got, and changes nothing
 * else: no rating, XP or achievement moves for anyone. Stored at most once,
 * like a finished race; false when the id was stored already.
 */
export async function recordAbortedMatch(db: Kysely<Database>, r: Omit<RaceResult, 'events'>, reason: string): Promise<boolean> {
  return storeOnce(db, r.match.id, false, async (trx) => {
    await saveMatch(trx, { ...r.match, status: 'aborted', abortReason: reason, entries: r.match.entries.map((e) => ({ ...e, rank: null })) }, r.runs, r.tournament);
    return true;
  });
}

/** What else a solo run earned: a playground challenge it passed, or a lesson of the learning path. */
export interface SoloCredit {
  challengePassed?: ChallengeKind;
  /** The id of a lesson the run passed: marked passed for the player, paying the lesson's XP the first time only. */
  lessonPassed?: string;
}

/** The XP source key of a lesson passed by a player: one per player and lesson, so it pays once. */
export const lessonXpKey = (lessonId: string, playerId: string): string => `lesson:${lessonId}:player:${playerId}`;

/**
 * A solo run (a playground, say): stored, and credited with the achievements
 * its own events earn; a passed challenge adds XP and counts toward
 * Challenger, once per run; a passed lesson is marked on the player's path
 * and pays its XP and a Challenger step the first time only (a scored lesson's best is kept too, and a later
 * pass with a better score improves it). A run stored already is not stored again.
 */
export async function recordSoloRun(db: Kysely<Database>, run: RunRecord, events: readonly RunEvent[], credit: SoloCredit = {}, at = new Date()): Promise<Unlock[]> {
  return db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('runs').select('id').where('id', '=', run.id).executeTakeFirst()) return [];
    const history = await taskHistory(trx, run.task.name, '00000000-0000-0000-0000-000000000000');
    await insertRuns(trx, [run]);
    const facts = factsOf(run, events);
    if (!facts) return [];
    const grants = runAchievements(facts, history);
    if (credit.challengePassed) {
      await grantXp(trx, facts.playerId, challengeXp(credit.challengePassed), `challenge passed (${credit.challengePassed})`, `challenge:${run.id}`, at);
      grants.push({ playerId: facts.playerId, key: 'challenger', eventKey: `challenge:${run.id}` });
    }
    const lesson = credit.lessonPassed === undefined ? undefined : lessonById(credit.lessonPassed);
    if (lesson && run.heldOutAccuracy !== null) {
      if (await markLessonPassed(trx, facts.playerId, lesson.id, run.id, run.heldOutAccuracy, at)) {
        await grantXp(trx, facts.playerId, lesson.xp, `lesson passed: ${lesson.title}`, lessonXpKey(lesson.id, facts.playerId), at);
        grants.push({ playerId: facts.playerId, key: 'challenger', eventKey: `lesson:${lesson.id}` });
      }
      // A scored lesson keeps the player's best, from the stored run's own figures: a later pass may improve it (it pays no XP again).
      const score = lessonScore(lesson, run);
      if (score !== undefined) await offerLessonBest(trx, facts.playerId, lesson.id, { samples: score, runId: run.id, heldOutAccuracy: run.heldOutAccuracy, at });
    }
    return applyGrants(trx, grants, at);
  });
}

/** A finished tournament: its ranking (champion first) is stored and, when it was rated, the champion credited. */
export async function recordTournamentResult(
  db: Kysely<Database>,
  t: { id: string; name: string; format: 'single_elimination' | 'swiss'; task: unknown; ranking: readonly string[]; rated: boolean },
  at = new Date(),
): Promise<Unlock[]> {
  const champion = t.ranking[0];
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('tournaments')
      .values({ id: t.id, name: t.name, format: t.format, task: JSON.stringify(t.task), status: 'finished', champion_id: champion ?? null, ranking: JSON.stringify(t.ranking), finished_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ status: 'finished', champion_id: champion ?? null, ranking: JSON.stringify(t.ranking), finished_at: at }))
      .execute();
    if (!champion || !t.rated) return [];
    await grantXp(trx, champion, TOURNAMENT_CHAMPION_XP, `tournament ${t.name}: champion`, championXpKey(t.id), at);
    return applyGrants(trx, [{ playerId: champion, key: 'tournament-champion', eventKey: `tournament:${t.id}` }], at);
  });
}


/**
 * Stores a GAN battle and everything it changes, in one transaction, at most once per battle id (like a
 * race): the battle as a match with both sides, and when rated, both players' GAN ratings (OpenSkill,
 * winner first), XP for both (`ganXp`), and GAN Forger when the generator won. An unrated battle (a
 * custom seed) is stored and credits nobody.
 */
export async function recordGanResult(db: Kysely<Database>, battle: GanMatch, at = new Date()): Promise<Unlock[]> {
  return storeOnce(db, battle.id, [] as Unlock[], async (trx) => {
    await saveGanMatch(trx, { ...battle, status: 'finished', abortReason: null });
    if (!battle.rated) return [];
    const ranked = battle.entries.filter((e): e is typeof e & { playerId: string; rank: number } => e.playerId !== null && e.rank !== null);
    const ids = [...new Set(ranked.map((e) => e.playerId))].sort();
    const skills = await lockSkills(trx, ids, GAN_SCOPE);
    const after = rateRace(ranked.map((e) => ({ skill: skills.get(e.playerId)!, rank: e.rank })));
    for (const [i, e] of ranked.entries()) await saveSkill(trx, e.playerId, GAN_SCOPE, after[i]!, battle.id, e.rank === 1, at);
    for (const e of ranked) await grantXp(trx, e.playerId, ganXp(e.rank === 1), `GAN battle ${battle.id}: ${e.rank === 1 ? 'won' : 'played'} as the ${e.role}`, `match:${battle.id}:player:${e.playerId}`, at);
    const forger = ranked.find((e) => e.role === 'generator' && e.rank === 1);
    return forger ? applyGrants(trx, [{ playerId: forger.playerId, key: 'gan-forger', eventKey: `gan:${battle.id}` }], at) : [];
  });
}
