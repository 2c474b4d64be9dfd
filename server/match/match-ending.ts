/**
 * What a match's ending tells the room beyond the ranking: why places the shown accuracy left level fell
 * as they did, and what each player gained. Races, tournament matches and GAN battles end through here.
 */
import type { PlayerGain, TieBreak } from '../../shared/match-gains.ts';
import type { ArenaServices } from '../arena.services.ts';
import { moduleLogger } from '../logger.ts';
import type { Unlock } from '../progression/progression.service.ts';
import { tieBreaks } from '../race/race.rules.ts';
import type { RaceMatchOutcome } from './match-runner.ts';

/** The tie-breaks of a race match's places (see `tieBreaks`), with the players' names. */
export function namedTieBreaks(outcomes: readonly RaceMatchOutcome[]): TieBreak[] {
  const name = (seat: number) => outcomes.find((o) => o.entry.seat === seat)?.entry.player ?? `seat ${seat + 1}`;
  return tieBreaks(outcomes.map((o) => ({ seat: o.entry.seat, result: o.result }))).map((t) => ({ above: name(t.above), below: name(t.below), reason: t.reason }));
}

/**
 * What each player gained from a stored match (see `progression.gains`); none when the match was not stored
 * or what it paid cannot be read (the ending still shows the places).
 */
export async function gainsOf(
  services: Pick<ArenaServices, 'progression'>,
  stored: boolean,
  matchIds: string | readonly string[],
  players: ReadonlyArray<{ playerId: string | null; player: string }>,
  scope: string | null,
  unlocks: readonly Unlock[],
  extraXp?: (playerId: string) => string[],
): Promise<PlayerGain[]> {
  if (!stored) return [];
  const known = players.filter((p): p is { playerId: string; player: string } => p.playerId !== null);
  try {
    return await services.progression.gains(typeof matchIds === 'string' ? [matchIds] : matchIds, known, scope, unlocks, extraXp);
  } catch (err) {
    moduleLogger('match').warn({ matchIds, err }, 'could not read what the match paid');
    return [];
  }
}
