import type { Rng } from '../random.ts';
import type { TaskName } from '../../shared/task.schema.ts';

/** Points in the plane with a class (as a number) or a regression target. */
export interface PlanarPoints {
  /** Row-major (x1, x2) pairs. */
  x: Float32Array;
  /** Class index or target, one per point. */
  y: Float32Array;
}

type Generator = (i: number, count: number, rng: Rng) => [number, number, number];

const uniform = (rng: Rng) => rng.next() * 2 - 1;

/** Two spirals, one per class, each turning 1.75 times around the origin. */
const spiral: Generator = (i, count) => {
  const label = i % 2;
  const k = Math.floor(i / 2) / Math.ceil(count / 2);
  const r = k * 0.95 + 0.05;
  const t = 1.75 * k * 2 * Math.PI + label * Math.PI;
  return [r * Math.sin(t), r * Math.cos(t), label];
};

/** A disc (class 0) inside a ring (class 1). */
const circles: Generator = (i, _n, rng) => {
  const label = i % 2;
  const r = label === 0 ? rng.next() * 0.5 : 0.7 + rng.next() * 0.3;
  const t = rng.next() * 2 * Math.PI;
  return [r * Math.cos(t), r * Math.sin(t), label];
};

/** Quadrants: class by the sign of x1·x2, kept a little away from the axes. */
const xor: Generator = (_i, _n, rng) => {
  const pad = (v: number) => v + (v >= 0 ? 0.05 : -0.05);
  const x1 = pad(uniform(rng) * 0.95);
  const x2 = pad(uniform(rng) * 0.95);
  return [x1, x2, x1 * x2 >= 0 ? 0 : 1];
};

/** Two Gaussian clusters. */
const gaussians: Generator = (i, _n, rng) => {
  const label = i % 2;
  const c = label === 0 ? -0.45 : 0.45;
  return [c + rng.normal() * 0.22, c + rng.normal() * 0.22, label];
};

/** Two interleaving half circles. */
const moons: Generator = (i, _n, rng) => {
  const label = i % 2;
  const t = rng.next() * Math.PI;
  const [x, y] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
  return [(x - 0.5) * 0.66, (y - 0.25) * 0.66 * 1.4, label];
};

/** A 4×4 checkerboard. */
const checkerboard: Generator = (_i, _n, rng) => {
  const x1 = uniform(rng);
  const x2 = uniform(rng);
  const cell = Math.min(3, Math.floor((x1 + 1) * 2)) + Math.min(3, Math.floor((x2 + 1) * 2));
  return [x1, x2, cell % 2];
};

/** Regression: a tilted plane. */
const plane: Generator = (_i, _n, rng) => {
  const x1 = uniform(rng);
  const x2 = uniform(rng);
  return [x1, x2, (x1 + x2) / 2];
};

/** Regression: a landscape of Gaussian bumps and a dip. */
const bumps: Generator = (_i, _n, rng) => {
  const x1 = uniform(rng);
  const x2 = uniform(rng);
  const g = (cx: number, cy: number, w: number) => Math.exp(-((x1 - cx) ** 2 + (x2 - cy) ** 2) / w);
  return [x1, x2, g(0.4, 0.4, 0.1) - g(-0.4, -0.3, 0.1) + 0.5 * g(0.5, -0.5, 0.05)];
};

const GENERATORS: Record<Exclude<TaskName, 'mnist'>, Generator> = { spiral, circles, xor, gaussians, moons, checkerboard, plane, bumps };

/**
 * `count` points of a planar task. `noise` is the standard deviation of the
 * jitter added to each coordinate (and to regression targets), in tenths of the unit square.
 */
export function planarPoints(name: Exclude<TaskName, 'mnist'>, count: number, noise: number, rng: Rng): PlanarPoints {
  const gen = GENERATORS[name];
  const x = new Float32Array(count * 2);
  const y = new Float32Array(count);
  const regression = name === 'plane' || name === 'bumps';
  for (let i = 0; i < count; i++) {
    const [a, b, label] = gen(i, count, rng);
    x[2 * i] = a + rng.normal() * noise * 0.1;
    x[2 * i + 1] = b + rng.normal() * noise * 0.1;
    y[i] = regression ? label + rng.normal() * noise * 0.1 : label;
  }
  return { x, y };
}
