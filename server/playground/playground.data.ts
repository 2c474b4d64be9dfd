import { planarPoints } from '../../shared/datasets/planar.ts';
import type { PlaygroundPointsMessage } from '../../shared/playground.messages.ts';
import { createRng, deriveSeed, permutation } from '../../shared/random.ts';
import { isPlanar, type TaskSpec } from '../../shared/task.schema.ts';

/** Most points a page is sent to draw under the boundary. */
const MAX_POINTS = 600;

/**
 * The task's points as the engine draws them (same seed, same derivation as
 * workers/engine/task-data.ts), thinned to what a page needs to draw. MNIST
 * has no plane to draw on: no points.
 */
export function pointsToDraw(task: TaskSpec, seed: number): PlaygroundPointsMessage {
  if (!isPlanar(task.name) || task.name === 'mnist') return { x: [], y: [] };
  const all = planarPoints(task.name, task.samples, task.noise, createRng(deriveSeed(seed, `data:${task.name}`)));
  // A shuffled subset: generators alternate classes, so every k-th point could all be one class.
  const order = permutation(all.y.length, createRng(deriveSeed(seed, 'points-to-draw')));
  const x: number[] = [];
  const y: number[] = [];
  for (const i of order.subarray(0, MAX_POINTS)) {
    x.push(Math.round(all.x[2 * i]! * 1000) / 1000, Math.round(all.x[2 * i + 1]! * 1000) / 1000);
    y.push(Math.round(all.y[i]! * 1000) / 1000);
  }
  return { x, y };
}
