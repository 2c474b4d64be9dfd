import { z } from 'zod';

/** Tasks a race can be run on. */
export const TaskName = z.enum(['spiral']);
export type TaskName = z.infer<typeof TaskName>;

/**
 * A learning task: which dataset, how many points, how noisy, and how the
 * points are split into training, validation and held-out sets. The held-out
 * share is what races are ranked on; it never leaves the server.
 */
export const TaskSpec = z.object({
  name: TaskName.default('spiral'),
  samples: z.number().int().min(60, 'samples must be at least 60').max(100_000, 'samples must be at most 100000').default(1000),
  noise: z.number().min(0, 'noise must be at least 0').max(1, 'noise must be at most 1').default(0.1),
  valFraction: z.number().gt(0).lt(0.5).default(0.2),
  heldOutFraction: z.number().gt(0).lt(0.5).default(0.2),
});
export type TaskSpec = z.infer<typeof TaskSpec>;
export type TaskSpecInput = z.input<typeof TaskSpec>;

/** Input features and output classes of a task's network. */
export function taskDims(task: TaskSpec): { inputDim: number; classes: number } {
  switch (task.name) {
    case 'spiral':
      return { inputDim: 2, classes: 2 };
  }
}
