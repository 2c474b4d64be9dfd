import { describe, expect, it } from 'vitest';
import { packActivationMaps } from '../../shared/playground.messages.ts';
import { correlation, graphLayout, heatColor, inputMaps, layerHealth, rebinHistory, resampleGrid, signedColor, strongestEdges, unitIntensity, unpackMaps } from './insight.summary.ts';

const healthy = { gradNorm: 0.05, weightMean: 0, weightStd: 0.3, updateRatio: 1e-3, deadFraction: 0 };

describe('rebinHistory', () => {
  it('puts every column on the widest range and keeps each column’s total', () => {
    const { lo, hi, grid } = rebinHistory(
      [
        { min: 0, max: 1, counts: [4, 6] },
        { min: -1, max: 1, counts: [10, 0] },
      ],
      4,
    );
    expect([lo, hi]).toEqual([-1, 1]);
    // Column 0: [0, 0.5) → bin 2, [0.5, 1) → bin 3.
    expect(Array.from(grid.slice(0, 4))).toEqual([0, 0, 4, 6]);
    // Column 1: [-1, 0) spreads over bins 0 and 1.
    expect(Array.from(grid.slice(4, 8))).toEqual([5, 5, 0, 0]);
  });

  it('survives a flat histogram and an empty history', () => {
    const { lo, hi, grid } = rebinHistory([{ min: 0.2, max: 0.2, counts: [7, 0] }], 5);
    expect(hi).toBeGreaterThan(lo);
    expect(grid.reduce((a, b) => a + b, 0)).toBe(7);
    expect(rebinHistory([], 5).grid.length).toBe(0);
  });
});

describe('colours', () => {
  const bg: [number, number, number] = [255, 255, 255];
  it('heatColor leaves empty bins as the background and darkens with counts', () => {
    expect(heatColor(0, bg)).toEqual(bg);
    expect(heatColor(1, bg)).toEqual([0xfd, 0xe7, 0x25]);
    expect(heatColor(0.5, bg)).not.toEqual(bg);
  });
  it('signedColor is the background at zero and differs by sign', () => {
    expect(signedColor(0, bg)).toEqual(bg);
    expect(signedColor(-1, bg)).not.toEqual(signedColor(1, bg));
    expect(signedColor(Number.NaN, bg)).toEqual(bg);
  });
});

describe('layerHealth', () => {
  it('says nothing about a healthy layer', () => {
    expect(layerHealth(healthy)).toEqual({ level: 'ok', findings: [] });
    expect(layerHealth(undefined).level).toBe('ok');
  });
  it('names dead units, vanishing and exploding gradients in words', () => {
    expect(layerHealth({ ...healthy, deadFraction: 0.6 })).toEqual({ level: 'bad', findings: ['60% dead units'] });
    expect(layerHealth({ ...healthy, deadFraction: 0.3 }).level).toBe('warn');
    expect(layerHealth({ ...healthy, gradNorm: 1e-8, updateRatio: 1e-9 }).findings).toEqual(['vanishing gradients']);
    expect(layerHealth({ ...healthy, gradNorm: 5e3 }).findings).toContain('exploding gradients');
    expect(layerHealth({ ...healthy, updateRatio: 0.5 })).toEqual({ level: 'warn', findings: ['updates too large'] });
    expect(layerHealth({ ...healthy, gradNorm: Number.NaN }).level).toBe('bad');
  });
  it('does not call a frozen layer idle', () => {
    expect(layerHealth({ ...healthy, updateRatio: 1e-9 }).findings).toEqual(['barely learning']);
    expect(layerHealth({ ...healthy, updateRatio: 1e-9 }, true).findings).toEqual([]);
  });
});

describe('maps and edges', () => {
  it('unpacks packed activation maps close to the originals and measures each unit', () => {
    const packed = packActivationMaps([{ layer: 0, resolution: 2, units: [[0, 1, 2, 3], [0, 0, 0, 0]] }], 1.2);
    const units = unpackMaps(packed[0]!);
    expect(units[0]![3]).toBeCloseTo(3, 1);
    expect(unitIntensity(units)).toEqual([1, 0]);
  });

  it('correlation is ±1 for (anti)parallel maps and 0 for a flat one', () => {
    expect(correlation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1);
    expect(correlation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
    expect(correlation([1, 2, 3], [5, 5, 5])).toBe(0);
  });

  it('inputMaps lays x1 left to right and x2 top to bottom', () => {
    const [x1, x2] = inputMaps(['x1', 'x2'], 3, 1);
    expect(Array.from(x1!.slice(0, 3))).toEqual([-1, 0, 1]);
    expect([x2![0], x2![6]]).toEqual([1, -1]);
  });

  it('resampleGrid keeps the corners', () => {
    const g = resampleGrid(Float32Array.from({ length: 25 }, (_, i) => i), 5, 3);
    expect(Array.from(g)).toEqual([0, 2, 4, 10, 12, 14, 20, 22, 24]);
  });

  it('strongestEdges keeps the strongest, signed, and skips layers without maps', () => {
    const a = [Float32Array.of(1, 2, 3, 4), Float32Array.of(1, -1, 1, -1)];
    const b = [Float32Array.of(4, 3, 2, 1), Float32Array.of(2, 4, 6, 8.5)];
    const edges = strongestEdges([a, b, undefined], 2);
    expect(edges).toHaveLength(2);
    expect(Math.abs(edges[0]!.w)).toBeGreaterThanOrEqual(Math.abs(edges[1]!.w));
    expect(edges.some((e) => e.w < 0)).toBe(true);
    expect(edges.every((e) => e.layer === 0)).toBe(true);
  });
});

describe('graphLayout', () => {
  it('places one node per unit, layers along x, each layer centred', () => {
    const nodes = graphLayout([2, 24, 2], 4);
    expect(nodes).toHaveLength(28);
    expect(new Set(nodes.map((n) => n.x))).toEqual(new Set([-4, 0, 4]));
    const hidden = nodes.filter((n) => n.layer === 1);
    expect(hidden.reduce((s, n) => s + n.y, 0)).toBeCloseTo(0);
    expect(new Set(hidden.map((n) => `${n.y},${n.z}`)).size).toBe(24);
  });
  it('caps the units drawn per layer', () => {
    expect(graphLayout([784, 10], 4, 0.9, 32).filter((n) => n.layer === 0)).toHaveLength(32);
  });
});
