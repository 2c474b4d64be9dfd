import type { LayerStats, Metrics, RunEvent } from '../../shared/run.schema.ts';

/** What the detectors remember between frames (checkpointed with the run). */
export interface DetectorState {
  converged: boolean;
  vanishing: boolean;
  vanishingStreak: number;
  recoveredStreak: number;
  overfitting: boolean;
  /** Frames in a row that showed a real overfitting gap, and frames in a row since it closed. */
  overfitStreak: number;
  overfitClearStreak: number;
  bestValLoss: number;
  history: Array<{ loss: number; valLoss: number }>;
}

export function initialDetectorState(): DetectorState {
  return { converged: false, vanishing: false, vanishingStreak: 0, recoveredStreak: 0, overfitting: false, overfitStreak: 0, overfitClearStreak: 0, bestValLoss: Infinity, history: [] };
}

/** A copy that shares nothing with the original (for checkpoints: cheaper than structuredClone, which a checkpoint every 50 steps of a tiny net feels). */
export function copyDetectorState(s: DetectorState): DetectorState {
  return { ...initialDetectorState(), ...s, history: s.history.map((h) => ({ loss: h.loss, valLoss: h.valLoss })) };
}

/** Frames a trend is judged over. */
const WINDOW = 8;
/** First-layer gradient below this share of the largest layer's counts as vanishing. */
const VANISHING_RATIO = 1e-3;
/** Frames in a row a condition must hold before an event fires. */
const STREAK = 3;
/** Overfitting needs validation loss this far above its best (loss units)... */
const OVERFIT_MIN_GAP = 0.02;
/** ...and at least this share of the best validation loss: a rise from 0.0001 to 0.0002 is noise, not overfitting. */
const OVERFIT_REL_GAP = 0.1;

/** How far validation loss must stand above its best to count as overfitting (training loss may sit above it: noisy labels). */
export function overfitGap(bestValLoss: number): number {
  return Math.max(OVERFIT_MIN_GAP, OVERFIT_REL_GAP * bestValLoss);
}

/** A loss for a sentence: three decimals, or three significant digits when that would read 0.000. */
export function formatLoss(x: number): string {
  return Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toPrecision(3);
}

function slope(ys: number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, i) => {
    num += (i - mx) * (y - my);
    den += (i - mx) ** 2;
  });
  return den > 0 ? num / den : 0;
}

type Found = Pick<RunEvent, 'type' | 'message'>;

/**
 * Looks at one light frame and says what it shows: convergence (validation
 * accuracy reached the target), vanishing gradients (and their recovery), and
 * overfitting (validation loss rising while training loss falls, by a real gap
 * held for several frames). Each event fires once until its condition clears. Divergence is caught per step.
 */
export function detect(state: DetectorState, m: Metrics, layers: readonly LayerStats[], targetAccuracy: number): Found[] {
  const found: Found[] = [];
  if (!state.converged && m.valAccuracy >= targetAccuracy) {
    state.converged = true;
    found.push({ type: 'converged', message: `validation accuracy reached ${(m.valAccuracy * 100).toFixed(1)}% (target ${(targetAccuracy * 100).toFixed(0)}%)` });
  }

  if (layers.length >= 2) {
    const largest = Math.max(...layers.map((l) => l.gradNorm));
    const ratio = largest > 0 ? layers[0]!.gradNorm / largest : 1;
    const vanishing = largest > 0 && ratio < VANISHING_RATIO;
    state.vanishingStreak = vanishing ? state.vanishingStreak + 1 : 0;
    state.recoveredStreak = !vanishing && ratio > VANISHING_RATIO * 10 ? state.recoveredStreak + 1 : 0;
    if (!state.vanishing && state.vanishingStreak >= STREAK) {
      state.vanishing = true;
      found.push({ type: 'vanishingGradients', message: `the first layer's gradient is ${ratio.toExponential(1)} of the largest layer's` });
    } else if (state.vanishing && state.recoveredStreak >= STREAK) {
      state.vanishing = false;
      found.push({ type: 'gradientsRecovered', message: 'gradients reach the first layer again' });
    }
  }

  state.history.push({ loss: m.loss, valLoss: m.valLoss });
  if (state.history.length > WINDOW) state.history.shift();
  if (m.valLoss < state.bestValLoss) state.bestValLoss = m.valLoss;
  const gap = overfitGap(state.bestValLoss);
  const rise = m.valLoss - state.bestValLoss;
  const full = state.history.length === WINDOW;
  const gapOpen =
    full &&
    rise >= gap &&
    slope(state.history.map((h) => h.valLoss)) > 0 &&
    slope(state.history.map((h) => h.loss)) < 0;
  state.overfitStreak = gapOpen ? state.overfitStreak + 1 : 0;
  // The episode ends only when validation loss is back near its best for a while (hysteresis: no flapping on noise).
  state.overfitClearStreak = rise < gap / 2 ? state.overfitClearStreak + 1 : 0;
  if (state.overfitting && state.overfitClearStreak >= STREAK) state.overfitting = false;
  if (!state.overfitting && state.overfitStreak >= STREAK) {
    state.overfitting = true;
    found.push({ type: 'overfitting', message: `validation loss rose to ${formatLoss(m.valLoss)} (best ${formatLoss(state.bestValLoss)}) while training loss kept falling (now ${formatLoss(m.loss)})` });
  }
  return found;
}
