import { describe, expect, it } from 'vitest';
import { sampleDistribution } from '../../contract/datasets/gan-distributions.ts';
import { slicedWasserstein } from '../../contract/distribution-distance.ts';
import { createRng } from '../../contract/random.ts';
import { battleDecided, battleWinner, referenceDistance, scoreRound, type RoundScore } from './gan.rules.ts';

describe('GAN battle rules', () => {
  const real = sampleDistribution('ring', 512, createRng(3));
  const reference = referenceDistance(real);

  it('measures generators against one collapsed onto the origin', () => {
    expect(reference).toBeGreaterThan(0.3); // the ring has radius 0.8
    expect(reference).toBeLessThan(0.8);
    const perfect = sampleDistribution('ring', 512, createRng(4));
    expect(scoreRound({ distance: slicedWasserstein(real, perfect), dAccuracy: 0.5 }, reference).generatorPoints).toBeGreaterThan(85);
    expect(scoreRound({ distance: reference, dAccuracy: 0.5 }, reference).generatorPoints).toBe(0);
    expect(scoreRound({ distance: 3 * reference, dAccuracy: 0.5 }, reference).generatorPoints).toBe(0);
  });

  it('scores the discriminator on accuracy above chance', () => {
    expect(scoreRound({ distance: reference, dAccuracy: 1 }, reference)).toEqual({ generatorPoints: 0, discriminatorPoints: 100, winner: 'discriminator' });
    expect(scoreRound({ distance: reference, dAccuracy: 0.3 }, reference).discriminatorPoints).toBe(0);
    expect(scoreRound({ distance: reference, dAccuracy: 0.75 }, reference).discriminatorPoints).toBe(50);
  });

  it('gives the round to the higher score, a tie to the discriminator, and nothing to a diverged generator', () => {
    expect(scoreRound({ distance: 0.2 * reference, dAccuracy: 0.6 }, reference)).toEqual({ generatorPoints: 80, discriminatorPoints: 20, winner: 'generator' });
    expect(scoreRound({ distance: 0.5 * reference, dAccuracy: 0.75 }, reference).winner).toBe('discriminator');
    expect(scoreRound({ distance: NaN, dAccuracy: 0.4 }, reference)).toEqual({ generatorPoints: 0, discriminatorPoints: 0, winner: 'discriminator' });
    expect(() => scoreRound({ distance: 0.1, dAccuracy: 0.5 }, 0)).toThrow(/reference distance must be positive/);
  });

  it('decides the battle by rounds, then points, and stops once a side has a majority', () => {
    const g = (p: number): RoundScore => ({ generatorPoints: p, discriminatorPoints: 10, winner: 'generator' });
    const d = (p: number): RoundScore => ({ generatorPoints: 10, discriminatorPoints: p, winner: 'discriminator' });
    expect(battleWinner([g(60), d(90), g(40)])).toMatchObject({ winner: 'generator', generatorRounds: 2, discriminatorRounds: 1 });
    expect(battleWinner([g(90), d(40)])).toMatchObject({ winner: 'generator', generatorPoints: 100, discriminatorPoints: 50 });
    expect(battleWinner([g(30), d(40)]).winner).toBe('discriminator');
    expect(battleWinner([]).winner).toBe('discriminator');
    expect(battleWinner([g(60), d(90), g(40)]).decidedBy).toBe('2 rounds to 1');
    expect(battleWinner([g(30), d(40)]).decidedBy).toBe('level at 1 round each: decided by more points over the rounds (50 vs 40)');
    expect(battleWinner([g(10), d(10)])).toMatchObject({ winner: 'discriminator', decidedBy: 'level at 1 round and 20 points each: a full tie goes to the discriminator' });
    expect(battleDecided([g(60), g(60)], 3)).toBe(true);
    expect(battleDecided([g(60), d(60)], 3)).toBe(false);
    expect(battleDecided([g(60), d(60)], 2)).toBe(true);
  });
});
