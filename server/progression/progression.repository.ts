import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import type { AchievementDef, AchievementGrant } from './achievements.ts';
import type { TaskHistory } from './achievements.ts';
import { displayRating, newSkill, type Skill } from './ratings.rules.ts';
import { weekOf } from './xp.rules.ts';

type Db = Kysely<Database>;

/** Mirrors the achievement definitions from code into their table. */
export async function syncAchievementDefs(db: Db, defs: readonly AchievementDef[]): Promise<void> {
  if (defs.length === 0) return;
  await db
    .insertInto('achievements')
    .values(defs.map((d) => ({ key: d.key, name: d.name, description: d.description, tiers: JSON.stringify(d.tiers), points: JSON.stringify(d.points) })))
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        description: eb.ref('excluded.description'),
        tiers: eb.ref('excluded.tiers'),
        points: eb.ref('excluded.points'),
        updated_at: new Date(),
      })),
    )
    .execute();
}

export async function insertPlayer(db: Db, id: string, name: string): Promise<void> {
  await db.insertInto('players').values({ id, name }).execute();
}

export async function renamePlayer(db: Db, id: string, name: string): Promise<void> {
  await db.updateTable('players').set({ name }).where('id', '=', id).execute();
}

export async function findPlayer(db: Db, id: string) {
  return db.selectFrom('players').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Adds XP once per `sourceKey`; keeps the player's total and weekly sum in step. Returns whether it was new. */
export async function grantXp(db: Db, playerId: string, amount: number, reason: string, sourceKey: string, at = new Date()): Promise<boolean> {
  const inserted = await db
    .insertInto('xp_events')
    .values({ player_id: playerId, amount, reason, source_key: sourceKey, created_at: at })
    .onConflict((oc) => oc.column('source_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  await db.updateTable('players').set((eb) => ({ xp: eb('xp', '+', amount) })).where('id', '=', playerId).execute();
  await addWeekly(db, 'xp_weekly', playerId, amount, at);
  return true;
}

async function addWeekly(db: Db, table: 'xp_weekly' | 'points_weekly', playerId: string, amount: number, at: Date): Promise<void> {
  await db
    .insertInto(table)
    .values({ player_id: playerId, week: weekOf(at), amount })
    .onConflict((oc) => oc.columns(['player_id', 'week']).doUpdateSet((eb) => ({ amount: eb(`${table}.amount`, '+', amount) })))
    .execute();
}

/**
 * Counts one event toward an achievement, once: the event row's primary key
 * turns a second delivery (or a concurrent one) into a no-op. Crossing a tier
 * unlocks it, adds its points and pays the same amount of XP. Returns the
 * tiers newly reached.
 */
export async function applyGrant(db: Db, grant: AchievementGrant, def: AchievementDef, at = new Date()): Promise<number[]> {
  const fresh = await db
    .insertInto('achievement_events')
    .values({ player_id: grant.playerId, achievement_key: grant.key, event_key: grant.eventKey, created_at: at })
    .onConflict((oc) => oc.columns(['player_id', 'achievement_key', 'event_key']).doNothing())
    .returning('event_key')
    .executeTakeFirst();
  if (!fresh) return [];
  const row = await db
    .insertInto('player_achievements')
    .values({ player_id: grant.playerId, achievement_key: grant.key, progress: 1, tier: 0 })
    .onConflict((oc) => oc.columns(['player_id', 'achievement_key']).doUpdateSet((eb) => ({ progress: eb('player_achievements.progress', '+', 1), updated_at: at })))
    .returning(['progress', 'tier', 'unlocked_at'])
    .executeTakeFirstOrThrow();
  const reached = def.tiers.filter((t) => row.progress >= t).length;
  if (reached <= row.tier) return [];
  await db
    .updateTable('player_achievements')
    .set({ tier: reached, unlocked_at: row.unlocked_at ?? at })
    .where('player_id', '=', grant.playerId)
    .where('achievement_key', '=', grant.key)
    .execute();
  const newTiers = Array.from({ length: reached - row.tier }, (_, i) => row.tier + i + 1);
  const points = newTiers.reduce((a, t) => a + def.points[t - 1]!, 0);
  await db.updateTable('players').set((eb) => ({ achievement_points: eb('achievement_points', '+', points) })).where('id', '=', grant.playerId).execute();
  await addWeekly(db, 'points_weekly', grant.playerId, points, at);
  for (const t of newTiers) await grantXp(db, grant.playerId, def.points[t - 1]!, `achievement ${def.name} tier ${t}`, `achievement:${grant.playerId}:${grant.key}:${t}`, at);
  return newTiers;
}

/** Current skills in a scope, locked for update; players without one get the default. */
export async function lockSkills(db: Db, playerIds: readonly string[], scope: string): Promise<Map<string, Skill>> {
  const rows = playerIds.length
    ? await db.selectFrom('ratings').select(['player_id', 'mu', 'sigma']).where('scope', '=', scope).where('player_id', 'in', playerIds).forUpdate().execute()
    : [];
  const skills = new Map(rows.map((r) => [r.player_id, { mu: r.mu, sigma: r.sigma }]));
  for (const id of playerIds) if (!skills.has(id)) skills.set(id, newSkill());
  return skills;
}

/** Writes a player's new skill in a scope after a match they won (finished first) or not, and appends it to the history. */
export async function saveSkill(db: Db, playerId: string, scope: string, skill: Skill, matchId: string, won: boolean, at = new Date()): Promise<void> {
  const display = displayRating(skill);
  const [wins, losses] = won ? [1, 0] : [0, 1];
  await db
    .insertInto('ratings')
    .values({ player_id: playerId, scope, mu: skill.mu, sigma: skill.sigma, display, matches: 1, wins, losses, updated_at: at })
    .onConflict((oc) =>
      oc.columns(['player_id', 'scope']).doUpdateSet((eb) => ({
        mu: skill.mu,
        sigma: skill.sigma,
        display,
        matches: eb('ratings.matches', '+', 1),
        wins: eb('ratings.wins', '+', wins),
        losses: eb('ratings.losses', '+', losses),
        updated_at: at,
      })),
    )
    .execute();
  await db.insertInto('rating_history').values({ player_id: playerId, scope, match_id: matchId, mu: skill.mu, sigma: skill.sigma, display, created_at: at }).execute();
}

/** Records on a task and the architectures that have won races on it, before a new result. */
export async function taskHistory(db: Db, task: string, excludeMatchId: string): Promise<TaskHistory> {
  const records = await db
    .selectFrom('runs')
    .select([
      (eb) => eb.fn.min('converged_samples').as('samples'),
      (eb) => eb.fn.min('converged_flops').as('flops'),
      (eb) => eb.fn.min(sql<number>`case when held_out_accuracy >= 0.95 then parameters end`).as('params'),
    ])
    .where(sql`task->>'name'`, '=', task)
    .where((eb) => eb.or([eb('match_id', 'is', null), eb('match_id', '!=', excludeMatchId)]))
    .executeTakeFirst();
  const winners = await db
    .selectFrom('match_entries as e')
    .innerJoin('matches as m', 'm.id', 'e.match_id')
    .innerJoin('runs as r', 'r.id', 'e.run_id')
    .select('r.architecture')
    .distinct()
    .where('e.rank', '=', 1)
    .where(sql`m.task->>'name'`, '=', task)
    .where('m.id', '!=', excludeMatchId)
    .execute();
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    bestConvergedSamples: num(records?.samples),
    bestConvergedFlops: num(records?.flops),
    smallestAccurateNetwork: num(records?.params),
    winningArchitectures: new Set(winners.flatMap((w) => (w.architecture ? [w.architecture] : []))),
  };
}
