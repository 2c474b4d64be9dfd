/**
 * What a match's ending tells each player: what they gained, and why the places fell as they did.
 * Sent with the result of a race, a tournament and a GAN battle.
 */

/** What one player gained from a match (nothing when it was unrated or not stored). */
export interface PlayerGain {
  playerId: string;
  player: string;
  /** XP the match paid, achievements included. */
  xp: number;
  /** The rating it moved, on the shown scale (`shownRating`): the task's board for a race, `gan` for a battle; null if none moved. */
  rating: { scope: string; before: number; after: number } | null;
  /** Achievement tiers reached. */
  achievements: Array<{ name: string; tier: number }>;
}

/** Why one entry finished above the next when the first rule alone did not separate them. */
export interface TieBreak {
  /** The places it decided: `above` finished right above `below`. */
  above: string;
  below: string;
  /** In words, with the figures: "tied at 56.0% held-out accuracy: decided by lower validation loss (0.412 vs 0.431)". */
  reason: string;
}
