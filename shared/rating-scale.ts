/**
 * How a rating is shown. The server rates with OpenSkill (Plackett–Luce) and keeps its conservative
 * estimate, the ordinal μ − 3σ: the skill a player has with about 99.7% confidence, 0 for a newcomer
 * (μ 25, σ 25/3) and negative after a first loss, while σ is still wide. People see it on a scale that
 * starts positive: 1000 + 40 × ordinal, never below 0.
 */
export const RATING_SCALE = { offset: 1000, perPoint: 40 } as const;

/** The rating people see for an OpenSkill ordinal (μ − 3σ). */
export function shownRating(ordinal: number): number {
  return Math.max(0, Math.round(RATING_SCALE.offset + RATING_SCALE.perPoint * ordinal));
}

/** The one line that says what the number means. */
export const RATING_EXPLAINED = `Rating = ${RATING_SCALE.offset} + ${RATING_SCALE.perPoint} × (μ − 3σ): OpenSkill's conservative estimate of your skill. Everyone starts at ${RATING_SCALE.offset}; it climbs as results make the estimate both higher and surer.`;

/** Where OpenSkill's model is described. */
export const RATING_LINK = 'https://github.com/philihp/openskill.js#readme';

/** The board of GAN battles' ratings, apart from races' (`overall` and one per task). */
export const GAN_SCOPE = 'gan';
