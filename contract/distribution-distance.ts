/**
 * Sliced Wasserstein-1 distance between two 2D point sets (flattened x, y
 * pairs): the mean, over `directions` evenly spaced angles, of the 1D
 * Wasserstein distance between the projections. Sets of different sizes are
 * compared through their quantiles.
 */
export function slicedWasserstein(a: Float32Array | number[], b: Float32Array | number[], directions = 32): number {
  const na = a.length / 2;
  const nb = b.length / 2;
  if (na === 0 || nb === 0) return NaN;
  const n = Math.max(na, nb);
  let total = 0;
  const pa = new Float64Array(na);
  const pb = new Float64Array(nb);
  for (let k = 0; k < directions; k++) {
    const t = (Math.PI * k) / directions;
    const c = Math.cos(t);
    const s = Math.sin(t);
    for (let i = 0; i < na; i++) pa[i] = a[2 * i]! * c + a[2 * i + 1]! * s;
    for (let i = 0; i < nb; i++) pb[i] = b[2 * i]! * c + b[2 * i + 1]! * s;
    pa.sort();
    pb.sort();
    let d = 0;
    for (let i = 0; i < n; i++) d += Math.abs(pa[Math.floor((i * na) / n)]! - pb[Math.floor((i * nb) / n)]!);
    total += d / n;
  }
  return total / directions;
}
