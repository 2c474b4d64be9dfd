/** A checkpoint's step and what its weights score on the validation split. */
export interface ScoredCheckpoint {
  step: number;
  loss: number;
  accuracy: number;
}

/**
 * Whether `a` is a better point of a run than `b` on the validation split: for classification the higher
 * accuracy, then the lower loss; for regression the lower loss; an exact tie goes to the earlier step.
 * A non-finite loss is never better.
 */
export function betterThan(a: ScoredCheckpoint, b: ScoredCheckpoint, kind: 'classification' | 'regression'): boolean {
  if (!Number.isFinite(a.loss)) return false;
  if (!Number.isFinite(b.loss)) return true;
  if (kind === 'classification' && a.accuracy !== b.accuracy) return a.accuracy > b.accuracy;
  if (a.loss !== b.loss) return a.loss < b.loss;
  return a.step < b.step;
}

/** The best of some scored checkpoints (undefined for none, or none with a finite loss). */
export function bestCheckpoint(scored: readonly ScoredCheckpoint[], kind: 'classification' | 'regression'): ScoredCheckpoint | undefined {
  let best: ScoredCheckpoint | undefined;
  for (const s of scored) if (Number.isFinite(s.loss) && (!best || betterThan(s, best, kind))) best = s;
  return best;
}
