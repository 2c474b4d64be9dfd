/**
 * A match's seed, drawn and committed to by the server (shared/seed-commitment.ts
 * says the format). Rooms keep one `FairSeed` per match, publish its commitment
 * into state when the match is created, and reveal it when the match ends; the
 * seed and salt never go into state or a message before that.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import { commitmentText, MAX_SEED, SEED_SCHEME, Seed, type SeedReveal } from '../../shared/seed-commitment.ts';
import type { FairSeedView } from '../../shared/seed-commitment.state.ts';

/** Everything a match keeps about its seed: JSON, so whatever persists the match can keep it as is. */
export const FairSeed = z.object({
  scheme: z.literal(SEED_SCHEME),
  seed: Seed,
  salt: z.string().regex(/^[0-9a-f]{64}$/),
  commitment: z.string().regex(/^[0-9a-f]{64}$/),
  /** False when the creator chose the seed: the match changes no rating, XP or achievement. */
  rated: z.boolean(),
});
export type FairSeed = z.infer<typeof FairSeed>;

/** SHA-256 of the commitment text with node:crypto (the same bytes `commitSeed` hashes with Web Crypto). */
export function commitmentOf(seed: number, salt: string): string {
  return createHash('sha256').update(commitmentText(seed, salt), 'utf8').digest('hex');
}

/**
 * A match's seed: drawn here with a fresh 32-byte salt, or the creator's own
 * (`custom`), which makes the match custom and unrated. Custom seeds are
 * committed to as well, so the other players can check it did not change.
 */
export function drawFairSeed(custom?: number): FairSeed {
  const seed = custom ?? randomInt(MAX_SEED + 1);
  const salt = randomBytes(32).toString('hex');
  return { scheme: SEED_SCHEME, seed, salt, commitment: commitmentOf(seed, salt), rated: custom === undefined };
}

/** What is revealed (and stored) once the match is over. */
export function revealOf(fair: FairSeed): SeedReveal {
  return { scheme: fair.scheme, commitment: fair.commitment, seed: fair.seed, salt: fair.salt };
}

/** Mirrors the commitment (not the seed) into a room's state. */
export function publishCommitment(view: FairSeedView, fair: FairSeed): void {
  view.rated = fair.rated;
  view.scheme = fair.scheme;
  view.commitment = fair.commitment;
  view.seed = -1;
  view.salt = '';
}

/** Mirrors the seed and salt into a room's state: call only once the match is over. */
export function revealInState(view: FairSeedView, fair: FairSeed): void {
  view.seed = fair.seed;
  view.salt = fair.salt;
}

/** The room's lobby listing fields: unrated rooms say so before anyone joins. */
export function listingOf(fair: FairSeed): { rated: boolean } {
  return { rated: fair.rated };
}
