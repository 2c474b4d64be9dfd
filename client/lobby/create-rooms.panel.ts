import { GanCreateOptions, GanRole } from '../../shared/gan.messages.ts';
import { GanDistribution } from '../../shared/gan.schema.ts';
import { TaskName } from '../../shared/task.schema.ts';
import { TournamentCreateOptions, TournamentFormat } from '../../shared/tournament.messages.ts';
import { describeZodError } from '../../shared/validation.ts';
import { h } from '../shell/dom.ts';

/** What the home page's tournament and GAN panels ask the app to do. */
export type CreateRoomAction =
  | { kind: 'tournament'; name: string; options: TournamentCreateOptions }
  | { kind: 'gan'; name: string; options: GanCreateOptions & { side: GanRole } };

const select = (id: string, options: ReadonlyArray<readonly [string | number, string]>, selected: string | number) =>
  h('select', { id }, ...options.map(([value, text]) => h('option', { value: String(value), selected: value === selected }, text)));
const field = (id: string, label: string, control: HTMLElement) => h('div', {}, h('label', { for: id }, label), control);
const samples = (n: number) => `${n.toLocaleString('en')} samples`;

/**
 * The home page's "Create a tournament" and "Create a GAN battle" panels.
 * Their options are checked against the rooms' own create-option schemas
 * before anything is sent, so a problem is named here, by field. `ganDistribution` is the GAN battle's
 * distribution to start from (an ending's "Next race" keeps the finished battle's).
 */
export function createRoomPanels(name: () => string, act: (action: CreateRoomAction, button: HTMLButtonElement) => void, ganDistribution: GanDistribution = 'ring'): HTMLElement[] {
  const format = select('t-format', [[TournamentFormat.SingleElimination, 'Elimination'], [TournamentFormat.Swiss, 'Swiss']], TournamentFormat.SingleElimination);
  const task = select('t-task', TaskName.options.map((t) => [t, t] as const), 'spiral');
  const counts = [4, 6, 8, 12, 16, 24, 32];
  const minPlayers = select('t-min-players', counts.map((n) => [n, `${n} players`] as const), 4);
  const maxPlayers = select('t-max-players', counts.map((n) => [n, `${n} players`] as const), 8);
  const budget = select('t-budget', [2_000, 5_000, 20_000, 50_000, 200_000].map((b) => [b, samples(b)] as const), 20_000);
  const pause = select('t-break', [0, 5, 10, 30, 60].map((s) => [s, s === 0 ? 'none' : `${s} s`] as const), 10);
  const pace = select('t-pace', [0, 15, 30, 60, 120].map((s) => [s, s === 0 ? 'as fast as it trains' : `over ${s} s`] as const), 0);
  pace.title = 'Stretch every match so spectators can follow it (pacing changes nothing a run computes)';
  const tBtn = h('button', { id: 'create-tournament', type: 'button' }, 'Create a tournament');
  const tProblem = h('p', { class: 'error-text', role: 'alert', id: 't-problem' });

  const distribution = select('g-distribution', GanDistribution.options.map((d) => [d, d] as const), ganDistribution);
  const rounds = select('g-rounds', [1, 3, 5, 7, 9].map((n) => [n, `best of ${n}`] as const), 3);
  const iterations = select('g-iterations', [150, 300, 600, 1500, 3000].map((n) => [n, `${n} iterations`] as const), 600);
  const side = select('g-side', GanRole.options.map((r) => [r, r === 'generator' ? 'Generator (forge points)' : 'Discriminator (spot fakes)'] as const), 'generator');
  const gBreak = select('g-break', [5, 15, 30, 60].map((n) => [n, `${n} s`] as const), 15);
  const gBtn = h('button', { id: 'create-gan', type: 'button' }, 'Create a GAN battle');
  const gProblem = h('p', { class: 'error-text', role: 'alert', id: 'g-problem' });

  tBtn.addEventListener('click', () => {
    const parsed = TournamentCreateOptions.safeParse({
      format: format.value,
      task: { name: task.value },
      minPlayers: Number(minPlayers.value),
      maxPlayers: Number(maxPlayers.value),
      budget: Number(budget.value),
      breakSeconds: Number(pause.value),
      paceSeconds: Number(pace.value),
    });
    if (!parsed.success) tProblem.textContent = describeZodError(parsed.error).message;
    else if (parsed.data.minPlayers > parsed.data.maxPlayers) tProblem.textContent = 'The most players must be at least the fewest it starts with.';
    else {
      tProblem.textContent = '';
      act({ kind: 'tournament', name: name(), options: parsed.data }, tBtn);
    }
  });
  gBtn.addEventListener('click', () => {
    const parsed = GanCreateOptions.safeParse({ distribution: distribution.value, rounds: Number(rounds.value), iterationsPerRound: Number(iterations.value), breakSeconds: Number(gBreak.value) });
    if (!parsed.success) gProblem.textContent = describeZodError(parsed.error).message;
    else {
      gProblem.textContent = '';
      act({ kind: 'gan', name: name(), options: { ...parsed.data, side: side.value as GanRole } }, gBtn);
    }
  });

  return [
    h(
      'section',
      { class: 'panel', id: 'tournament-panel' },
      h('h2', {}, 'Create a tournament'),
      h('div', { class: 'row' }, field('t-format', 'Format', format), field('t-task', 'Task', task)),
      h('div', { class: 'row' }, field('t-min-players', 'Start with at least', minPlayers), field('t-max-players', 'At most', maxPlayers)),
      h('div', { class: 'row' }, field('t-budget', 'Budget per match', budget), field('t-break', 'Break between rounds', pause)),
      field('t-pace', 'Pace of each match', pace),
      h('p', {}, tBtn),
      tProblem,
    ),
    h(
      'section',
      { class: 'panel', id: 'gan-panel' },
      h('h2', {}, 'Create a GAN battle'),
      h('p', { class: 'muted' }, 'One player forges points, the other judges them; the discriminator’s view is drawn live.'),
      h('div', { class: 'row' }, field('g-distribution', 'Distribution', distribution), field('g-rounds', 'Rounds', rounds)),
      h('div', { class: 'row' }, field('g-iterations', 'Round length', iterations), field('g-break', 'Break between rounds', gBreak)),
      field('g-side', 'You play', side),
      h('p', {}, gBtn),
      gProblem,
    ),
  ];
}
