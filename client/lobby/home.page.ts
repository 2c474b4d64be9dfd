import { saveName, savedName } from '../shell/arena-client.ts';
import { accountPanel } from '../shell/account.panel.ts';
import { h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';
import { nextMatchOf } from '../shell/next-race.ts';
import { CHALLENGE_PRESETS, type Challenge } from '../../shared/challenge.schema.ts';
import { TaskName } from '../../shared/task.schema.ts';
import { mountLobbyList } from './lobby-list.view.ts';
import { createRoomPanels, type CreateRoomAction } from './create-rooms.panel.ts';

/** The playground's pace choices: the least wall-clock time a run is stretched over, in seconds (0: as fast as it trains). */
const PLAYGROUND_PACES: ReadonlyArray<readonly [number, string]> = [
  [0, 'As fast as it trains'],
  [30, 'Over 30 seconds'],
  [120, 'Over 2 minutes'],
  [600, 'Over 10 minutes'],
];

/** What the home page asks the app to do. */
export type HomeAction =
  | { kind: 'create'; name: string; task: TaskName; budget: number; minPlayers: number; countdownSeconds: number; paceSeconds: number }
  | { kind: 'join'; name: string; roomId: string; spectate: boolean }
  | { kind: 'playground'; name: string; task: TaskName; budget: number; paceSeconds: number; challenge?: Challenge; lesson?: string }
  | CreateRoomAction;

/** The home page: the open rooms and live matches first, then who you are, create a race (any task), or join one by its code. Its open-rooms list leaves the lobby room when the page goes. */
export function mountHome(app: HTMLElement, act: (a: HomeAction) => Promise<void>, page = new PageScope()): PageScope {
  const name = h('input', { id: 'player-name', value: savedName(), maxlength: '32', autocomplete: 'nickname', placeholder: 'the name others see' });
  // An ending's "Next race" (?task=moons#quick-join, or ?gan=ring after a GAN battle) keeps the finished room's task or
  // distribution: quick join and a new race (or GAN battle) use it.
  const kept = nextMatchOf(location.search);
  const keptTask = kept?.kind === 'race' ? kept.task : undefined;
  const keptDistribution = kept?.kind === 'gan' ? kept.distribution : undefined;
  const raceTask = h('select', { id: 'race-task' }, ...TaskName.options.map((t) => h('option', { value: t, selected: t === (keptTask ?? 'spiral') }, t)));
  const budget = h('select', { id: 'budget' }, ...[5_000, 20_000, 50_000, 200_000].map((b) => h('option', { value: String(b), selected: b === 20_000 }, `${b.toLocaleString('en')} samples`)));
  const players = h('select', { id: 'min-players' }, ...[2, 3, 4, 5, 6, 7, 8].map((n) => h('option', { value: String(n) }, `${n} players`)));
  const countdown = h('select', { id: 'countdown' }, ...[5, 15, 30, 60].map((n) => h('option', { value: String(n), selected: n === 15 }, `${n} s`)));
  const pace = h('select', { id: 'pace' }, ...[0, 15, 30, 60, 120].map((n) => h('option', { value: String(n) }, n === 0 ? 'as fast as it trains' : `over ${n} s`)));
  const code = h('input', { id: 'room-code', placeholder: 'room code, e.g. aB3xY9kQ2', autocomplete: 'off' });
  const createBtn = h('button', { id: 'create-race', type: 'button' }, 'Create a race');
  const joinBtn = h('button', { id: 'join-race', type: 'button', class: 'ghost' }, 'Join');
  const watchBtn = h('button', { id: 'watch-race', type: 'button', class: 'ghost' }, 'Watch');
  const problem = h('p', { class: 'error-text', role: 'alert' });
  const pgTask = h('select', { id: 'playground-task' }, ...TaskName.options.map((t) => h('option', { value: t, selected: t === 'spiral' }, t)));
  const pgBudget = h('select', { id: 'playground-budget' }, ...[50_000, 200_000, 1_000_000, 5_000_000].map((b) => h('option', { value: String(b), selected: b === 200_000 }, `${b.toLocaleString('en')} samples`)));
  const pgPace = h('select', { id: 'playground-pace', title: 'Stretch the run so you can watch it learn (pacing changes nothing it computes)' }, ...PLAYGROUND_PACES.map(([seconds, label]) => h('option', { value: String(seconds) }, label)));
  const pgChallenge = h('select', { id: 'playground-challenge' }, h('option', { value: '' }, 'free play'), ...CHALLENGE_PRESETS.map((c) => h('option', { value: c.id }, c.label)));
  const pgBtn = h('button', { id: 'create-playground', type: 'button' }, 'Open a playground');

  const openRooms = h('section', { class: 'panel', id: 'open-rooms' });
  const roomPanels = createRoomPanels(() => name.value, (action, button) => void run(action, button), keptDistribution);
  // A taken name gets a free #tag on the way in (the app says so): see enter() in shell/main.ts.
  const run = async (action: HomeAction, button: HTMLButtonElement): Promise<void> => {
    const anonymous = action.kind === 'join' && action.spectate; // spectators may stay anonymous
    if (!action.name.trim() && !anonymous) {
      problem.textContent = 'Pick a name first.';
      name.focus();
      return;
    }
    if (action.name.trim()) saveName(action.name.trim());
    button.disabled = true;
    problem.textContent = '';
    try {
      await act(action);
    } catch (err) {
      button.disabled = false;
      problem.textContent = err instanceof Error ? err.message : String(err);
    }
  };
  createBtn.addEventListener('click', () =>
    run({ kind: 'create', name: name.value, task: raceTask.value as TaskName, budget: Number(budget.value), minPlayers: Number(players.value), countdownSeconds: Number(countdown.value), paceSeconds: Number(pace.value) }, createBtn),
  );
  const join = (spectate: boolean, btn: HTMLButtonElement) => {
    if (!code.value.trim()) {
      problem.textContent = 'Paste a room code to join.';
      code.focus();
      return;
    }
    void run({ kind: 'join', name: name.value, roomId: code.value.trim(), spectate }, btn);
  };
  pgBtn.addEventListener('click', () => {
    const challenge = CHALLENGE_PRESETS.find((c) => c.id === pgChallenge.value)?.challenge;
    run({ kind: 'playground', name: name.value, task: pgTask.value as TaskName, budget: Number(pgBudget.value), paceSeconds: Number(pgPace.value), ...(challenge ? { challenge } : {}) }, pgBtn);
  });
  joinBtn.addEventListener('click', () => join(false, joinBtn));
  watchBtn.addEventListener('click', () => join(true, watchBtn));
  code.addEventListener('keydown', (e) => e.key === 'Enter' && join(false, joinBtn));

  app.replaceChildren(
    h('section', { class: 'panel hero' }, h('h1', {}, 'Watch neural networks learn. Make them race.'), h('p', {}, 'Design a small network, enter it in a race, and watch every entry train for real on the same task under the same budget. The held-out data decides who wins.')),
    openRooms, // what is live leads: open rooms and live matches, above the fold
    h(
      'div',
      { class: 'grid2' },
      h('section', { class: 'panel', id: 'you' }, h('h2', {}, 'You'), h('label', { for: 'player-name' }, 'Name'), name, accountPanel({ name: () => name.value, setName: (n) => (name.value = n) })),
      h('section', { class: 'panel' }, h('h2', {}, 'Create a race'), h('div', { class: 'row' }, h('div', {}, h('label', { for: 'race-task' }, 'Task'), raceTask), h('div', {}, h('label', { for: 'budget' }, 'Budget per entry'), budget)), h('div', { class: 'row' }, h('div', {}, h('label', { for: 'min-players' }, 'Start with at least'), players), h('div', {}, h('label', { for: 'countdown' }, 'Countdown'), countdown)), h('label', { for: 'pace' }, 'Pace'), pace, h('p', {}, createBtn)),
      ...roomPanels,
      h('section', { class: 'panel', id: 'playground-panel' }, h('h2', {}, 'Playground'), h('p', { class: 'muted' }, 'Train one network alone and steer it live; anyone with the link can watch.'), h('div', { class: 'row' }, h('div', {}, h('label', { for: 'playground-task' }, 'Task'), pgTask), h('div', {}, h('label', { for: 'playground-budget' }, 'Budget'), pgBudget), h('div', {}, h('label', { for: 'playground-pace' }, 'Pace'), pgPace)), h('label', { for: 'playground-challenge' }, 'Challenge'), pgChallenge, h('p', {}, pgBtn), h('p', { class: 'muted' }, 'New to this? ', h('a', { href: '/#/learn', id: 'home-learn' }, 'Learn by playing'), ': eight short lessons, each a challenge that pays XP.')),
      h('section', { class: 'panel' }, h('h2', {}, 'Join a race'), h('label', { for: 'room-code' }, 'Room code'), code, h('div', { class: 'row' }, joinBtn, watchBtn)),
    ),
    problem,
  );
  void mountLobbyList(openRooms, {
    join: (roomId, spectate) => void run({ kind: 'join', name: name.value, roomId, spectate }, watchBtn),
    create: () => (keptDistribution ? app.querySelector<HTMLButtonElement>('#create-gan')?.click() : createBtn.click()),
    ...(kept ? { keep: kept } : {}),
  }).then((leave) => page.add(leave));
  return page;
}
