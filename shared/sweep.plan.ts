import { isDenseLayer, ModelSpec } from './model-spec.schema.ts';
import type { SweepPoint, SweepRequest } from './sweep.schema.ts';

/** A small seeded generator (mulberry32): the same seed draws the same trials everywhere. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The trials a sweep trains, in order: for a grid every combination (learning rate slowest, width fastest);
 * for random search `trials` draws from `seed` (learning rate log-uniform between the smallest and largest
 * listed, rounded to 3 significant digits; batch size and width among the listed).
 */
export function planSweep(request: SweepRequest, seed: number): SweepPoint[] {
  const { learningRates, batchSizes, widths } = request;
  if (request.method === 'grid') return learningRates.flatMap((learningRate) => batchSizes.flatMap((batchSize) => widths.map((width) => ({ learningRate, batchSize, width }))));
  const next = generator(seed ^ 0x5eed5);
  const lo = Math.log(Math.min(...learningRates));
  const hi = Math.log(Math.max(...learningRates));
  const pick = <T>(list: readonly T[]) => list[Math.min(list.length - 1, Math.floor(next() * list.length))]!;
  return Array.from({ length: request.trials }, () => ({ learningRate: Number(Math.exp(lo + (hi - lo) * next()).toPrecision(3)), batchSize: pick(batchSizes), width: pick(widths) }));
}

/** The network a trial trains: `base` with the trial's learning rate and batch size, every dense hidden layer `width` wide. */
export function trialSpec(base: ModelSpec, point: SweepPoint): ModelSpec {
  return ModelSpec.parse({ ...base, learningRate: point.learningRate, batchSize: point.batchSize, layers: base.layers.map((l) => (isDenseLayer(l) ? { ...l, units: point.width } : l)) });
}

/** Why `base` cannot be swept, in words (it has no dense hidden layer whose width could change), or undefined. */
export function sweepBaseProblem(base: ModelSpec): string | undefined {
  return base.layers.some(isDenseLayer) ? undefined : 'the network has no dense hidden layer whose width a sweep could change: add one in the designer';
}

/** A trial's outcome as ranked: validation accuracy (R² for regression), then validation loss. */
export interface RankedTrial {
  valAccuracy: number;
  valLoss: number;
}

/** Index of the best of the trials that finished (`undefined` entries did not): highest validation accuracy, then lowest validation loss, then the earliest. -1 when none did. */
export function bestTrial(trials: ReadonlyArray<RankedTrial | undefined>): number {
  let best = -1;
  trials.forEach((t, i) => {
    if (!t) return;
    const b = best >= 0 ? trials[best]! : undefined;
    if (!b || t.valAccuracy > b.valAccuracy || (t.valAccuracy === b.valAccuracy && t.valLoss < b.valLoss)) best = i;
  });
  return best;
}
