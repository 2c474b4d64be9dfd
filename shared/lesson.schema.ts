import { z } from 'zod';
import { ModelSpec } from './model-spec.schema.ts';
import { TaskSpec } from './task.schema.ts';

/**
 * What a lesson's run must show in its own log, beyond its held-out score:
 * - `vanishThenRecover`: the engine saw gradients vanish, then reach the first layer again;
 * - `overfitThenFix`: the engine saw the run overfit, and afterwards the player applied a fix
 *   (augmentation on, more samples, a layer removed, noise on the inputs, or a rewind);
 * - `rewind`: the player rewound the run to a checkpoint;
 * - `shock`: the lesson's noise shock into the weights took effect.
 */
export const LessonNeed = z.enum(['vanishThenRecover', 'overfitThenFix', 'rewind', 'shock']);
export type LessonNeed = z.infer<typeof LessonNeed>;

/**
 * How a lesson ranks the runs that pass it, beyond passing:
 * - `fewestSamples`: the training samples the run spent (a run stopped as soon as it is good enough spends fewer); lower is better.
 */
export const LessonScore = z.enum(['fewestSamples']);
export type LessonScore = z.infer<typeof LessonScore>;

/** One challenge of the learning path: a short lesson, its setup, and the rule its run is judged by on the server. */
export const Lesson = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'id must be a short kebab-case name'),
  title: z.string().min(1).max(60),
  /** The lesson in a few sentences: what to see and why it happens. */
  lesson: z.string().min(1).max(600),
  /** What to do, in one sentence (shown as the playground's challenge). */
  task: z.string().min(1).max(200),
  /** A hint towards a solution. */
  hint: z.string().min(1).max(300),
  setup: z.object({
    task: TaskSpec,
    /** Training samples the run may spend. */
    budget: z.number().int().min(1_000).max(5_000_000),
    /** Seed of the data and the initial weights: every player meets the same run. */
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    /** The network the playground opens with. */
    spec: ModelSpec,
    /** The network may not be changed before the start: the lesson is about steering this one. */
    locked: z.boolean().default(false),
    /** Noise (relative to each layer's weight spread) injected into the weights when half the budget is spent. */
    shock: z.number().min(0.05).max(1).optional(),
  }),
  rule: z.object({
    /** Held-out accuracy the run must reach (the split the player never sees). */
    accuracy: z.number().min(0.5).max(0.999),
    /** Most trainable parameters the network may have (the room refuses bigger specs). */
    maxParameters: z.number().int().min(3).optional(),
    /** Most floating-point operations the whole run may spend training. */
    maxTrainingFlops: z.number().int().min(1).optional(),
    needs: z.array(LessonNeed).default([]),
  }),
  /** How passing runs are ranked (the player's best is kept, and the lesson has a board); none: passing is all. */
  score: LessonScore.optional(),
  /** XP paid the first time the lesson is passed. */
  xp: z.number().int().min(1).max(500),
});
export type Lesson = z.infer<typeof Lesson>;
export type LessonInput = z.input<typeof Lesson>;

const deepSigmoid = Array.from({ length: 6 }, () => ({ units: 8, activation: 'sigmoid' as const }));

/** The learning path, in order: each lesson unlocks the next. */
export const LESSONS: readonly Lesson[] = (
  [
    {
      id: 'first-fit',
      title: 'First fit',
      lesson: 'A network with no hidden nonlinearity can only draw a straight line between the classes. Circles need a curved boundary: one hidden layer of a few tanh or relu units bends it.',
      task: 'reach 90% on the held-out split of circles within 20,000 samples',
      hint: 'One hidden layer of 8 tanh units with Adam at 0.03 is plenty.',
      setup: { task: { name: 'circles' }, budget: 20_000, seed: 7, spec: { layers: [{ units: 2, activation: 'linear' }], optimizer: 'adam', learningRate: 0.03, batchSize: 16 } },
      rule: { accuracy: 0.9 },
      xp: 30,
    },
    {
      id: 'features',
      title: 'Let the features work',
      lesson: 'The right input features make a hard problem easy. A circle is a straight line in x1² and x2²: with those features a single linear unit separates the classes.',
      task: 'reach 95% on circles with a network of at most 10 parameters',
      hint: 'Inputs x1² and x2², one linear hidden unit.',
      setup: { task: { name: 'circles' }, budget: 20_000, seed: 7, spec: { layers: [{ units: 1, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.05, batchSize: 16 } },
      rule: { accuracy: 0.95, maxParameters: 10 },
      xp: 30,
    },
    {
      id: 'speed-run',
      title: 'Speed run',
      lesson: 'Samples are the price of learning. A good feature, a larger step and small batches (more updates for the same samples) reach the target far sooner. Stop the run as soon as it is good enough: every sample after that counts against you.',
      task: 'reach 90% on xor in the fewest training samples you can (the budget is at most 1,000): your best and the board count the samples a passing run spent',
      hint: 'Add the x1·x2 feature, use Adam at 0.05 with batches of 8, and press Stop once validation is high.',
      setup: { task: { name: 'xor' }, budget: 1_000, seed: 7, spec: { layers: [{ units: 8, activation: 'relu' }], optimizer: 'adam', learningRate: 0.003, batchSize: 32 } },
      rule: { accuracy: 0.9 },
      score: 'fewestSamples',
      xp: 40,
    },
    {
      id: 'flop-budget',
      title: 'On a FLOP budget',
      lesson: 'Every multiply-add costs. The designer shows the FLOPs a sample costs to train; a run spends that for every sample. A small network, or a run stopped as soon as it is good enough, spends little.',
      task: 'reach 85% on moons spending at most 1,500,000 training FLOPs',
      hint: 'A 2-4-2 tanh network costs 132 FLOPs a sample to train; the 16-16 default costs 2,124.',
      setup: { task: { name: 'moons' }, budget: 10_000, seed: 7, spec: { layers: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 } },
      rule: { accuracy: 0.85, maxTrainingFlops: 1_500_000 },
      xp: 40,
    },
    {
      id: 'vanishing',
      title: 'Vanishing gradients',
      lesson: 'Sigmoid squashes its slope to at most 0.25; six of them in a row shrink the gradient a thousandfold before it reaches the first layer, which then hardly learns. Watch the log report it, then switch the layers to an activation that keeps its slope while the run goes on.',
      task: 'see the gradients vanish in this deep sigmoid network, bring them back, and reach 90% on circles',
      hint: 'Once the log says the gradient vanished, set every hidden layer’s activation to tanh (or leaky relu: plain relu units may die at this learning rate).',
      setup: { task: { name: 'circles' }, budget: 30_000, seed: 7, spec: { layers: deepSigmoid, optimizer: 'sgd', learningRate: 0.1, batchSize: 16 }, locked: true },
      rule: { accuracy: 0.9, needs: ['vanishThenRecover'] },
      xp: 50,
    },
    {
      id: 'overfitting',
      title: 'Overfitting',
      lesson: 'A big network on 150 noisy points memorises them: training loss keeps falling while validation loss turns up. More data, augmentation, noise on the inputs or a smaller network make it generalise again.',
      task: 'let this big network overfit a small noisy spiral, then fix it and reach 90% on the held-out split',
      hint: 'When the log says the run overfits, add 2,000 samples.',
      setup: { task: { name: 'spiral', samples: 150, noise: 0.3 }, budget: 40_000, seed: 7, spec: { layers: [{ units: 64, activation: 'relu' }, { units: 64, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 } },
      rule: { accuracy: 0.9, needs: ['overfitThenFix'] },
      xp: 50,
    },
    {
      id: 'rescue',
      title: 'Rescue a runaway run',
      lesson: 'Momentum at a learning rate of 3 throws the weights far out: the tanh units saturate and the run is stuck however long it trains. Lowering the rate now is too late; go back to a checkpoint from before the damage and carry on with a sane rate.',
      task: 'rewind this runaway run to a checkpoint, steer it back and reach 90% on circles',
      hint: 'Rewind to step 0, then switch to Adam at 0.03.',
      setup: { task: { name: 'circles' }, budget: 20_000, seed: 7, spec: { layers: [{ units: 8, activation: 'tanh' }], optimizer: 'momentum', learningRate: 3, batchSize: 16 }, locked: true },
      rule: { accuracy: 0.9, needs: ['rewind'] },
      xp: 50,
    },
    {
      id: 'noise-shock',
      title: 'Weather a noise shock',
      lesson: 'Halfway through, noise of 60% of each layer’s weight spread hits the weights. A network with room to spare recovers in the samples left; a tiny one does not.',
      task: 'take the noise shock at half the budget and still reach 90% on circles',
      hint: 'Two hidden layers of 16 tanh units with Adam at 0.01.',
      setup: { task: { name: 'circles' }, budget: 24_000, seed: 7, spec: { layers: [{ units: 3, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 }, shock: 0.6 },
      rule: { accuracy: 0.9, needs: ['shock'] },
      xp: 60,
    },
  ] satisfies LessonInput[]
).map((l) => Lesson.parse(l));

/** How many players a lesson's board lists. */
export const LESSON_BOARD_SIZE = 10;

/** `GET /api/lessons/:id/board` path parameters: the id's shape (a lesson that does not exist is a 404, not a 400). */
export const LessonBoardParams = z.object({ id: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'lesson id must be a short kebab-case name, like speed-run') });

/** `GET /api/lessons/:id/board` query: a player whose own row to include, wherever they are (as on the leaderboard). */
export const LessonBoardQuery = z.object({ player: z.string().uuid('player must be a player id').optional() });

/** One player's best passing run of a scored lesson. */
export interface LessonBoardRow {
  /** Place on the board: fewest samples first, and of equal ones the earlier best first (so no two share a place). */
  rank: number;
  playerId: string;
  name: string;
  /** Training samples the best passing run spent. */
  samples: number;
  /** That run's score on the held-out split (0 to 1). */
  heldOutAccuracy: number;
  runId: string;
  /** When the best was set (ISO 8601). */
  at: string;
}

/** `GET /api/lessons/:id/board`: a scored lesson's best players, and the asking player's own row. */
export interface LessonBoard {
  lessonId: string;
  score: LessonScore;
  /** The top `LESSON_BOARD_SIZE`, best first. */
  entries: LessonBoardRow[];
  /** The asked-for player's row (null when they asked for none, or have not passed the lesson). */
  me: LessonBoardRow | null;
}

/** A lesson's id, checked against the path. */
export const LessonId = z.string({ error: 'lesson must be a string' }).refine((id) => LESSONS.some((l) => l.id === id), { message: `lesson must be one of ${LESSONS.map((l) => l.id).join(', ')}` });

/** The lesson with this id (undefined when there is none). */
export function lessonById(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}

export type LessonState = 'done' | 'open' | 'locked';

/** Where each lesson of the path stands for a player who passed `passed`: done, open (the first not done after a done one), or locked. */
export function pathStates(passed: ReadonlySet<string>): Array<{ lesson: Lesson; state: LessonState }> {
  return LESSONS.map((lesson, i) => ({ lesson, state: passed.has(lesson.id) ? 'done' : i === 0 || passed.has(LESSONS[i - 1]!.id) ? 'open' : 'locked' }));
}
