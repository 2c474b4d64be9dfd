import { LESSONS, lessonById, type Lesson } from '../../shared/lesson.schema.ts';
import type { PlaygroundResultMessage } from '../../shared/playground.messages.ts';
import { h } from '../shell/dom.ts';

/**
 * A lesson of the learning path, beside the run that plays it: its title, the lesson, a hint, and once a
 * run is judged, whether it passed, the XP it paid, and the way on (the next lesson or back to the path).
 */
export class LessonPanel {
  readonly element = h('div', { class: 'lesson-panel', id: 'lesson', hidden: true });
  private shown = '';
  private readonly outcome = h('p', { id: 'lesson-result', 'aria-live': 'polite' });

  /** Shows the lesson with this id ('' or an unknown id: nothing); returns the lesson when it is new to the panel. */
  show(lessonId: string): Lesson | undefined {
    if (lessonId === this.shown) return undefined;
    this.shown = lessonId;
    const lesson = lessonById(lessonId);
    this.element.hidden = !lesson;
    if (!lesson) return void this.element.replaceChildren();
    const index = LESSONS.indexOf(lesson);
    this.element.replaceChildren(
      h('p', {}, h('strong', {}, `Lesson ${index + 1} of ${LESSONS.length}: ${lesson.title}`), ` · ${lesson.xp} XP`),
      h('p', { id: 'lesson-text' }, lesson.lesson),
      h('details', {}, h('summary', {}, 'Hint'), h('p', {}, lesson.hint)),
      lesson.setup.locked ? h('p', { class: 'muted' }, 'This lesson trains its own network: start it and steer it with the controls.') : '',
      this.outcome,
    );
    return lesson;
  }

  /** A run of this lesson was judged and stored. */
  result(r: PlaygroundResultMessage): void {
    if (!r.lesson || r.run !== 'a') return;
    const lesson = lessonById(r.lesson.id);
    if (!lesson) return;
    this.element.dataset.passed = String(r.lesson.passed);
    const next = LESSONS[LESSONS.indexOf(lesson) + 1];
    const back = h('a', { href: '/#/learn', id: 'lesson-back' }, next && r.lesson.passed ? `On to lesson ${LESSONS.indexOf(next) + 1}: ${next.title}` : 'Back to the learning path');
    const what = r.lesson.passed ? (r.lesson.xp > 0 ? `Lesson passed: +${r.lesson.xp} XP. ` : 'Lesson passed again (its XP is paid once). ') : 'Not passed yet: change something and train again. ';
    const score = r.lesson.score !== undefined ? `Score: ${r.lesson.score.toLocaleString('en')} training samples (fewer is better: your best and the board are on the learning path). ` : '';
    this.outcome.replaceChildren(h('strong', {}, what), score, back);
  }
}
