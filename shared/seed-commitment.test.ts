import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSeedReveal, commitmentText, commitSeed, SEED_SCHEME } from './seed-commitment.ts';

const salt = 'a'.repeat(62) + '0f';
/** The documented recipe, computed independently of the module: sha256 of the text, in hex. */
const recipe = (seed: number, s: string) => createHash('sha256').update(`gradient-arena-seed-v1:${seed}:${s}`).digest('hex');

describe('seed commitment', () => {
  it('hashes the documented, versioned text with SHA-256', async () => {
    expect(commitmentText(1234, salt)).toBe(`gradient-arena-seed-v1:1234:${salt}`);
    expect(await commitSeed(1234, salt)).toBe(recipe(1234, salt));
    expect(await commitSeed(0, salt)).not.toBe(await commitSeed(1, salt));
  });

  it('accepts a reveal that matches its commitment', async () => {
    const commitment = recipe(987_654_321, salt);
    expect(await checkSeedReveal({ scheme: SEED_SCHEME, commitment, seed: 987_654_321, salt })).toEqual({ ok: true });
  });

  it('detects a tampered reveal: seed, salt or commitment changed', async () => {
    const commitment = recipe(42, salt);
    const honest = { scheme: SEED_SCHEME, commitment, seed: 42, salt };
    const seed = await checkSeedReveal({ ...honest, seed: 43 });
    expect(seed).toMatchObject({ ok: false });
    expect(!seed.ok && seed.reason).toContain('not to the commitment');
    expect(await checkSeedReveal({ ...honest, salt: 'b' + salt.slice(1) })).toMatchObject({ ok: false });
    expect(await checkSeedReveal({ ...honest, commitment: recipe(42, 'c'.repeat(64)) })).toMatchObject({ ok: false });
    expect(await checkSeedReveal(honest)).toEqual({ ok: true }); // and the honest one still passes
  });

  it('names what is malformed instead of hashing it', async () => {
    const commitment = recipe(42, salt);
    expect(await checkSeedReveal({ scheme: 'gradient-arena-seed-v0', commitment, seed: 42, salt })).toMatchObject({ ok: false, reason: expect.stringContaining('scheme') });
    expect(await checkSeedReveal({ scheme: SEED_SCHEME, commitment, seed: 42, salt: salt.toUpperCase() })).toMatchObject({ ok: false, reason: expect.stringContaining('salt must be 64 lowercase hex digits') });
    expect(await checkSeedReveal({ scheme: SEED_SCHEME, commitment, seed: -1, salt })).toMatchObject({ ok: false, reason: expect.stringContaining('seed must be at least 0') });
    expect(() => commitmentText(1.5, salt)).toThrow(/integer/);
  });
});
