import { sql, type Kysely } from 'kysely';
import type { AchievementInfo, PlayerProfile } from '../../shared/api.schema.ts';
import { levelOf } from './level.ts';
import type { Database } from '../db/tables.ts';
import { isUuid } from '../db/uuid.ts';
import { ACHIEVEMENTS } from './achievements.ts';
import { passedLessons } from '../lessons/lesson.repository.ts';

/** How long computed rarities are reused (ms): they move slowly and cost a count per achievement. */
const RARITY_TTL_MS = 30_000;
let rarityCache: { at: number; db: unknown; value: Map<string, number> } | undefined;

/** Share of players holding each achievement's first tier. */
export async function rarities(db: Kysely<Database>): Promise<Map<string, number>> {
  if (rarityCache && rarityCache.db === db && Date.now() - rarityCache.at < RARITY_TTL_MS) return rarityCache.value;
  const [players, holders] = await Promise.all([
    db.selectFrom('players').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('player_achievements').select(['achievement_key', (eb) => eb.fn.countAll<string>().as('n')]).where('tier', '>=', 1).groupBy('achievement_key').execute(),
  ]);
  const total = Number(players.n);
  const value = new Map(ACHIEVEMENTS.map((a) => [a.key as string, 0]));
  for (const h of holders) value.set(h.achievement_key, total > 0 ? Number(h.n) / total : 0);
  rarityCache = { at: Date.now(), db, value };
  return value;
}

/** Every achievement with its tiers, points and rarity. */
export async function achievementInfos(db: Kysely<Database>): Promise<AchievementInfo[]> {
  const rarity = await rarities(db);
  return ACHIEVEMENTS.map((a) => ({ key: a.key, name: a.name, description: a.description, tiers: [...a.tiers], points: [...a.points], rarity: rarity.get(a.key) ?? 0 }));
}

/** A player's profile: level, achievements with progress, ratings and their history, recent matches. */
export async function playerProfile(db: Kysely<Database>, id: string): Promise<PlayerProfile | undefined> {
  if (!isUuid(id)) return undefined;
  const player = await db.selectFrom('players').selectAll().where('id', '=', id).executeTakeFirst();
  if (!player) return undefined;
  const [infos, mine, ratings, history, recent, lessons] = await Promise.all([
    achievementInfos(db),
    db.selectFrom('player_achievements').selectAll().where('player_id', '=', id).execute(),
    db.selectFrom('ratings').select(['scope', 'mu', 'sigma', 'display', 'matches']).where('player_id', '=', id).orderBy('scope').execute(),
    db.selectFrom('rating_history').select(['scope', 'match_id', 'display', 'created_at']).where('player_id', '=', id).orderBy('created_at', 'desc').limit(100).execute(),
    db
      .selectFrom('match_entries as e')
      .innerJoin('matches as m', 'm.id', 'e.match_id')
      .select(['e.match_id', 'e.rank', 'm.finished_at', 'm.kind', sql<string>`m.task->>'name'`.as('task'), sql<number>`(select count(*) from match_entries x where x.match_id = e.match_id)`.as('players')])
      .where('e.player_id', '=', id)
      .orderBy('m.finished_at', 'desc')
      .limit(10)
      .execute(),
    passedLessons(db, id),
  ]);
  const byKey = new Map(mine.map((m) => [m.achievement_key, m]));
  return {
    id: player.id,
    name: player.name,
    createdAt: player.created_at.toISOString(),
    xp: player.xp,
    ...levelOf(player.xp),
    achievementPoints: player.achievement_points,
    achievements: infos.map((a) => {
      const m = byKey.get(a.key);
      return { ...a, progress: m?.progress ?? 0, tier: m?.tier ?? 0, unlockedAt: m?.unlocked_at?.toISOString() ?? null };
    }),
    ratings,
    ratingHistory: history.reverse().map((h) => ({ scope: h.scope, matchId: h.match_id, display: h.display, at: h.created_at.toISOString() })),
    lessons: lessons.map((l) => ({ lessonId: l.lessonId, runId: l.runId, heldOutAccuracy: l.heldOutAccuracy, passedAt: l.passedAt.toISOString(), bestSamples: l.best?.samples ?? null })),
    recentMatches: recent.map((r) => ({ matchId: r.match_id, kind: r.kind === 'gan' ? ('gan' as const) : ('race' as const), task: r.task, rank: r.rank, players: Number(r.players), finishedAt: r.finished_at.toISOString() })),
  };
}
