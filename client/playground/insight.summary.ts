/**
 * Pure summaries behind the playground's inside views: histograms re-binned
 * onto one value axis over time, colour ramps, per-layer health in words,
 * mean activation per unit, the 3D graph's layout and its strongest edges.
 * No DOM, no renderer: the views draw what these return.
 */
import { expandFeatures } from '../../shared/features.ts';
import type { InputFeature } from '../../shared/model-spec.schema.ts';
import { unpackUnit, type PackedActivationMaps, type ProbeHistogram } from '../../shared/playground.messages.ts';
import type { LayerStats } from '../../shared/run.schema.ts';

export type Rgb = [number, number, number];

/**
 * Histograms of one layer over time, re-binned onto a shared value axis from
 * `lo` to `hi` (the widest range any of them covers), so a row is the same
 * value in every column. Each source bin's count is spread over the target
 * bins it overlaps, in proportion. `grid[column * bins + bin]`, bin 0 the lowest.
 */
export function rebinHistory(columns: readonly ProbeHistogram[], bins: number): { lo: number; hi: number; grid: Float32Array } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of columns) {
    if (!Number.isFinite(c.min) || !Number.isFinite(c.max)) continue;
    lo = Math.min(lo, c.min);
    hi = Math.max(hi, c.max);
  }
  if (!Number.isFinite(lo)) (lo = -1), (hi = 1);
  if (hi - lo < 1e-12) (lo -= 0.5), (hi += 0.5);
  const grid = new Float32Array(columns.length * bins);
  const width = (hi - lo) / bins;
  columns.forEach((c, col) => {
    const n = c.counts.length;
    if (!n || !Number.isFinite(c.min) || !Number.isFinite(c.max)) return;
    const srcWidth = (c.max - c.min) / n;
    for (let k = 0; k < n; k++) {
      const count = c.counts[k]!;
      if (!count) continue;
      const a = c.min + k * srcWidth;
      const b = a + srcWidth;
      if (srcWidth <= 0) {
        grid[col * bins + Math.min(bins - 1, Math.max(0, Math.floor((a - lo) / width)))]! += count;
        continue;
      }
      const first = Math.max(0, Math.floor((a - lo) / width));
      const last = Math.min(bins - 1, Math.floor((b - lo) / width - 1e-9));
      for (let t = first; t <= last; t++) {
        const overlap = Math.min(b, lo + (t + 1) * width) - Math.max(a, lo + t * width);
        if (overlap > 0) grid[col * bins + t]! += (count * overlap) / srcWidth;
      }
    }
  });
  return { lo, hi, grid };
}

/** A perceptual sequential ramp (dark blue → teal → green → yellow), like viridis in five stops. */
const SEQUENTIAL: Rgb[] = [
  [0x2c, 0x1e, 0x5c],
  [0x2d, 0x5f, 0x9a],
  [0x1f, 0x9e, 0x89],
  [0x6c, 0xce, 0x59],
  [0xfd, 0xe7, 0x25],
];

/** Colour of t in [0, 1] on the sequential ramp; t = 0 fades into `background` so empty bins recede. */
export function heatColor(t: number, background: Rgb): Rgb {
  if (!(t > 0)) return [...background] as Rgb;
  const u = Math.min(1, t) * (SEQUENTIAL.length - 1);
  const i = Math.min(SEQUENTIAL.length - 2, Math.floor(u));
  const w = u - i;
  const c = [0, 1, 2].map((k) => SEQUENTIAL[i]![k]! + (SEQUENTIAL[i + 1]![k]! - SEQUENTIAL[i]![k]!) * w) as Rgb;
  // The faintest counts blend with the background, so the shape of the distribution stands out.
  const a = Math.min(1, 0.25 + t * 3);
  return c.map((v, k) => Math.round(background[k]! + (v - background[k]!) * a)) as Rgb;
}

const NEGATIVE: Rgb = [0xf5, 0x93, 0x1d];
const POSITIVE: Rgb = [0x2f, 0x7f, 0xe0];

/** Diverging colour of s in [-1, 1]: orange for negative, the background at 0, blue for positive. */
export function signedColor(s: number, background: Rgb): Rgb {
  const u = Math.max(-1, Math.min(1, Number.isFinite(s) ? s : 0));
  const to = u < 0 ? NEGATIVE : POSITIVE;
  const w = Math.abs(u);
  return [0, 1, 2].map((k) => Math.round(background[k]! + (to[k]! - background[k]!) * w)) as Rgb;
}

/** 0xRRGGBB of an [r, g, b]. */
export const hex = ([r, g, b]: Rgb): number => (r << 16) | (g << 8) | b;

/** How a layer is doing, in words: `level` is the worst of its findings. */
export interface LayerHealth {
  level: 'ok' | 'warn' | 'bad';
  findings: string[];
}

/**
 * Reads a light frame's layer figures the way a practitioner would: dead
 * units (half or more is bad, a quarter a warning), vanishing (gradient norm
 * under 1e-6) or exploding (over 1e3) gradients, and an update ratio ‖Δw‖/‖w‖
 * far from the usual 1e-3 (under 1e-6: the layer has stopped learning; over
 * 0.1: each step rewrites it). Thresholds are rules of thumb, not laws.
 */
export function layerHealth(s: LayerStats | undefined, frozen = false): LayerHealth {
  if (!s) return { level: 'ok', findings: [] };
  const findings: string[] = [];
  let level: LayerHealth['level'] = 'ok';
  const worse = (l: LayerHealth['level']) => (level = l === 'bad' || level === 'bad' ? 'bad' : l === 'warn' || level === 'warn' ? 'warn' : 'ok');
  if (!Number.isFinite(s.gradNorm) || !Number.isFinite(s.weightStd)) {
    findings.push('non-finite weights or gradients');
    worse('bad');
  }
  if (s.deadFraction >= 0.5) (findings.push(`${Math.round(s.deadFraction * 100)}% dead units`), worse('bad'));
  else if (s.deadFraction >= 0.25) (findings.push(`${Math.round(s.deadFraction * 100)}% dead units`), worse('warn'));
  if (Number.isFinite(s.gradNorm) && s.gradNorm < 1e-6) (findings.push('vanishing gradients'), worse('bad'));
  else if (s.gradNorm > 1e3) (findings.push('exploding gradients'), worse('bad'));
  if (!frozen && Number.isFinite(s.updateRatio)) {
    if (s.updateRatio > 0 && s.updateRatio < 1e-6 && s.gradNorm >= 1e-6) (findings.push('barely learning'), worse('warn'));
    else if (s.updateRatio > 0.1) (findings.push('updates too large'), worse('warn'));
  }
  return { level, findings };
}

/** Compact figure for a health row: 3 significant digits, exponent form when tiny or huge. */
export function figure(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e4 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/** Every unit's maps back on their own scale. */
export function unpackMaps(m: PackedActivationMaps): Float32Array[] {
  return m.units.map((u) => unpackUnit(m, u));
}

/**
 * Mean output of each unit over the plane, scaled to [0, 1] between the
 * layer's quietest and busiest unit by mean |activation| (what makes a node glow).
 */
export function unitIntensity(units: readonly Float32Array[]): number[] {
  const means = units.map((u) => {
    let s = 0;
    for (const v of u) s += Math.abs(v);
    return u.length ? s / u.length : 0;
  });
  const max = Math.max(1e-9, ...means);
  return means.map((m) => m / max);
}

/** Pearson correlation of two maps (0 when either is flat: a dead unit follows nothing). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) (ma += a[i]!), (mb += b[i]!);
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa < 1e-12 || sbb < 1e-12 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** The input features over the same coarse grid as the activation maps (row by row from the top). */
export function inputMaps(features: readonly string[], resolution: number, extent: number): Float32Array[] {
  const pts = new Float32Array(resolution * resolution * 2);
  for (let r = 0; r < resolution; r++) {
    for (let c = 0; c < resolution; c++) {
      const i = r * resolution + c;
      pts[2 * i] = -extent + (2 * extent * c) / Math.max(1, resolution - 1);
      pts[2 * i + 1] = extent - (2 * extent * r) / Math.max(1, resolution - 1);
    }
  }
  const rows = expandFeatures(pts, features as InputFeature[]);
  const f = features.length;
  return features.map((_, j) => {
    const out = new Float32Array(resolution * resolution);
    for (let i = 0; i < out.length; i++) out[i] = rows[i * f + j]!;
    return out;
  });
}

/** A square grid sampled down (nearest) to `to`×`to`, both spanning the same extent. */
export function resampleGrid(values: ArrayLike<number>, from: number, to: number): Float32Array {
  const out = new Float32Array(to * to);
  const pick = (k: number) => Math.round((k * (from - 1)) / Math.max(1, to - 1));
  for (let r = 0; r < to; r++) for (let c = 0; c < to; c++) out[r * to + c] = values[pick(r) * from + pick(c)]!;
  return out;
}

/** An edge of the graph: from unit `from` of layer `layer` to unit `to` of layer `layer + 1`; `w` in [-1, 1]. */
export interface GraphEdge {
  layer: number;
  from: number;
  to: number;
  w: number;
}

/**
 * Edges between consecutive layers from their maps over the plane: how
 * strongly a unit follows each unit before it (their correlation, signed).
 * `maps[l]` holds layer l's unit maps (inputs first, outputs last); a layer
 * without maps has no edges in or out. Keeps the `cap` strongest, strongest first.
 */
export function strongestEdges(maps: ReadonlyArray<readonly Float32Array[] | undefined>, cap = 400): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (let l = 0; l + 1 < maps.length; l++) {
    const a = maps[l];
    const b = maps[l + 1];
    if (!a || !b) continue;
    for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) edges.push({ layer: l, from: i, to: j, w: correlation(a[i]!, b[j]!) });
  }
  return edges
    .filter((e) => Math.abs(e.w) > 0.05)
    .sort((x, y) => Math.abs(y.w) - Math.abs(x.w))
    .slice(0, cap);
}

/** A node's place in the 3D graph. */
export interface GraphNode {
  layer: number;
  unit: number;
  x: number;
  y: number;
  z: number;
}

/**
 * Nodes of a network laid out layer by layer along x (`spacing` apart,
 * centred on 0), each layer's units on a centred grid in the y–z plane about
 * `gap` apart: a column when few, a near-square block when many. At most
 * `maxUnits` per layer (the rest are not drawn).
 */
export function graphLayout(widths: readonly number[], spacing = 4, gap = 0.9, maxUnits = 64): GraphNode[] {
  const nodes: GraphNode[] = [];
  const x0 = -((widths.length - 1) * spacing) / 2;
  widths.forEach((w, layer) => {
    const n = Math.min(w, maxUnits);
    const cols = n <= 20 ? 1 : Math.ceil(Math.sqrt(n));
    const rows = Math.ceil(n / cols);
    for (let unit = 0; unit < n; unit++) {
      const row = unit % rows;
      const col = Math.floor(unit / rows);
      const inCol = Math.min(rows, n - col * rows); // a short last column is centred too
      nodes.push({ layer, unit, x: x0 + layer * spacing, y: ((inCol - 1) / 2 - row) * gap, z: (col - (cols - 1) / 2) * gap });
    }
  });
  return nodes;
}
