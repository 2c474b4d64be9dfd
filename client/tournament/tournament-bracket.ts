import type { MatchSide, TournamentMatch, TournamentPlayer, TournamentState } from '../../shared/tournament.state.ts';
import { h } from '../shell/dom.ts';
import { seatCss } from '../widgets/palette.ts';
import type { RunOutlooks } from '../widgets/run-outlook.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const swatch = (seat: number) => h('span', { class: 'swatch', style: `background:${seatCss(seat)}` });

function roundName(round: number, total: number): string {
  const left = total - round;
  return left === 0 ? 'Final' : left === 1 ? 'Semi-finals' : left === 2 ? 'Quarter-finals' : `Round ${round}`;
}

/** One side of a match: name, and live bars (with the time left, best so far and trend) while it races, the held-out accuracy once it is over. */
function sideRow(m: TournamentMatch, s: MatchSide, budget: number, outlooks?: RunOutlooks): HTMLElement {
  const decided = m.winner >= 0;
  const cls = decided ? (m.winner === s.seat ? 'side winner' : 'side loser') : 'side';
  const figure = m.status === 'bye' ? 'bye' : m.status === 'finished' ? (s.status === 'failed' ? 'failed' : pct(s.heldOutAccuracy)) : s.samples ? pct(s.valAccuracy) : '';
  return h(
    'div',
    { class: cls, 'data-seat': String(s.seat) },
    h('div', { class: 'side-line' }, h('span', { class: 'side-name' }, swatch(s.seat), s.player), h('span', { class: 'stat side-figure', title: m.status === 'finished' ? 'held-out accuracy' : 'validation accuracy' }, figure)),
    m.status === 'racing'
      ? h(
          'div',
          { class: 'bars' },
          h('div', { class: 'track', title: `${s.samples.toLocaleString('en')} of ${budget.toLocaleString('en')} samples` }, h('div', { style: `width:${Math.min(100, (100 * s.samples) / Math.max(1, budget))}%;background:${seatCss(s.seat)}` })),
          h('div', { class: 'track acc', title: `validation accuracy ${pct(s.valAccuracy)}` }, h('div', { style: `width:${Math.min(100, 100 * s.valAccuracy)}%` })),
        )
      : '',
    m.status === 'racing' && outlooks
      ? outlooks.element({ key: `${m.round}:${m.index}:${s.seat}`, samples: s.samples, budget, valAccuracy: s.valAccuracy, over: s.status !== 'training', curveSamples: s.curveSamples, curveValAccuracy: s.curveValAccuracy })
      : '',
  );
}

/** A match box: both sides, the winner highlighted, a link to the stored match and its replay. */
export function matchCard(m: TournamentMatch, budget: number, outlooks?: RunOutlooks): HTMLElement {
  return h(
    'div',
    { class: `match ${m.status}`, 'data-round': String(m.round), 'data-index': String(m.index), 'data-status': m.status },
    ...m.sides.map((s) => sideRow(m, s, budget, outlooks)),
    m.decidedBy ? h('p', { class: 'muted decided-by' }, m.decidedBy) : '',
    m.matchId ? h('a', { class: 'match-replay', href: `${location.pathname}#/matches/${m.matchId}`, target: '_blank', rel: 'noopener' }, 'replay') : '',
  );
}

/** Single elimination: one column per round, its matches in bracket order, later rounds as open slots until drawn. */
export function bracket(state: TournamentState, outlooks?: RunOutlooks): HTMLElement {
  const total = state.totalRounds;
  const matches = [...state.matches];
  const columns: HTMLElement[] = [];
  let slots = matches.filter((m) => m.round === 1).length;
  for (let r = 1; r <= total; r++) {
    const inRound = matches.filter((m) => m.round === r).sort((a, b) => a.index - b.index);
    const count = Math.max(inRound.length, slots);
    const cards: HTMLElement[] = [];
    for (let i = 0; i < count; i++) {
      const m = inRound.find((x) => x.index === i);
      cards.push(m ? matchCard(m, state.budget, outlooks) : h('div', { class: 'match pending' }, h('div', { class: 'side' }, h('span', { class: 'muted' }, 'to be decided')), h('div', { class: 'side' }, h('span', { class: 'muted' }, 'to be decided'))));
    }
    columns.push(h('div', { class: `bracket-round${r === state.round && state.phase === 'racing' ? ' live' : ''}`, 'data-round': String(r) }, h('h3', {}, roundName(r, total)), h('div', { class: 'bracket-matches' }, ...cards)));
    slots = Math.ceil(count / 2);
  }
  return h('div', { class: 'bracket', id: 'bracket' }, ...columns);
}

/** Swiss: the table by place (points, then Buchholz), with wins and losses. */
export function standings(state: TournamentState): HTMLElement {
  const players = [...state.players.values()].sort((a, b) => (a.rank && b.rank ? a.rank - b.rank : b.points - a.points || b.buchholz - a.buchholz || a.seat - b.seat));
  return h(
    'table',
    { id: 'standings-table' },
    h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Player'), h('th', { class: 'num' }, 'Points'), h('th', { class: 'num', title: 'The points of the opponents met' }, 'Buchholz'), h('th', { class: 'num' }, 'W–L'), h('th', {}, 'Status'))),
    h('tbody', {}, ...players.map((p, i) => h('tr', { 'data-seat': String(p.seat) }, h('td', {}, String(p.rank || i + 1)), h('td', {}, swatch(p.seat), p.player), h('td', { class: 'num' }, String(p.points)), h('td', { class: 'num' }, String(p.buchholz)), h('td', { class: 'num' }, `${p.wins}–${p.losses}`), h('td', {}, h('span', { class: `chip ${p.status}` }, p.status))))),
  );
}

/** The final ranking, once every rank is known. */
export function finalRanking(players: TournamentPlayer[]): HTMLElement {
  const ranked = [...players].sort((a, b) => a.rank - b.rank);
  return h(
    'table',
    { id: 'final-ranking' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Place'), h('th', {}, 'Player'), h('th', { class: 'num' }, 'W–L'), h('th', { class: 'num' }, 'Points'))),
    h('tbody', {}, ...ranked.map((p) => h('tr', { 'data-seat': String(p.seat), class: p.rank === 1 ? 'first' : undefined }, h('td', {}, String(p.rank)), h('td', {}, swatch(p.seat), p.player), h('td', { class: 'num' }, `${p.wins}–${p.losses}`), h('td', { class: 'num' }, String(p.points))))),
  );
}
