import type { Kysely } from 'kysely';
import type { PlayerGain } from '../../shared/match-gains.ts';
import { shownRating } from '../../shared/rating-scale.ts';
import type { Database } from '../db/tables.ts';
import { ACHIEVEMENTS } from './achievements.ts';
import type { Unlock } from './progression.service.ts';

const POINTS = new Map<string, readonly number[]>(ACHIEVEMENTS.map((a) => [a.key, a.points]));

/** The XP source key of a tournament's champion. */
export const championXpKey = (tournamentId: string): string => `tournament:${tournamentId}:champion`;

/** The XP source keys a match pays its players under (see `recordRaceResult`, `recordGanResult`). */
export const matchXpKey = (matchId: string, playerId: string): string => `match:${matchId}:player:${playerId}`;

/**
 * What each player gained from stored matches (one, or a tournament's): the XP they paid them (with the XP of the achievement tiers
 * in `unlocks`, which pay their points), and the rating it moved in `scope` over them (on the shown scale,
 * from the player's rating history: before is their entry before the first of them, or a newcomer's). `extraXp` names other
 * XP sources the ending paid (a tournament champion's).
 */
export async function matchGains(
  db: Kysely<Database>,
  matchIds: readonly string[],
  players: ReadonlyArray<{ playerId: string; player: string }>,
  scope: string | null,
  unlocks: readonly Unlock[],
  extraXp: (playerId: string) => string[] = () => [],
): Promise<PlayerGain[]> {
  return Promise.all(
    players.map(async ({ playerId, player }) => {
      const keys = [...matchIds.map((id) => matchXpKey(id, playerId)), ...extraXp(playerId)];
      const paid = await db.selectFrom('xp_events').select('amount').where('player_id', '=', playerId).where('source_key', 'in', keys).execute();
      const mine = unlocks.filter((u) => u.playerId === playerId);
      const achievementXp = mine.reduce((sum, u) => sum + (POINTS.get(u.key)?.[u.tier - 1] ?? 0), 0);
      return { playerId, player, xp: paid.reduce((s, r) => s + r.amount, 0) + achievementXp, rating: scope && matchIds.length > 0 ? await ratingMove(db, matchIds, playerId, scope) : null, achievements: mine.map((u) => ({ name: u.name, tier: u.tier })) };
    }),
  );
}

async function ratingMove(db: Kysely<Database>, matchIds: readonly string[], playerId: string, scope: string): Promise<PlayerGain['rating']> {
  const moves = await db.selectFrom('rating_history').select(['id', 'display']).where('player_id', '=', playerId).where('scope', '=', scope).where('match_id', 'in', matchIds).orderBy('id').execute();
  const [first, after] = [moves[0], moves.at(-1)];
  if (!first || !after) return null;
  const before = await db
    .selectFrom('rating_history')
    .select('display')
    .where('player_id', '=', playerId)
    .where('scope', '=', scope)
    .where('id', '<', first.id)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { scope, before: shownRating(before?.display ?? 0), after: shownRating(after.display) };
}
