/**
 * A small seeded pseudo-random generator (mulberry32). Every dataset, shuffle
 * and initialiser seed in the arena comes from one of these, so a run is a
 * value: the same seed gives the same numbers on every machine.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** The generator's internal state, to checkpoint and restore it. */
  state(): number;
}

/** Creates a generator from a 32-bit seed, or from a saved `state()`. */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      const u = Math.max(next(), 1e-12);
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    state: () => s,
  };
}

/** Derives an independent 32-bit seed from a parent seed and a label. */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  }
  return createRng(h).int(2 ** 31);
}

/** Fisher–Yates shuffle of 0..n-1 with the given generator. */
export function permutation(n: number, rng: Rng): Uint32Array {
  return permutationInto(new Uint32Array(n), rng);
}

/** The same shuffle (the same draws) of 0..out.length-1, written into `out` (a run reshuffles its order each epoch without a new array); returns `out`. */
export function permutationInto(out: Uint32Array, rng: Rng): Uint32Array {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}
