import { createRng, deriveSeed, permutation } from '../random.ts';
import type { TaskName, TaskSpec } from '../../shared/task.schema.ts';
import { planarPoints, type PlanarPoints } from './planar.ts';

/**
 * How a task's points are drawn and split into training, validation and
 * held-out sets, in one place: the engine trains and ranks on this split and
 * the server picks what a page may draw from it, so the two cannot drift.
 */

/** The seed a task's points are drawn with, derived from a run's seed. */
export function taskPointsSeed(name: TaskName, seed: number): number {
  return deriveSeed(seed, `data:${name}`);
}

/** `count` points of a planar task drawn with `pointsSeed` (MNIST has no plane: it throws). */
export function drawPlanarPoints(task: Pick<TaskSpec, 'name' | 'noise'>, count: number, pointsSeed: number): PlanarPoints {
  if (task.name === 'mnist') throw new Error('mnist has no planar points');
  return planarPoints(task.name, count, task.noise, createRng(pointsSeed));
}

/** Indices into a task's points as drawn, in split order (each set already shuffled). */
export interface TaskSplitIndices {
  train: Uint32Array;
  val: Uint32Array;
  heldOut: Uint32Array;
}

/**
 * Which of a task's `count` points are training, validation and held-out for
 * a run on `seed`: `valFraction` and `heldOutFraction` of them (rounded), the
 * rest for training. The held-out set ranks races and never leaves the server.
 */
export function splitTaskIndices(task: Pick<TaskSpec, 'valFraction' | 'heldOutFraction'>, count: number, seed: number): TaskSplitIndices {
  const order = permutation(count, createRng(deriveSeed(seed, 'split')));
  const nVal = Math.round(count * task.valFraction);
  const nHeld = Math.round(count * task.heldOutFraction);
  const nTrain = count - nVal - nHeld;
  return { train: order.subarray(0, nTrain), val: order.subarray(nTrain, nTrain + nVal), heldOut: order.subarray(nTrain + nVal) };
}

/** How many training points a task starts with (what `splitTaskIndices` leaves for training). */
export function trainCount(task: Pick<TaskSpec, 'samples' | 'valFraction' | 'heldOutFraction'>): number {
  return task.samples - Math.round(task.samples * task.valFraction) - Math.round(task.samples * task.heldOutFraction);
}

/** A planar task's points for a run on `seed`, with the split the engine uses. */
export function planarTaskSplit(task: TaskSpec, seed: number): { points: PlanarPoints; split: TaskSplitIndices } {
  return { points: drawPlanarPoints(task, task.samples, taskPointsSeed(task.name, seed)), split: splitTaskIndices(task, task.samples, seed) };
}
