/**
 * Exponential moving average with bias correction (as TensorBoard smooths):
 * `s_t = a·s_{t-1} + (1-a)·y_t`, divided by `1 - a^t`, so the start is not
 * dragged towards zero. `a` = 0 returns the series unchanged. NaN and
 * infinite values pass through without poisoning the average.
 */
export function debiasedEma(ys: readonly number[], a: number): number[] {
  if (!(a > 0)) return [...ys];
  const out: number[] = [];
  let s = 0;
  let t = 0;
  for (const y of ys) {
    if (!Number.isFinite(y)) {
      out.push(y);
      continue;
    }
    t++;
    s = a * s + (1 - a) * y;
    out.push(s / (1 - a ** t));
  }
  return out;
}

/**
 * Trailing moving average over the last `window` points (fewer at the start, so the curve starts where the
 * data does): each value is the mean of itself and the `window - 1` finite values before it. A window of 1
 * (or less) returns the series unchanged. NaN and infinite values pass through and are left out of the
 * means around them. One pass: a running sum over a ring of the finite values in the window.
 */
export function movingAverage(ys: readonly number[], window: number): number[] {
  const w = Math.floor(window);
  if (!(w > 1)) return [...ys];
  const ring = new Float64Array(w);
  let count = 0;
  let head = 0;
  let sum = 0;
  const out: number[] = [];
  for (const y of ys) {
    if (!Number.isFinite(y)) {
      out.push(y);
      continue;
    }
    if (count === w) sum -= ring[head]!;
    else count++;
    ring[head] = y;
    sum += y;
    head = (head + 1) % w;
    out.push(sum / count);
  }
  return out;
}

/** The moving-average window that matches an EMA weight `a` (its mean age): 1/(1 − a) points, at least 1. */
export function windowOfWeight(a: number): number {
  return a > 0 && a < 1 ? Math.max(1, Math.round(1 / (1 - a))) : 1;
}

/**
 * The vertical span a dense curve covers in each pixel column of [x0, x1):
 * `lo[c]`..`hi[c]` holds every finite value that falls in column c and
 * reaches the previous column's last value, so drawing each span as a bar
 * draws the connected line. Columns the data skips (sparse stretches inside a
 * dense curve) are filled by straight interpolation between their
 * neighbours. Columns before the first or after the last point get NaN.
 * One pass over the data; `lo` and `hi` are caller-owned and reused.
 */
export function columnSpans(xs: readonly number[], ys: readonly number[], x0: number, x1: number, lo: Float32Array, hi: Float32Array): void {
  const columns = lo.length;
  lo.fill(NaN);
  hi.fill(NaN);
  const n = Math.min(xs.length, ys.length);
  if (!(x1 > x0) || columns === 0) return;
  const scale = columns / (x1 - x0);
  const last = columns - 1;
  // The open column's running range.
  let col = -1;
  let min = 0;
  let max = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const y = ys[i]!;
    if (!(y - y === 0)) continue; // NaN or infinite
    let c = Math.floor((xs[i]! - x0) * scale);
    // Clamped to the plot; an x that goes back (it should not) stays in the open column.
    c = c < col ? col : c > last ? last : c;
    if (c === col) {
      if (y < min) min = y;
      else if (y > max) max = y;
    } else {
      if (col >= 0) {
        // Skipped columns: the straight line from the last value to this one.
        for (let k = col + 1; k < c; k++) {
          const a = prev + ((y - prev) * (k - col)) / (c - col);
          const b = prev + ((y - prev) * (k + 1 - col)) / (c - col);
          lo[k] = a < b ? a : b;
          hi[k] = a < b ? b : a;
        }
        // The new column reaches back to the last value, so the bars join.
        min = prev < y ? prev : y;
        max = prev < y ? y : prev;
      } else {
        min = max = y;
      }
      col = c;
    }
    // Written at every point rather than once after the loop: code after an OSR-compiled loop had no
    // type feedback, and V8 deoptimised this function there on every call (three times slower).
    lo[col] = min;
    hi[col] = max;
    prev = y;
  }
}
