import type { ChallengeKind } from '../../shared/challenge.schema.ts';

/** XP for taking part in a race, plus a bonus by place: 20 + 10 per entry beaten. */
export function raceXp(rank: number, entries: number): number {
  return 20 + 10 * Math.max(0, entries - rank);
}

/** XP for a rated GAN battle: 20 for taking part, 30 more for the winner. */
export function ganXp(won: boolean): number {
  return won ? 50 : 20;
}

/** XP for winning a rated tournament. */
export const TOURNAMENT_CHAMPION_XP = 200;

/** XP for passing a playground challenge: more for the ones that constrain the network or shock it. */
export function challengeXp(kind: ChallengeKind): number {
  return kind === 'target' ? 25 : 40;
}

/** The Monday (UTC) of the week an instant falls in, as YYYY-MM-DD: the key of weekly boards. */
export function weekOf(at: Date): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - day);
  return d.toISOString().slice(0, 10);
}
