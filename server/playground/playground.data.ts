import { planarTaskSplit } from '../../contract/datasets/task-split.ts';
import type { PlaygroundPointsMessage } from '../../shared/playground.messages.ts';
import { isPlanar, type TaskSpec } from '../../shared/task.schema.ts';

/** Most points a page is sent to draw under the boundary. */
const MAX_POINTS = 600;

/**
 * The task's training points as the engine splits them (same seed, same
 * derivation: contract/datasets/task-split.ts), thinned to what a page needs to
 * draw. Never a validation or held-out point: the held-out split ranks runs and
 * never leaves the server. MNIST has no plane to draw on: no points.
 */
export function pointsToDraw(task: TaskSpec, seed: number): PlaygroundPointsMessage {
  if (!isPlanar(task.name) || task.name === 'mnist') return { x: [], y: [] };
  const { points, split } = planarTaskSplit(task, seed);
  // The training indices are already shuffled: a prefix is a fair sample of both classes
  // (generators alternate classes, so every k-th point could all be one class).
  const x: number[] = [];
  const y: number[] = [];
  for (const i of split.train.subarray(0, MAX_POINTS)) {
    x.push(Math.round(points.x[2 * i]! * 1000) / 1000, Math.round(points.x[2 * i + 1]! * 1000) / 1000);
    y.push(Math.round(points.y[i]! * 1000) / 1000);
  }
  return { x, y };
}
