import { describe, expect, it } from 'vitest';
import { lessonById, LESSONS, pathStates } from '../../shared/lesson.schema.ts';
import { judgeLesson, lessonShock, lessonSpecRefusal, type LessonRun } from './lesson.rules.ts';

const run = (over: Partial<LessonRun> = {}): LessonRun => ({ status: 'finished', heldOutAccuracy: 0.95, parameters: 40, flops: 1000, samples: 1000, events: [], controls: [], shocked: false, ...over });
const lesson = (id: string) => lessonById(id)!;

describe('lesson rules', () => {
  it('has at least eight lessons with distinct ids, each one schema-valid', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
  });

  it('passes on the held-out split and misses below it, saying both figures', () => {
    expect(judgeLesson(lesson('first-fit'), run({ heldOutAccuracy: 0.9 }))).toEqual({ passed: true, detail: 'passed: 90% on the held-out split against a target of 90%' });
    expect(judgeLesson(lesson('first-fit'), run({ heldOutAccuracy: 0.875 }))).toEqual({ passed: false, detail: 'missed: 87.5% on the held-out split against a target of 90%' });
    expect(judgeLesson(lesson('first-fit'), run({ status: 'diverged', heldOutAccuracy: null })).detail).toBe('missed: the run diverged before the end of its budget');
  });

  it('scores the speed run by the training samples a passing run spent, and only a passing one', () => {
    expect(lesson('speed-run').score).toBe('fewestSamples');
    expect(judgeLesson(lesson('speed-run'), run({ heldOutAccuracy: 0.95, samples: 616 }))).toEqual({ passed: true, detail: 'passed: 95% on the held-out split against a target of 90%, in 616 training samples', score: 616 });
    expect(judgeLesson(lesson('speed-run'), run({ heldOutAccuracy: 0.85, samples: 400 }))).toEqual({ passed: false, detail: 'missed: 85% on the held-out split against a target of 90%' });
    expect(judgeLesson(lesson('first-fit'), run({ samples: 616 })).score, 'a lesson without a score').toBeUndefined();
  });

  it('holds size and FLOP limits', () => {
    expect(lessonSpecRefusal(lesson('features'), 12)).toBe('this lesson allows at most 10 parameters: this network has 12');
    expect(lessonSpecRefusal(lesson('features'), 7)).toBeUndefined();
    expect(judgeLesson(lesson('features'), run({ heldOutAccuracy: 1, parameters: 12 })).detail).toBe('missed: 12 parameters is over the limit of 10');
    expect(judgeLesson(lesson('features'), run({ heldOutAccuracy: 1, parameters: 7, controls: [{ step: 5, control: { type: 'addLayer', index: 0, activation: 'linear' } }] })).detail).toBe('missed: a layer was added during the run: the size limit holds for the whole run');
    expect(judgeLesson(lesson('flop-budget'), run({ heldOutAccuracy: 0.9, flops: 21_240_000 })).detail).toBe('missed: 21,240,000 training FLOPs is over the budget of 1,500,000');
    expect(judgeLesson(lesson('flop-budget'), run({ heldOutAccuracy: 0.9, flops: 1_320_000 })).passed).toBe(true);
  });

  it('reads the run log: vanishing then recovered, overfitting then a fix after it, a rewind, the shock', () => {
    const ev = (type: 'vanishingGradients' | 'gradientsRecovered' | 'overfitting', step: number) => ({ type, step, samples: step * 16 });
    expect(judgeLesson(lesson('vanishing'), run({ events: [ev('vanishingGradients', 30)] })).detail).toBe('missed: the gradients vanished and never came back');
    expect(judgeLesson(lesson('vanishing'), run({ events: [ev('gradientsRecovered', 10)] })).detail).toBe('missed: the gradients never vanished in this run');
    expect(judgeLesson(lesson('vanishing'), run({ events: [ev('vanishingGradients', 30), ev('gradientsRecovered', 100)] })).passed).toBe(true);
    const added = { step: 200, control: { type: 'addSamples' as const, count: 2000 } };
    expect(judgeLesson(lesson('overfitting'), run({ events: [ev('overfitting', 190)], controls: [added] })).passed).toBe(true);
    expect(judgeLesson(lesson('overfitting'), run({ events: [ev('overfitting', 190)], controls: [{ ...added, step: 100 }] })).detail).toMatch(/no fix .* after it overfitted/);
    expect(judgeLesson(lesson('overfitting'), run({ controls: [added] })).detail).toBe('missed: the run never overfitted');
    expect(judgeLesson(lesson('rescue'), run()).detail).toBe('missed: the run was never rewound');
    expect(judgeLesson(lesson('rescue'), run({ controls: [{ step: 100, control: { type: 'rewind', toStep: 0 } }] })).passed).toBe(true);
    expect(judgeLesson(lesson('noise-shock'), run({ heldOutAccuracy: 0.8 })).detail).toBe('missed: 80% on the held-out split against a target of 90%; the run ended before the noise shock: it was not tested');
    expect(lessonShock(lesson('noise-shock'), 16)).toEqual({ step: 750, control: { type: 'injectNoise', target: 'weights', strength: 0.6 } });
    expect(lessonShock(lesson('first-fit'), 16)).toBeUndefined();
  });

  it('opens the path in order: the first lesson, then each after a done one', () => {
    expect(pathStates(new Set()).map((s) => s.state)).toEqual(['open', ...Array(LESSONS.length - 1).fill('locked')]);
    const states = pathStates(new Set(['first-fit', 'features'])).map((s) => s.state);
    expect(states.slice(0, 4)).toEqual(['done', 'done', 'open', 'locked']);
  });
});
