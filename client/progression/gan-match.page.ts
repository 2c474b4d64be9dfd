import type { GanMatch } from '../../shared/gan-match.schema.ts';
import { UNRATED_LABEL } from '../../shared/seed-commitment.ts';
import { h } from '../shell/dom.ts';
import { ReplayPlayer } from '../widgets/replay-player.ts';
import type { PageScope } from '../shell/page-scope.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { CurveChart, type CurveSeries } from '../widgets/curve-chart.ts';
import { fairSeedPanel } from '../widgets/fair-seed.panel.ts';
import { seatCss } from '../widgets/palette.ts';
import { isPageShortcut } from '../widgets/page-keys.ts';

/** How long a replay of every round takes on screen at 1× (ms). */
const REPLAY_MS = 8000;
const fixed = (v: number | null, digits: number) => (v === null ? '—' : v.toFixed(digits));

/**
 * One series per round, up to `upTo` iterations: the generator's loss, and how close its points came to
 * the real ones (1 − distance / reference: what its points are scored on, 0 for a generator collapsed
 * onto the origin) on the accuracy axis.
 */
function seriesOf(battle: GanMatch, upTo: number): CurveSeries[] {
  return battle.rounds.flatMap((r, i) => {
    if (!r.curve) return [];
    const n = r.curve.iteration.findIndex((x) => x > upTo);
    const end = n === -1 ? r.curve.iteration.length : n;
    const close = r.curve.distance.slice(0, end).map((d) => Math.max(0, Math.min(1, 1 - d / battle.referenceDistance)));
    return [{ seat: i, label: `round ${r.round}`, samples: r.curve.iteration.slice(0, end), loss: r.curve.gLoss.slice(0, end), valAccuracy: close }];
  });
}

/**
 * A stored GAN battle: who played which side with which design, each round's figures and points, how the
 * battle was decided, each round's curves (replayed with the button or space, at 0.5×–8×), and its fair seed.
 */
export async function mountGanMatch(app: HTMLElement, battle: GanMatch, renderer: RendererKind, page: PageScope): Promise<PageScope> {
  const replayBtn = h('button', { id: 'replay', type: 'button', title: 'Replay the rounds (space)' }, 'Replay');
  const progress = h('div', { class: 'track', id: 'replay-progress', style: 'flex:1' }, h('div', { style: 'width:100%' }));
  const chartHost = h('div', { class: 'chart-wrap', id: 'match-chart' });
  const hasCurves = battle.rounds.some((r) => r.curve);
  let drawReplay = (_t: number): void => {};
  const player = new ReplayPlayer(page, REPLAY_MS, (t) => drawReplay(t), progress);
  const winner = battle.entries.find((e) => e.role === battle.winner);
  const design = (e: GanMatch['entries'][number]) => `${e.design.layers.map((l) => l.units).join('-')} ${[...new Set(e.design.layers.map((l) => l.activation))].join('/')} · ${e.design.optimizer} ${e.design.learningRate}`;
  app.replaceChildren(
    h(
      'section',
      { class: 'panel', id: 'match' },
      h('h2', {}, `GAN battle on ${battle.distribution}`, battle.rated ? '' : h('span', { class: 'badge unrated', id: 'match-unrated' }, UNRATED_LABEL)),
      h('p', { id: 'match-decided' }, h('strong', {}, `${winner?.player ?? battle.winner} (${battle.winner}) won`), `: ${battle.decidedBy}.`),
      h('p', { class: 'muted' }, `${battle.rounds.length} round${battle.rounds.length === 1 ? '' : 's'} of ${battle.iterationsPerRound.toLocaleString('en')} iterations · seed ${battle.seed} · ${battle.finishedAt.slice(0, 16).replace('T', ' ')}`),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { id: 'match-ranking' },
          h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Player'), h('th', {}, 'Side'), h('th', {}, 'Design'), h('th', { class: 'num' }, 'Rounds'), h('th', { class: 'num' }, 'Points'))),
          h(
            'tbody',
            {},
            ...[...battle.entries].sort((a, b) => (a.rank ?? 9) - (b.rank ?? 9)).map((e) =>
              h('tr', { 'data-seat': String(e.seat) }, h('td', {}, String(e.rank ?? '—')), h('td', {}, e.playerId ? h('a', { href: `#/players/${e.playerId}` }, e.player) : e.player), h('td', {}, e.role), h('td', { class: 'muted' }, design(e)), h('td', { class: 'num' }, String(e.rounds)), h('td', { class: 'num' }, String(e.points))),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { id: 'gan-rounds' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Round'), h('th', { class: 'num' }, 'Distance'), h('th', { class: 'num' }, 'D accuracy'), h('th', { class: 'num' }, 'Generator'), h('th', { class: 'num' }, 'Discriminator'), h('th', {}, 'Taken by'))),
          h('tbody', {}, ...battle.rounds.map((r) => h('tr', {}, h('td', {}, h('span', { class: 'swatch', style: `background:${seatCss(r.round - 1)}` }), String(r.round)), h('td', { class: 'num' }, fixed(r.distance, 3)), h('td', { class: 'num' }, r.dAccuracy === null ? '—' : `${(r.dAccuracy * 100).toFixed(1)}%`), h('td', { class: 'num' }, String(r.generatorPoints)), h('td', { class: 'num' }, String(r.discriminatorPoints)), h('td', {}, r.winner)))),
        ),
      ),
    ),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'row' }, h('h2', { style: 'flex:0;white-space:nowrap;margin:0' }, 'Rounds'), progress, h('div', { style: 'flex:0' }, replayBtn)),
      h('p', { class: 'muted' }, "Each round's generator loss, and how close its points came to the real ones (1 − distance / reference, what its points are scored on) on the lower axis."),
      ...(hasCurves ? [player.element, chartHost] : [h('p', { class: 'muted' }, 'No curve was kept for this battle: there is nothing to replay.')]),
    ),
    fairSeedPanel(battle, false),
  );
  if (!hasCurves) {
    replayBtn.disabled = true;
    return page;
  }
  const chart = new CurveChart(chartHost);
  chart.waitFor('starting the renderer to draw the stored curves…');
  page.add(() => chart.destroy());
  await chart.init(renderer);
  if (page.disposed) return page;
  const total = battle.iterationsPerRound;
  chart.update(seriesOf(battle, total), total);
  drawReplay = (t) => chart.update(seriesOf(battle, t * total), total);
  const replay = () => player.replay();
  replayBtn.addEventListener('click', replay);
  page.listen(document, 'keydown', (e) => {
    if (e.key === ' ' && isPageShortcut(e)) {
      e.preventDefault();
      replay();
    }
  });
  return page;
}
