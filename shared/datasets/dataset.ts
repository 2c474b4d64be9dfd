import { createRng, deriveSeed, permutation } from '../random.ts';
import type { TaskSpec } from '../task.schema.ts';
import { spiral } from './spiral.ts';

/** Points with integer class labels, stored row-major. */
export interface LabelledPoints {
  x: Float32Array;
  y: Int32Array;
  count: number;
  inputDim: number;
  classes: number;
}

/** A task's points split three ways. `heldOut` is for ranking only. */
export interface TaskData {
  train: LabelledPoints;
  val: LabelledPoints;
  heldOut: LabelledPoints;
}

function subset(all: LabelledPoints, idx: Uint32Array): LabelledPoints {
  const d = all.inputDim;
  const x = new Float32Array(idx.length * d);
  const y = new Int32Array(idx.length);
  idx.forEach((src, i) => {
    for (let j = 0; j < d; j++) x[i * d + j] = all.x[src * d + j]!;
    y[i] = all.y[src]!;
  });
  return { x, y, count: idx.length, inputDim: d, classes: all.classes };
}

/**
 * Generates a task's dataset from a seed and splits it. The same task and
 * seed give the same points and the same split everywhere.
 */
export function generateTaskData(task: TaskSpec, seed: number): TaskData {
  const rng = createRng(deriveSeed(seed, `data:${task.name}`));
  const all = generate(task, rng);
  const order = permutation(all.count, createRng(deriveSeed(seed, 'split')));
  const nVal = Math.round(all.count * task.valFraction);
  const nHeld = Math.round(all.count * task.heldOutFraction);
  const nTrain = all.count - nVal - nHeld;
  return {
    train: subset(all, order.subarray(0, nTrain)),
    val: subset(all, order.subarray(nTrain, nTrain + nVal)),
    heldOut: subset(all, order.subarray(nTrain + nVal)),
  };
}

function generate(task: TaskSpec, rng: ReturnType<typeof createRng>): LabelledPoints {
  switch (task.name) {
    case 'spiral':
      return spiral(task.samples, task.noise, rng);
  }
}
