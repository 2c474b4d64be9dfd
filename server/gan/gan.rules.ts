/**
 * GAN battle rules as plain functions. Each round the generator scores by how
 * close its points come to the real distribution (sliced Wasserstein distance,
 * against the distance of a generator collapsed onto the origin), the
 * discriminator by how well it tells real from generated (accuracy above
 * chance). The higher score takes the round; a tie goes to the discriminator,
 * since the forger must fool it.
 */
import { slicedWasserstein } from '../../contract/distribution-distance.ts';

export type GanRole = 'generator' | 'discriminator';

/** The figures a round ends on. */
export interface RoundFigures {
  /** Distance between real and generated points at the round's end. */
  distance: number;
  /** The discriminator's accuracy on real and generated points at the round's end (0..1). */
  dAccuracy: number;
}

/** A scored round: points out of 100 for each side and who took it. */
export interface RoundScore {
  generatorPoints: number;
  discriminatorPoints: number;
  winner: GanRole;
}

/**
 * The yardstick a generator is measured against: the distance from the real
 * points to a generator that puts every point at the origin.
 */
export function referenceDistance(real: Float32Array | readonly number[]): number {
  const origin = new Float32Array(real.length);
  return slicedWasserstein(Float32Array.from(real), origin);
}

const clamp01 = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/**
 * Scores a round. Generator: 100 × (1 − distance / reference), floored at 0
 * (a NaN distance, from a diverged generator, scores 0). Discriminator:
 * 100 × (accuracy − 0.5) / 0.5, floored at 0 (chance earns nothing).
 */
export function scoreRound(figures: RoundFigures, reference: number): RoundScore {
  if (!(reference > 0)) throw new Error(`the reference distance must be positive, not ${reference}`);
  const generatorPoints = Math.round(100 * clamp01(1 - figures.distance / reference));
  const discriminatorPoints = Math.round(100 * clamp01((figures.dAccuracy - 0.5) / 0.5));
  return { generatorPoints, discriminatorPoints, winner: generatorPoints > discriminatorPoints ? 'generator' : 'discriminator' };
}

/**
 * The battle's outcome so far: rounds won, then total points; a full tie goes to the discriminator.
 * `decidedBy` says which of these decided it, with the figures.
 */
export function battleWinner(rounds: readonly RoundScore[]): { winner: GanRole; decidedBy: string; generatorRounds: number; discriminatorRounds: number; generatorPoints: number; discriminatorPoints: number } {
  const generatorRounds = rounds.filter((r) => r.winner === 'generator').length;
  const discriminatorRounds = rounds.length - generatorRounds;
  const generatorPoints = rounds.reduce((s, r) => s + r.generatorPoints, 0);
  const discriminatorPoints = rounds.reduce((s, r) => s + r.discriminatorPoints, 0);
  const winner = generatorRounds !== discriminatorRounds ? (generatorRounds > discriminatorRounds ? 'generator' : 'discriminator') : generatorPoints > discriminatorPoints ? 'generator' : 'discriminator';
  const most = Math.max(generatorRounds, discriminatorRounds);
  const least = Math.min(generatorRounds, discriminatorRounds);
  const roundsWord = (n: number) => `${n} round${n === 1 ? '' : 's'}`;
  const decidedBy =
    generatorRounds !== discriminatorRounds
      ? `${roundsWord(most)} to ${least}`
      : generatorPoints !== discriminatorPoints
        ? `level at ${roundsWord(generatorRounds)} each: decided by more points over the rounds (${Math.max(generatorPoints, discriminatorPoints)} vs ${Math.min(generatorPoints, discriminatorPoints)})`
        : `level at ${roundsWord(generatorRounds)} and ${generatorPoints} points each: a full tie goes to the discriminator`;
  return { winner, decidedBy, generatorRounds, discriminatorRounds, generatorPoints, discriminatorPoints };
}

/** Whether the battle is decided: every round played, or one side has more than half of them. */
export function battleDecided(rounds: readonly RoundScore[], totalRounds: number): boolean {
  const g = rounds.filter((r) => r.winner === 'generator').length;
  const d = rounds.length - g;
  return rounds.length >= totalRounds || Math.max(g, d) > totalRounds / 2;
}

/** One side's design in a line: "32-32 relu · adam 0.002 · 1 step". */
export function summariseSide(side: { layers: ReadonlyArray<{ units: number; activation: string }>; optimizer: string; learningRate: number; steps: number }): string {
  const widths = side.layers.map((l) => l.units).join('-');
  const acts = [...new Set(side.layers.map((l) => l.activation))].join('/');
  return `${widths} ${acts} · ${side.optimizer} ${side.learningRate} · ${side.steps} step${side.steps === 1 ? '' : 's'}`;
}
