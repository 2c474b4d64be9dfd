import { ordinal, rate, rating } from 'openskill';

/** A skill rating: mean and uncertainty (OpenSkill's Plackett–Luce model, default mu 25 and sigma 25/3). */
export interface Skill {
  mu: number;
  sigma: number;
}

/** A new player's rating. */
export function newSkill(): Skill {
  const r = rating();
  return { mu: r.mu, sigma: r.sigma };
}

/** The conservative rating people see: mu − 3·sigma. */
export function displayRating(s: Skill): number {
  return ordinal(s);
}

/** Ratings after a race that ranked N entries at once (rank 1 wins; equal ranks tie). */
export function rateRace(entries: ReadonlyArray<{ skill: Skill; rank: number }>): Skill[] {
  if (entries.length < 2) return entries.map((e) => e.skill);
  const teams = entries.map((e) => [rating({ mu: e.skill.mu, sigma: e.skill.sigma })]);
  const after = rate(teams, { rank: entries.map((e) => e.rank) });
  return after.map(([r]) => ({ mu: r!.mu, sigma: r!.sigma }));
}
