import { z } from 'zod';

/** 2D classification tasks (two classes, points in [-1, 1]²). */
export const CLASSIFICATION_2D = ['spiral', 'circles', 'xor', 'gaussians', 'moons', 'checkerboard'] as const;
/** 2D regression tasks (one target per point). */
export const REGRESSION_2D = ['plane', 'bumps'] as const;

/** Tasks a run can be trained on. */
export const TaskName = z.enum([...CLASSIFICATION_2D, ...REGRESSION_2D, 'mnist']);
export type TaskName = z.infer<typeof TaskName>;

/** Digits the `mnist` package ships. */
export const MNIST_DIGITS = 10_000;

/**
 * A learning task: which dataset, how many points, how noisy, and how the
 * points are split into training, validation and held-out sets. The held-out
 * share is what races are ranked on; it never leaves the server.
 */
export const TaskSpec = z
  .object({
    name: TaskName.default('spiral'),
    samples: z.number().int().min(60, 'samples must be at least 60').max(100_000, 'samples must be at most 100000').default(1000),
    noise: z.number().min(0, 'noise must be at least 0').max(1, 'noise must be at most 1').default(0.1),
    valFraction: z.number().gt(0).lt(0.5).default(0.2),
    heldOutFraction: z.number().gt(0).lt(0.5).default(0.2),
    /** Difficulty ramp: extra input noise (standard deviation) reached at the end of the budget, rising linearly from 0. */
    ramp: z.number().min(0, 'ramp must be at least 0').max(1, 'ramp must be at most 1').default(0),
  })
  .refine((t) => t.name !== 'mnist' || t.samples <= MNIST_DIGITS, { message: `mnist has ${MNIST_DIGITS} digits: samples must be at most ${MNIST_DIGITS}`, path: ['samples'] });
export type TaskSpec = z.infer<typeof TaskSpec>;
export type TaskSpecInput = z.input<typeof TaskSpec>;

/** Whether a task's outputs are classes or a number. */
export function taskKind(name: TaskName): 'classification' | 'regression' {
  return (REGRESSION_2D as readonly string[]).includes(name) ? 'regression' : 'classification';
}

/** Whether a task's raw inputs are points in the plane (and take input features). */
export function isPlanar(name: TaskName): boolean {
  return name !== 'mnist';
}

/** Raw input width, and classes (1 output for regression). */
export function taskShape(name: TaskName): { rawDim: number; outputs: number } {
  if (name === 'mnist') return { rawDim: 784, outputs: 10 };
  return { rawDim: 2, outputs: taskKind(name) === 'regression' ? 1 : 2 };
}
