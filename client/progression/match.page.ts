import type { Match, MatchEntry } from '../../shared/match.schema.ts';
import { api } from '../shell/api.ts';
import type { StoredMatch } from '../../shared/gan-match.schema.ts';
import { mountGanMatch } from './gan-match.page.ts';
import { CurveChart, type CurveSeries } from '../widgets/curve-chart.ts';
import { fairSeedPanel } from '../widgets/fair-seed.panel.ts';
import { UNRATED_LABEL } from '../../shared/seed-commitment.ts';
import { h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';
import { seatCss } from '../widgets/palette.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { runDownloads } from '../widgets/run-downloads.ts';
import { layerActivations, layerLabel } from '../../shared/model-spec.shapes.ts';
import { ReplayPlayer } from '../widgets/replay-player.ts';
import { isPageShortcut } from '../widgets/page-keys.ts';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
/** How long a replay of the whole race takes on screen at 1× (ms). */
const REPLAY_MS = 8000;

function seriesOf(entries: MatchEntry[], upTo: number): CurveSeries[] {
  return entries.flatMap((e) => {
    if (!e.curve) return [];
    const n = e.curve.samples.findIndex((s) => s > upTo);
    const end = n === -1 ? e.curve.samples.length : n;
    return [{ seat: e.seat, label: e.player, samples: e.curve.samples.slice(0, end), loss: e.curve.loss.slice(0, end), valAccuracy: e.curve.valAccuracy.slice(0, end) }];
  });
}

/**
 * A stored match: its ranking with the held-out scores, each entry's network
 * and run, the learning curves, which a replay (button or space) draws
 * again from the start as they came in during the race, at 0.5×–8×, and its fair seed
 * (commitment, reveal, the browser's check and the replay command).
 */
export async function mountMatch(app: HTMLElement, id: string, renderer: RendererKind, page = new PageScope()): Promise<PageScope> {
  app.replaceChildren(h('section', { class: 'panel' }, h('p', { class: 'muted' }, 'Loading the match…')));
  let stored: StoredMatch;
  try {
    stored = await api.match(id);
  } catch (err) {
    if (!page.disposed) app.replaceChildren(h('section', { class: 'panel' }, h('h2', {}, 'Match'), h('p', { class: 'error-text' }, err instanceof Error ? err.message : String(err))));
    return page;
  }
  if (page.disposed) return page;
  if (stored.kind === 'gan') return mountGanMatch(app, stored, renderer, page);
  const match: Match = stored;
  const ranked = [...match.entries].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99) || a.seat - b.seat);
  const replayBtn = h('button', { id: 'replay', type: 'button', title: 'Replay the race (space)' }, 'Replay');
  const progress = h('div', { class: 'track', id: 'replay-progress', style: 'flex:1' }, h('div', { style: 'width:100%' }));
  const chartHost = h('div', { class: 'chart-wrap', id: 'match-chart' });
  const hasCurves = match.entries.some((e) => e.curve);
  let chart: CurveChart | undefined;
  const player = new ReplayPlayer(page, REPLAY_MS, (t) => chart?.update(seriesOf(match.entries, t * match.budget), match.budget), progress);
  app.replaceChildren(
    h(
      'section',
      { class: 'panel', id: 'match' },
      h('h2', {}, `Race on ${match.task.name}`, match.rated ? '' : h('span', { class: 'badge unrated', id: 'match-unrated' }, UNRATED_LABEL)),
      h('p', { class: 'muted' }, `${match.entries.length} entries · budget ${match.budget.toLocaleString('en')} samples · seed ${match.seed} · ${match.finishedAt.slice(0, 16).replace('T', ' ')}`),
      ...(match.status === 'aborted' ? [h('p', { class: 'error-text', id: 'match-aborted' }, `Called off: ${match.abortReason ?? 'aborted'}. Nobody's rating or XP changed for it.`)] : []),
      // The ranking scrolls sideways on a phone instead of widening the page.
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { id: 'match-ranking' },
          h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Player'), h('th', {}, 'Network'), h('th', { class: 'num' }, 'Held-out'), h('th', { class: 'num' }, 'Val. acc.'), h('th', { class: 'num' }, 'Samples'), h('th', {}, 'Download'))),
          h(
            'tbody',
            {},
            ...ranked.map((e) =>
              h(
                'tr',
                { 'data-seat': String(e.seat) },
                h('td', {}, e.rank ? String(e.rank) : '—'),
                h('td', {}, h('span', { class: 'swatch', style: `background:${seatCss(e.seat)}` }), e.playerId ? h('a', { href: `#/players/${e.playerId}` }, e.player) : e.player),
                h('td', { class: 'muted' }, `${e.spec.layers.map(layerLabel).join('-')} ${[...new Set(layerActivations(e.spec.layers))].join('/')} · ${e.spec.optimizer} ${e.spec.learningRate}`),
                h('td', { class: 'num' }, pct(e.heldOutAccuracy)),
                h('td', { class: 'num' }, pct(e.valAccuracy)),
                h('td', { class: 'num' }, e.samples.toLocaleString('en')),
                h('td', {}, e.status === 'finished' ? runDownloads(e.runId) : h('span', { class: 'muted' }, e.error ?? e.status)),
              ),
            ),
          ),
        ),
      ),
    ),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'row' }, h('h2', { style: 'flex:0;white-space:nowrap;margin:0' }, 'Learning curves'), progress, h('div', { style: 'flex:0' }, replayBtn)),
      ...(hasCurves ? [player.element, chartHost] : [h('p', { class: 'muted' }, 'This match was stored before curves were kept: there is nothing to replay.')]),
    ),
    fairSeedPanel(match),
  );
  if (!hasCurves) {
    replayBtn.disabled = true;
    return page;
  }
  const drawn = new CurveChart(chartHost);
  drawn.waitFor('starting the renderer to draw the stored curves…');
  await drawn.init(renderer);
  page.add(() => drawn.destroy());
  if (page.disposed) return page;
  chart = drawn;
  drawn.update(seriesOf(match.entries, match.budget), match.budget);
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
