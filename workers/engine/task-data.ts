import { drawPlanarPoints, splitTaskIndices, taskPointsSeed } from '../../contract/datasets/task-split.ts';
import { createRng, permutation } from '../../contract/random.ts';
import { taskShape, type TaskSpec } from '../../shared/task.schema.ts';
import { loadMnist } from './mnist.ts';

/** Raw inputs (row-major, `dim` columns) and one label or target per point. */
export interface RawPoints {
  x: Float32Array;
  y: Float32Array;
  count: number;
  dim: number;
}

/** A task's points split three ways. `heldOut` is for ranking only. */
export interface TaskData {
  train: RawPoints;
  val: RawPoints;
  heldOut: RawPoints;
}

/** The rows of `all` at `idx`. */
export function subset(all: RawPoints, idx: ArrayLike<number>): RawPoints {
  const d = all.dim;
  const x = new Float32Array(idx.length * d);
  const y = new Float32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i]!;
    x.set(all.x.subarray(src * d, src * d + d), i * d);
    y[i] = all.y[src]!;
  }
  return { x, y, count: idx.length, dim: d };
}

/** Points drawn from a task's distribution with their own seed, e.g. to add training samples mid-run. */
export function drawPoints(task: TaskSpec, count: number, seed: number): RawPoints {
  if (task.name === 'mnist') {
    const all = loadMnist();
    const order = permutation(all.count, createRng(seed));
    return subset({ ...all, dim: 784 }, order.subarray(0, Math.min(count, all.count)));
  }
  const p = drawPlanarPoints(task, count, seed);
  return { x: p.x, y: p.y, count, dim: 2 };
}

/**
 * Generates a task's dataset from a seed and splits it
 * (contract/datasets/task-split.ts, which the server also uses to pick the
 * points a page may draw). The same task and seed give the same points and
 * the same split everywhere.
 */
export function generateTaskData(task: TaskSpec, seed: number): TaskData {
  const all = drawPoints(task, task.samples, taskPointsSeed(task.name, seed));
  if (all.dim !== taskShape(task.name).rawDim) throw new Error(`task ${task.name} produced ${all.dim} columns`);
  const split = splitTaskIndices(task, all.count, seed);
  return { train: subset(all, split.train), val: subset(all, split.val), heldOut: subset(all, split.heldOut) };
}
