/**
 * Stable decimation for live curves: keep the points whose index is a
 * multiple of a power-of-two stride, chosen so at most `maxPoints` remain.
 * As a series grows the kept points never move; only when the stride
 * doubles does every other one drop out. That keeps state patches small.
 */
export function strideFor(length: number, maxPoints: number): number {
  if (maxPoints < 1) throw new Error(`maxPoints must be at least 1, got ${maxPoints}`);
  let stride = 1;
  while (Math.ceil(length / stride) > maxPoints) stride *= 2;
  return stride;
}

/** The points of `series` kept at the stride for its length. */
export function decimate<T>(series: readonly T[], maxPoints: number): T[] {
  const stride = strideFor(series.length, maxPoints);
  const out: T[] = [];
  for (let i = 0; i < series.length; i += stride) out.push(series[i]!);
  return out;
}
