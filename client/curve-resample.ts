/**
 * Curves are drawn at the resolution of the canvas, not of the data: a series
 * of any length becomes at most two points per pixel column (its minimum and
 * maximum there, in the order they came), so spikes survive and a 10,000-point
 * curve costs what a 600-pixel one does.
 */
export function resampleToColumns(xs: readonly number[], ys: readonly number[], x0: number, x1: number, columns: number): { xs: number[]; ys: number[] } {
  const n = Math.min(xs.length, ys.length);
  if (n <= columns * 2 || columns < 1 || !(x1 > x0)) return { xs: xs.slice(0, n), ys: ys.slice(0, n) };
  const outX: number[] = [];
  const outY: number[] = [];
  const width = (x1 - x0) / columns;
  let i = 0;
  while (i < n) {
    const col = Math.min(columns - 1, Math.max(0, Math.floor((xs[i]! - x0) / width)));
    let minI = i;
    let maxI = i;
    let j = i + 1;
    for (; j < n && Math.min(columns - 1, Math.max(0, Math.floor((xs[j]! - x0) / width))) === col; j++) {
      if (ys[j]! < ys[minI]! || Number.isNaN(ys[minI]!)) minI = j;
      if (ys[j]! > ys[maxI]! || Number.isNaN(ys[maxI]!)) maxI = j;
    }
    const first = Math.min(minI, maxI);
    const second = Math.max(minI, maxI);
    outX.push(xs[first]!);
    outY.push(ys[first]!);
    if (second !== first) {
      outX.push(xs[second]!);
      outY.push(ys[second]!);
    }
    i = j;
  }
  // The newest point is always drawn, so the live end of the curve never lags.
  if (outX.at(-1) !== xs[n - 1]) {
    outX.push(xs[n - 1]!);
    outY.push(ys[n - 1]!);
  }
  return { xs: outX, ys: outY };
}

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
