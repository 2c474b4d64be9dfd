/**
 * Fair seeds: a rated match's seed is drawn by the server, which publishes a
 * commitment when the match is created and reveals the seed and its salt when
 * it ends. Anyone can recompute the commitment (versioned format below):
 *
 *   commitment = hex(SHA-256("gradient-arena-seed-v1:<seed>:<salt>"))
 *
 * with `<seed>` in decimal (no sign, no leading zeros) and `<salt>` the 32-byte
 * salt in lowercase hex (64 characters). In a shell:
 *
 *   printf 'gradient-arena-seed-v1:%s:%s' SEED SALT | sha256sum
 *
 * The salt keeps the 31-bit seed from being found by trying every value
 * against the commitment. Pure, for the server, the CLI and the browser: the
 * hash is Web Crypto's (`crypto.subtle`, in Node and in any secure page).
 */
import { z } from 'zod';

/** The commitment format's name and version, part of the hashed text. */
export const SEED_SCHEME = 'gradient-arena-seed-v1' as const;

/** How pages and listings name a match whose creator chose the seed. */
export const UNRATED_LABEL = 'custom seed · unrated';

/** Largest seed the engine takes. */
export const MAX_SEED = 2 ** 31 - 1;

const Hex64 = (what: string) => z.string().regex(/^[0-9a-f]{64}$/, `${what} must be 64 lowercase hex digits`);

/** A seed as the engine takes it. */
export const Seed = z.number().int('seed must be an integer').min(0, 'seed must be at least 0').max(MAX_SEED, `seed must be at most ${MAX_SEED}`);

/** What is published when a match is created: the scheme and the hash. */
export const SeedCommitment = z.object({
  scheme: z.literal(SEED_SCHEME),
  commitment: Hex64('commitment'),
});
export type SeedCommitment = z.infer<typeof SeedCommitment>;

/** A commitment with what is revealed when the match ends. */
export const SeedReveal = SeedCommitment.extend({
  seed: Seed,
  salt: Hex64('salt'),
});
export type SeedReveal = z.infer<typeof SeedReveal>;

/** The exact text whose SHA-256 is the commitment. */
export function commitmentText(seed: number, salt: string): string {
  return `${SEED_SCHEME}:${Seed.parse(seed)}:${salt}`;
}

/** SHA-256 of the commitment text, in lowercase hex, through Web Crypto (throws where `crypto.subtle` is missing: a page that is not a secure context). */
export async function commitSeed(seed: number, salt: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('this browser offers no SHA-256 here (crypto.subtle needs https or localhost)');
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(commitmentText(seed, salt)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether a reveal matches its commitment, and if not, why (in words a player can act on). */
export type RevealCheck = { ok: true } | { ok: false; reason: string };

/** Checks a revealed seed and salt against the commitment published at the start. */
export async function checkSeedReveal(raw: unknown): Promise<RevealCheck> {
  const parsed = SeedReveal.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `the reveal is malformed: ${issue.path.join('.') || 'value'}: ${issue.message}` };
  }
  const { seed, salt, commitment } = parsed.data;
  const actual = await commitSeed(seed, salt);
  if (actual !== commitment) return { ok: false, reason: `seed ${seed} with salt ${salt} hashes to ${actual}, not to the commitment ${commitment}` };
  return { ok: true };
}
