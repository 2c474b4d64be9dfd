import type { LoggedControl } from '../../shared/control.schema.ts';
import type { Lesson, LessonNeed } from '../../shared/lesson.schema.ts';
import type { RunEvent } from '../../shared/run.schema.ts';
import { isOverfittingFix } from '../progression/achievements.ts';

const pct = (v: number) => `${+(v * 100).toFixed(1)}%`;

/** Why a network of `parameters` parameters may not take the lesson, or undefined when it may. */
export function lessonSpecRefusal(lesson: Lesson, parameters: number): string | undefined {
  const max = lesson.rule.maxParameters;
  return max !== undefined && parameters > max ? `this lesson allows at most ${max} parameters: this network has ${parameters}` : undefined;
}

/**
 * A lesson's noise shock as a control scheduled in the run's own log: at the first step where half the
 * budget is spent at the spec's batch size. Undefined for lessons without one.
 */
export function lessonShock(lesson: Lesson, batchSize: number): LoggedControl | undefined {
  const strength = lesson.setup.shock;
  if (strength === undefined) return undefined;
  return { step: Math.ceil(lesson.setup.budget / 2 / batchSize), control: { type: 'injectNoise', target: 'weights', strength } };
}

/** What the stored run did, for judging: its figures (held-out included) and its log. */
export interface LessonRun {
  status: 'finished' | 'diverged' | 'failed';
  heldOutAccuracy: number | null;
  parameters: number;
  /** Floating-point operations the run spent training. */
  flops: number;
  /** Training samples the run spent (a run stopped early spends fewer; a rewind gives none back). */
  samples: number;
  events: readonly Pick<RunEvent, 'type' | 'step' | 'samples'>[];
  /** The run's control log, each at the step it took effect. */
  controls: readonly LoggedControl[];
  /** Whether the lesson's shock took effect. */
  shocked: boolean;
}

/** The verdict on a lesson's run: passed or not, with every reason in words, and a scored lesson's score when it passed. */
export interface LessonVerdict {
  passed: boolean;
  detail: string;
  /** A scored lesson's score of a passing run (`fewestSamples`: the training samples it spent; lower is better). */
  score?: number;
}

/** A scored lesson's score of a run that passed it (undefined for a lesson that is not scored). */
export function lessonScore(lesson: Lesson, run: Pick<LessonRun, 'samples'>): number | undefined {
  switch (lesson.score) {
    case 'fewestSamples':
      return Math.round(run.samples);
    case undefined:
      return undefined;
  }
}

/** Where in the run's history something happened: the samples spent (steps go back on a rewind; samples never do). */
function firstAt(events: LessonRun['events'], type: RunEvent['type'], after = -1): number | undefined {
  return events.find((e) => e.type === type && e.samples > after)?.samples;
}

function needMet(need: LessonNeed, run: LessonRun): string | undefined {
  switch (need) {
    case 'vanishThenRecover': {
      const vanished = firstAt(run.events, 'vanishingGradients');
      if (vanished === undefined) return 'the gradients never vanished in this run';
      return firstAt(run.events, 'gradientsRecovered', vanished - 1) === undefined ? 'the gradients vanished and never came back' : undefined;
    }
    case 'overfitThenFix': {
      const overfit = run.events.find((e) => e.type === 'overfitting');
      if (!overfit) return 'the run never overfitted';
      // Controls carry steps; the overfitting event's step is comparable only before any rewind, so a rewind counts as a fix anyway.
      const fixed = run.controls.some((c) => isOverfittingFix(c.control) && (c.control.type === 'rewind' || c.step >= overfit.step));
      return fixed ? undefined : 'no fix (augmentation, more samples, a smaller network, input noise or a rewind) after it overfitted';
    }
    case 'rewind':
      return run.controls.some((c) => c.control.type === 'rewind') ? undefined : 'the run was never rewound';
    case 'shock':
      return run.shocked ? undefined : 'the run ended before the noise shock: it was not tested';
  }
}

/** Judges a lesson on a stored run: its held-out accuracy, its size and FLOPs, and what its log shows. */
export function judgeLesson(lesson: Lesson, run: LessonRun): LessonVerdict {
  if (run.status !== 'finished' || run.heldOutAccuracy === null) return { passed: false, detail: `missed: the run ${run.status === 'diverged' ? 'diverged' : 'failed'} before the end of its budget` };
  const { rule } = lesson;
  const why: string[] = [];
  if (rule.maxParameters !== undefined && run.parameters > rule.maxParameters) why.push(`${run.parameters} parameters is over the limit of ${rule.maxParameters}`);
  // `parameters` counts the network the run started with: one grown during the run is not held to the limit it passed.
  if (rule.maxParameters !== undefined && run.controls.some((c) => c.control.type === 'addLayer')) why.push('a layer was added during the run: the size limit holds for the whole run');
  if (rule.maxTrainingFlops !== undefined && run.flops > rule.maxTrainingFlops) why.push(`${Math.round(run.flops).toLocaleString('en')} training FLOPs is over the budget of ${rule.maxTrainingFlops.toLocaleString('en')}`);
  for (const need of rule.needs) {
    const missing = needMet(need, run);
    if (missing) why.push(missing);
  }
  const score = `${pct(run.heldOutAccuracy)} on the held-out split against a target of ${pct(rule.accuracy)}`;
  if (run.heldOutAccuracy < rule.accuracy) why.unshift(score);
  if (why.length > 0) return { passed: false, detail: `missed: ${why.join('; ')}` };
  const scored = lessonScore(lesson, run);
  return scored === undefined ? { passed: true, detail: `passed: ${score}` } : { passed: true, detail: `passed: ${score}, in ${scored.toLocaleString('en')} training samples`, score: scored };
}
