import type { Board, LeaderboardPage, LeaderboardRow } from '../../shared/api.schema.ts';
import { GAN_SCOPE, RATING_EXPLAINED, RATING_LINK } from '../../shared/rating-scale.ts';
import { TaskName } from '../../shared/task.schema.ts';
import { api } from '../shell/api.ts';
import { savedPlayerId } from '../shell/arena-client.ts';
import { h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';
import { climbPanel } from './climb.panel.ts';

const BOARDS: Array<{ board: Board; label: string; unit: string }> = [
  { board: 'points', label: 'Achievement points', unit: 'points' },
  { board: 'xp', label: 'XP', unit: 'XP' },
  { board: 'rating', label: 'Rating', unit: 'rating' },
];

/** A rating's move since a week ago: ↑ or ↓ with the points, — when it did not move, "new" when there was none. */
function movement(r: LeaderboardRow, board: Board): HTMLElement {
  if (board !== 'rating') return h('span', { class: 'muted' }, '');
  if (r.movement === null) return h('span', { class: 'muted', title: 'no rated match before a week ago' }, 'new');
  if (r.movement === 0) return h('span', { class: 'muted', title: 'unchanged since a week ago' }, '—');
  return r.movement > 0 ? h('span', { class: 'move-up', title: `up ${r.movement} since a week ago` }, `↑${r.movement}`) : h('span', { class: 'move-down', title: `down ${-r.movement} since a week ago` }, `↓${-r.movement}`);
}

function row(r: LeaderboardRow, me: string | undefined, board: Board, pinned = false): HTMLTableRowElement {
  return h(
    'tr',
    { class: r.playerId === me ? (pinned ? 'me me-row pinned' : 'me me-row') : undefined, 'data-player': r.playerId },
    h('td', { class: 'num' }, String(r.rank)),
    h('td', {}, h('a', { href: `#/players/${r.playerId}` }, r.name), pinned ? h('span', { class: 'muted' }, ' (you)') : ''),
    h('td', { class: 'num' }, r.score.toLocaleString('en')),
    h('td', { class: 'num' }, String(r.matches)),
    h('td', { class: 'num' }, `${r.wins}–${r.losses}`),
    h('td', { class: 'num' }, movement(r, board)),
  );
}

/**
 * The leaderboard: boards as tabs (achievement points, XP, rating overall, per task or for GAN battles),
 * this week or all time, a name search, pages on demand, your own row pinned wherever you are, players
 * with nothing on the board listed apart, what the rating means, and how to climb.
 */
export function mountLeaderboard(app: HTMLElement, page = new PageScope()): PageScope {
  const me = savedPlayerId();
  let board: Board = 'points';
  let period: 'week' | 'all' = 'all';
  let cursor: string | null = null;
  let search = '';
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const periodSel = h('select', { id: 'period', 'aria-label': 'Period' }, h('option', { value: 'all' }, 'All time'), h('option', { value: 'week' }, 'This week'));
  const scopes: Array<[string, string]> = [['overall', 'All races'], ...TaskName.options.map((t): [string, string] => [t, `${t} races`]), [GAN_SCOPE, 'GAN battles']];
  const scopeSel = h('select', { id: 'scope', 'aria-label': 'Which rating board', hidden: true }, ...scopes.map(([v, l]) => h('option', { value: v }, l)));
  const searchBox = h('input', { id: 'board-search', type: 'search', placeholder: 'Find a player', 'aria-label': 'Find a player by name', maxlength: '32', autocomplete: 'off' });
  const pinned = h('tbody', { id: 'pinned' });
  const body = h('tbody', {});
  const mine = h('p', { id: 'own-rank', class: 'muted' });
  const apart = h('p', { id: 'board-apart', class: 'muted' });
  const explain = h('p', { id: 'rating-explained', class: 'muted', hidden: true }, RATING_EXPLAINED, ' ', h('a', { href: RATING_LINK, target: '_blank', rel: 'noopener' }, 'About OpenSkill'));
  const more = h('button', { id: 'more', type: 'button', class: 'ghost' }, 'Show more');
  const problem = h('p', { class: 'error-text', role: 'alert' });
  const unitCell = h('th', { class: 'num' }, 'Score');

  let asked = 0;
  const load = async (reset: boolean) => {
    const ticket = ++asked;
    if (reset) cursor = null;
    problem.textContent = '';
    more.disabled = true;
    try {
      const got: LeaderboardPage = await api.leaderboard({ board, period, limit: '25', cursor: cursor ?? undefined, player: me, task: board === 'rating' ? scopeSel.value : undefined, search: search || undefined });
      if (ticket !== asked || page.disposed) return; // a newer question was asked meanwhile, or the page has gone
      const unit = BOARDS.find((b) => b.board === board)!.unit;
      unitCell.textContent = unit[0]!.toUpperCase() + unit.slice(1);
      if (reset) body.replaceChildren();
      body.append(...got.entries.map((r) => row(r, me, board)));
      if (reset) {
        if (got.entries.length === 0) body.append(h('tr', {}, h('td', { colspan: '6', class: 'muted' }, search ? `Nobody on this board has "${search}" in their name.` : 'Nobody on this board yet. Finish a rated match to get on it.')));
        // Your own row, pinned above the board when it is not on this page.
        pinned.replaceChildren(...(got.me && !got.entries.some((e) => e.playerId === got.me!.playerId) ? [row(got.me, me, board, true)] : []));
        mine.textContent = got.me ? `You are #${got.me.rank} with ${got.me.score.toLocaleString('en')} ${unit}.` : me ? 'You are not on this board yet.' : 'Play a race to get on the board.';
        const none = board === 'rating' ? 'no rated match here yet' : `no ${unit} yet`;
        apart.replaceChildren(...(got.apart.count > 0 ? [`${got.apart.count.toLocaleString('en')} player${got.apart.count === 1 ? ' has' : 's have'} ${none}, so they are not ranked: `, got.apart.recent.map((p) => p.name).join(', '), got.apart.count > got.apart.recent.length ? '…' : ''] : []));
      }
      cursor = got.nextCursor;
      more.hidden = !cursor;
    } catch (err) {
      problem.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      more.disabled = false;
    }
  };
  for (const b of BOARDS) {
    const tab = h('button', { type: 'button', role: 'tab', class: b.board === board ? 'tab active' : 'tab', 'aria-selected': String(b.board === board), 'data-board': b.board }, b.label);
    tab.addEventListener('click', () => {
      board = b.board;
      for (const t of tabs.children) {
        t.classList.toggle('active', t === tab);
        t.setAttribute('aria-selected', String(t === tab));
      }
      scopeSel.hidden = explain.hidden = board !== 'rating';
      void load(true);
    });
    tabs.append(tab);
  }
  periodSel.addEventListener('change', () => {
    period = periodSel.value === 'week' ? 'week' : 'all';
    void load(true);
  });
  scopeSel.addEventListener('change', () => void load(true));
  let typing = 0;
  page.add(() => clearTimeout(typing));
  searchBox.addEventListener('input', () => {
    clearTimeout(typing);
    typing = window.setTimeout(() => {
      search = searchBox.value.trim();
      void load(true);
    }, 250);
  });
  more.addEventListener('click', () => void load(false));
  const climb = h('section', { class: 'panel', id: 'climb' }, h('h2', {}, 'How to climb'), h('p', { class: 'muted' }, 'Loading…'));
  app.replaceChildren(
    h(
      'section',
      { class: 'panel', id: 'leaderboard' },
      h('div', { class: 'row' }, h('h2', {}, 'Leaderboard')),
      tabs,
      h('div', { class: 'row board-tools' }, periodSel, scopeSel, searchBox),
      explain,
      mine,
      h('div', { class: 'table-scroll' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'Player'), unitCell, h('th', { class: 'num', title: 'rated matches played' }, 'Played'), h('th', { class: 'num', title: 'wins–losses (a win: first place)' }, 'W–L'), h('th', { class: 'num', title: 'rating since a week ago' }, 'Week'))), pinned, body)),
      apart,
      problem,
      more,
    ),
    climb,
  );
  void load(true);
  void api.climb().then(
    (guide) => climb.replaceWith(climbPanel(guide)),
    (err: unknown) => climb.replaceChildren(h('h2', {}, 'How to climb'), h('p', { class: 'error-text' }, err instanceof Error ? err.message : String(err))),
  );
  return page;
}
