/**
 * What an exported model expects and what it answers, in a block a plain tf.js user can follow:
 * `model.getUserDefinedMetadata().preprocessing` (it travels in model.json's `userDefinedMetadata`).
 * Written by `arena train --export` and by `GET /api/runs/:id/model.json`.
 */
import { z } from 'zod';
import { FEATURE_FORMULAS } from '../shared/features.ts';
import type { ModelSpec } from '../shared/model-spec.schema.ts';
import { isPlanar, taskKind, taskShape, type TaskSpec } from '../shared/task.schema.ts';

/** Version of the block's layout; a reader that does not know a version should not guess. */
export const PREPROCESSING_VERSION = 1;

const PlanarInput = z.object({
  kind: z.literal('point'),
  /** The raw input: a point (x1, x2). */
  raw: z.array(z.string()).length(2),
  /** Where the task's points lie: x1 in range[0], x2 in range[1]. */
  range: z.array(z.tuple([z.number(), z.number()])).length(2),
  /** The model's inputs, in order: one column per feature, computed from the point. */
  features: z.array(z.object({ name: z.string(), formula: z.string(), expression: z.string() })).min(1),
  description: z.string(),
});

const PixelInput = z.object({
  kind: z.literal('pixels'),
  /** Image height and width; the model reads the pixels row by row from the top left (height × width inputs). */
  shape: z.tuple([z.number().int(), z.number().int()]),
  range: z.tuple([z.number(), z.number()]),
  description: z.string(),
});

/** The `preprocessing` block of an exported model. */
export const ModelPreprocessing = z.object({
  version: z.literal(PREPROCESSING_VERSION),
  task: z.string(),
  input: z.discriminatedUnion('kind', [PlanarInput, PixelInput]),
  output: z.object({
    /** `logits` (classification: apply softmax for probabilities, argmax for the class) or `value` (regression). */
    kind: z.enum(['logits', 'value']),
    units: z.number().int().min(1),
    /** Classification: the class each output unit stands for, in order. */
    classes: z.array(z.string()).optional(),
    description: z.string(),
  }),
});
export type ModelPreprocessing = z.infer<typeof ModelPreprocessing>;

/** The preprocessing block for a model trained with `spec` on `task`. */
export function preprocessingOf(spec: Pick<ModelSpec, 'features'>, task: Pick<TaskSpec, 'name'>): ModelPreprocessing {
  const { outputs } = taskShape(task.name);
  const input: ModelPreprocessing['input'] = isPlanar(task.name)
    ? {
        kind: 'point',
        raw: ['x1', 'x2'],
        range: [
          [-1, 1],
          [-1, 1],
        ],
        features: spec.features.map((name) => ({ name, ...FEATURE_FORMULAS[name] })),
        description:
          'A point (x1, x2) of the plane; the task draws its points in [-1, 1]² (noise puts a few just outside). ' +
          'Feed the model one row per point: each feature of `features`, in order, computed from the point ' +
          '(`formula` in words, `expression` in JavaScript; sin takes radians, so sin(π·x1) is Math.sin(Math.PI * x1)).',
      }
    : {
        kind: 'pixels',
        shape: [28, 28],
        range: [0, 1],
        description: 'A 28×28 grey digit as 784 numbers, row by row from the top left: 0 is the background, 1 full ink (a byte image divided by 255).',
      };
  const output: ModelPreprocessing['output'] =
    taskKind(task.name) === 'regression'
      ? { kind: 'value', units: 1, description: 'The predicted target value itself (no activation on the output).' }
      : {
          kind: 'logits',
          units: outputs,
          classes: Array.from({ length: outputs }, (_, i) => String(i)),
          description: 'Logits, one per class: tf.softmax gives the probabilities, tf.argMax the predicted class. No softmax is applied inside the model.',
        };
  return { version: PREPROCESSING_VERSION, task: task.name, input, output };
}
