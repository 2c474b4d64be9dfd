import type { PlayerProfile } from '../../shared/api.schema.ts';
import { lessonById, pathStates, type Lesson, type LessonBoard, type LessonBoardRow, type LessonState } from '../../shared/lesson.schema.ts';
import { api } from '../shell/api.ts';
import { h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';

const pct = (v: number) => `${+(v * 100).toFixed(1)}%`;
const STATE_WORDS: Record<LessonState, string> = { done: 'done', open: 'open', locked: 'locked' };

/** What the path page needs from the shell: who plays (if anyone yet) and how to open a lesson's playground. */
export interface PathHost {
  playerId: string | undefined;
  name: string;
  /** Opens the lesson's playground as `name`; rejects with a reason to show. */
  start(lessonId: string, name: string): Promise<void>;
}

/** One row of a lesson's board, the player's own marked. */
function boardRow(r: LessonBoardRow, me: string | undefined): HTMLTableRowElement {
  return h(
    'tr',
    { class: r.playerId === me ? 'me-row' : undefined, 'data-player': r.playerId },
    h('td', { class: 'num' }, String(r.rank)),
    h('td', { class: 'board-name' }, h('a', { href: `#/players/${r.playerId}` }, r.name), r.playerId === me ? h('span', { class: 'muted' }, ' (you)') : ''),
    h('td', { class: 'num', 'data-samples': String(r.samples) }, r.samples.toLocaleString('en')),
    h('td', { class: 'num' }, pct(r.heldOutAccuracy)),
    h('td', {}, h('a', { href: `/api/runs/${r.runId}/run.json`, download: `run-${r.runId}.json`, title: `run ${r.runId}: its file replays to the same weights`, 'aria-label': `run ${r.runId}`, 'data-run': r.runId }, r.runId.slice(0, 8))),
  );
}

/** A scored lesson's board as a small table: the top by fewest samples, and the player's own row below it when they are further down. */
function boardTable(lesson: Lesson, board: LessonBoard, me: string | undefined): HTMLElement {
  if (board.entries.length === 0) return h('p', { class: 'muted' }, 'Nobody has passed it yet: be the first on the board.');
  const pinned = board.me && !board.entries.some((e) => e.playerId === board.me!.playerId) ? board.me : undefined;
  return h(
    'table',
    { class: 'lesson-board-table' },
    h('caption', {}, `Fewest training samples to ${pct(lesson.rule.accuracy)} held out`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, 'Player'), h('th', { scope: 'col', class: 'num' }, 'Samples'), h('th', { scope: 'col', class: 'num' }, 'Held out'), h('th', { scope: 'col' }, 'Run'))),
    h('tbody', {}, ...board.entries.map((r) => boardRow(r, me))),
    pinned ? h('tbody', { class: 'pinned' }, boardRow(pinned, me)) : '',
  );
}

/** One lesson of the path as a card: its state, what to do, what it pays, and a button to play it (none while locked). */
function lessonCard(lesson: Lesson, state: LessonState, index: number, pass: PlayerProfile['lessons'][number] | undefined, before: Lesson | undefined, play: (id: string, button: HTMLButtonElement) => void, board: HTMLElement | undefined): HTMLElement {
  const button = h('button', { type: 'button', class: state === 'open' ? 'primary' : '', disabled: state === 'locked', 'data-start': lesson.id }, state === 'done' ? 'Play again' : 'Start');
  button.addEventListener('click', () => play(lesson.id, button));
  return h(
    'li',
    { class: `lesson ${state}`, 'data-lesson': lesson.id, 'data-state': state },
    h('div', { class: 'lesson-head' }, h('span', { class: 'lesson-step' }, String(index + 1)), h('strong', {}, lesson.title), h('span', { class: `badge lesson-badge ${state}` }, STATE_WORDS[state]), h('span', { class: 'muted' }, `${lesson.xp} XP`)),
    h('p', {}, `Task: ${lesson.task}.`),
    pass ? h('p', { class: 'muted' }, `Passed with ${pct(pass.heldOutAccuracy)} held out on ${pass.passedAt.slice(0, 10)}.`) : '',
    typeof pass?.bestSamples === 'number' ? h('p', { class: 'lesson-best', id: `best-${lesson.id}` }, 'Your best: ', h('strong', {}, `${pass.bestSamples.toLocaleString('en')} samples`), '.') : '',
    state === 'locked' && before ? h('p', { class: 'muted' }, `Pass “${before.title}” to open it.`) : h('p', {}, button),
    board ?? '',
  );
}

/**
 * The learning path: every lesson in order, done, open or locked for this player (from their profile), with
 * a button that opens the lesson's playground. The server judges each run and keeps the progress.
 */
export async function mountPath(app: HTMLElement, host: PathHost, page = new PageScope()): Promise<PageScope> {
  app.replaceChildren(h('p', { class: 'muted' }, 'Loading the learning path…'));
  let profile: PlayerProfile | undefined;
  if (host.playerId) {
    try {
      profile = await api.player(host.playerId);
    } catch {
      profile = undefined; // a new player (or a reset database): the path starts at its first lesson
    }
  }
  if (page.disposed) return page;
  const passes = new Map((profile?.lessons ?? []).map((l) => [l.lessonId, l]));
  const states = pathStates(new Set(passes.keys()));
  const done = states.filter((s) => s.state === 'done').length;
  // A scored lesson (the speed run) shows its board on its card, filled in once it is loaded.
  const boards = new Map(states.filter((s) => s.lesson.score !== undefined).map((s) => [s.lesson.id, h('section', { class: 'lesson-board', id: `board-${s.lesson.id}`, 'aria-label': `${s.lesson.title}: the board`, 'aria-live': 'polite' }, h('h3', {}, 'Board'), h('p', { class: 'muted' }, 'Loading the board…'))]));
  const name = h('input', { id: 'path-name', type: 'text', value: host.name, maxlength: '24', autocomplete: 'nickname' });
  const problem = h('p', { class: 'error-text', role: 'alert', id: 'path-problem' });
  const play = (id: string, button: HTMLButtonElement) => {
    button.disabled = true;
    problem.textContent = '';
    host.start(id, name.value).catch((err: unknown) => {
      button.disabled = false;
      problem.textContent = err instanceof Error ? err.message : String(err);
    });
  };
  app.replaceChildren(
    h(
      'section',
      { class: 'panel', id: 'learning-path' },
      h('h2', {}, 'Learn by playing'),
      h('p', {}, 'Eight short challenges, each a lesson about how networks learn. Every run is judged by the server on the held-out split it never shows you, and each lesson pays its XP the first time you pass it. Passing one opens the next.'),
      h('p', { class: 'muted', id: 'path-progress' }, `${done} of ${states.length} lessons done`),
      h('div', { class: 'track', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(states.length), 'aria-valuenow': String(done), 'aria-label': 'lessons done' }, h('div', { style: `width:${(100 * done) / states.length}%` })),
      host.playerId ? '' : h('div', {}, h('label', { for: 'path-name' }, 'Your name'), name),
      problem,
      h('ol', { class: 'lesson-path', id: 'lessons' }, ...states.map((s, i) => lessonCard(s.lesson, s.state, i, passes.get(s.lesson.id), states[i - 1]?.lesson, play, boards.get(s.lesson.id)))),
    ),
  );
  for (const [id, box] of boards) {
    api.lessonBoard(id, host.playerId).then(
      (board) => page.disposed || box.replaceChildren(box.firstChild!, boardTable(lessonById(id)!, board, host.playerId)),
      (err: unknown) => page.disposed || box.replaceChildren(box.firstChild!, h('p', { class: 'error-text' }, `The board could not be loaded: ${err instanceof Error ? err.message : String(err)}`)),
    );
  }
  return page;
}
