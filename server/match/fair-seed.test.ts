import { describe, expect, it } from 'vitest';
import { checkSeedReveal, commitSeed, MAX_SEED, SEED_SCHEME } from '../../shared/seed-commitment.ts';
import { FairSeedView } from '../../shared/seed-commitment.state.ts';
import { commitmentOf, drawFairSeed, FairSeed, publishCommitment, revealInState, revealOf } from './fair-seed.ts';
import { MatchLifecycle } from './lifecycle.ts';

describe('fair seeds on the server', () => {
  it('draws a seed in the engine range with a fresh 32-byte salt, rated, committed with the shared format', async () => {
    const a = drawFairSeed();
    const b = drawFairSeed();
    expect(FairSeed.parse(a)).toEqual(a); // JSON as it is: a restarted server can keep it
    expect(a).toMatchObject({ scheme: SEED_SCHEME, rated: true });
    expect(a.seed).toBeGreaterThanOrEqual(0);
    expect(a.seed).toBeLessThanOrEqual(MAX_SEED);
    expect(a.salt).not.toBe(b.salt);
    expect(a.commitment).toBe(await commitSeed(a.seed, a.salt)); // node:crypto and Web Crypto agree
    expect(await checkSeedReveal(revealOf(a))).toEqual({ ok: true });
  });

  it('a creator\'s seed makes the match unrated, and is committed to all the same', async () => {
    const f = drawFairSeed(11);
    expect(f).toMatchObject({ seed: 11, rated: false });
    expect(f.commitment).toBe(commitmentOf(11, f.salt));
    expect(drawFairSeed(11).commitment).not.toBe(f.commitment); // a fresh salt each time
  });

  it('puts only the commitment into state until the reveal', () => {
    const f = drawFairSeed(7);
    const view = new FairSeedView();
    publishCommitment(view, f);
    expect(view.toJSON()).toEqual({ rated: false, scheme: SEED_SCHEME, commitment: f.commitment, seed: -1, salt: '' });
    revealInState(view, f);
    expect(view.toJSON()).toMatchObject({ seed: 7, salt: f.salt });
  });

  it('is kept in the match lifecycle, so a restarted server reveals the same seed and salt', async () => {
    const fair = drawFairSeed();
    const match = new MatchLifecycle({ id: 'm1', kind: 'race', roomId: 'r1', options: {}, fairSeed: fair });
    const persisted = JSON.parse(JSON.stringify(match.toJSON())); // what the live-match store keeps
    const restored = MatchLifecycle.restore(persisted);
    expect(restored.fairSeed).toEqual(fair);
    expect(restored.seed).toBe(fair.seed);
    expect(await checkSeedReveal(revealOf(restored.fairSeed!))).toEqual({ ok: true });
  });
});
