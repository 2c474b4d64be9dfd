import type { Board, LeaderboardPage, LeaderboardRow } from '../../shared/api.schema.ts';
import { api } from '../shell/api.ts';
import { savedPlayerId } from '../shell/arena-client.ts';
import { h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';

const BOARDS: Array<{ board: Board; label: string; unit: string }> = [
  { board: 'points', label: 'Achievement points', unit: 'points' },
  { board: 'xp', label: 'XP', unit: 'XP' },
  { board: 'rating', label: 'Rating', unit: 'rating' },
];

function row(r: LeaderboardRow, me: string | undefined, unit: string): HTMLTableRowElement {
  return h(
    'tr',
    { class: r.playerId === me ? 'me' : undefined, 'data-player': r.playerId },
    h('td', { class: 'num' }, String(r.rank)),
    h('td', {}, h('a', { href: `#/players/${r.playerId}` }, r.name)),
    h('td', { class: 'num' }, `${unit === 'rating' ? r.score.toFixed(1) : r.score.toLocaleString('en')}`),
  );
}

/** The leaderboard: boards as tabs, this week or all time, pages on demand, and your own place. */
export function mountLeaderboard(app: HTMLElement, page = new PageScope()): PageScope {
  const me = savedPlayerId();
  let board: Board = 'points';
  let period: 'week' | 'all' = 'all';
  let cursor: string | null = null;
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const periodSel = h('select', { id: 'period', 'aria-label': 'Period' }, h('option', { value: 'all' }, 'All time'), h('option', { value: 'week' }, 'This week'));
  const body = h('tbody', {});
  const mine = h('p', { id: 'own-rank', class: 'muted' });
  const more = h('button', { id: 'more', type: 'button', class: 'ghost' }, 'Show more');
  const problem = h('p', { class: 'error-text', role: 'alert' });
  const unitCell = h('th', { class: 'num' }, 'Score');

  const gone = () => page.disposed;
  const load = async (reset: boolean) => {
    if (reset) {
      cursor = null;
      body.replaceChildren();
    }
    problem.textContent = '';
    more.disabled = true;
    try {
      const page: LeaderboardPage = await api.leaderboard({ board, period, limit: '25', cursor: cursor ?? undefined, player: me });
      if (gone()) return;
      const unit = BOARDS.find((b) => b.board === board)!.unit;
      unitCell.textContent = unit[0]!.toUpperCase() + unit.slice(1);
      body.append(...page.entries.map((r) => row(r, me, unit)));
      if (reset) {
        if (page.entries.length === 0) body.append(h('tr', {}, h('td', { colspan: '3', class: 'muted' }, 'Nobody on this board yet. Finish a race to get on it.')));
        mine.textContent = page.me ? `You are #${page.me.rank} with ${unit === 'rating' ? page.me.score.toFixed(1) : page.me.score.toLocaleString('en')} ${unit}.` : me ? 'You are not on this board yet.' : 'Play a race to get on the board.';
      }
      cursor = page.nextCursor;
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
      void load(true);
    });
    tabs.append(tab);
  }
  periodSel.addEventListener('change', () => {
    period = periodSel.value === 'week' ? 'week' : 'all';
    void load(true);
  });
  more.addEventListener('click', () => void load(false));
  app.replaceChildren(
    h(
      'section',
      { class: 'panel', id: 'leaderboard' },
      h('div', { class: 'row' }, h('h2', {}, 'Leaderboard'), h('div', { style: 'flex:0 0 10rem' }, periodSel)),
      tabs,
      mine,
      h('table', {}, h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'Player'), unitCell)), body),
      problem,
      more,
    ),
  );
  void load(true);
  return page;
}
