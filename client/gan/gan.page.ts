import type { Room } from '@colyseus/sdk';
import type { GanClientMessages, GanErrorMessage, GanResultMessage, GanRole, GanRoundMessage, GanWelcomeMessage } from '../../shared/gan.messages.ts';
import type { GanSeat, GanState } from '../../shared/gan.state.ts';
import { savedName } from '../shell/arena-client.ts';
import { byId, h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';
import { roomSender } from '../shell/room-sender.ts';
import { seedMetaText } from '../widgets/fair-seed.panel.ts';
import { GanDesignForm } from './gan-design.ts';
import { GanPlane } from './gan-plane.view.ts';
import { MiniCurves } from '../widgets/mini-curves.ts';
import { rendererLabel, type RendererKind } from '../shell/renderer-choice.ts';
import { roomPlayback } from '../widgets/spectator-playback.ts';
import { toast } from '../shell/toast.ts';
import { EndingPanel } from '../widgets/ending.panel.ts';
import { endingHost } from '../widgets/ending-host.ts';
import { ganEnding } from './gan-ending.ts';
import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import { isPageShortcut } from '../widgets/page-keys.ts';

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—');
const fixed = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const SIDE_LABEL: Record<GanRole, string> = { generator: 'Generator', discriminator: 'Discriminator' };
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const other = (r: GanRole): GanRole => (r === 'generator' ? 'discriminator' : 'generator');

function phaseText(s: GanState): string {
  switch (s.phase) {
    case 'lobby': {
      const seated = ['generator', 'discriminator'].filter((r) => s.seats.get(r)?.player).length;
      return seated < 2 ? 'Waiting for an opponent' : 'Waiting for both players to be ready';
    }
    case 'training':
      return `Round ${s.round} of ${s.rounds} · iteration ${s.iteration} of ${s.iterationsPerRound}`;
    case 'break':
      return `Break · round ${s.round + 1} in ${s.countdown}s`;
    case 'finished':
      return s.winner ? `${SIDE_LABEL[s.winner as GanRole] ?? s.winner} wins` : 'Finished';
    default:
      return s.phase;
  }
}

/**
 * A GAN battle: a player designs their side (generator or discriminator)
 * between rounds; everyone watches the discriminator's heatmap with the real
 * and generated points over it, both losses and the distance live, and the
 * round scores.
 */
export async function mountGan(app: HTMLElement, room: Room<any, GanState>, role: 'player' | 'spectator', renderer: () => Promise<RendererKind>, page = new PageScope()): Promise<PageScope> {
  const isPlayer = role === 'player';
  const send = roomSender<typeof GanClientMessages>(room);
  let side: GanRole | undefined;
  let rerender: (() => void) | undefined; // set once the page is drawn
  // Registered before anything is awaited: the welcome may be the next message.
  page.onMessage(room, 'welcome', (w: GanWelcomeMessage) => {
    side = w.side;
    rerender?.();
  });
  page.onMessage(room, 'error', (err: GanErrorMessage) => toast(err.message));
  page.onMessage(room, 'notice', (n: RoomNoticeMessage) => toast(n.message, 'info'));
  const roundToast = (r: { round: number; winner: string; distance: number; dAccuracy: number }) => toast(`Round ${r.round}: ${SIDE_LABEL[r.winner as GanRole] ?? r.winner} takes it (distance ${fixed(r.distance)}, discriminator ${pct(r.dAccuracy)})`, 'info');
  // Players play live; a spectator may watch slower or faster than live (never past it): rounds are announced as their state is shown.
  if (isPlayer) page.onMessage(room, 'round', (r: GanRoundMessage) => roundToast(r));
  let ending: EndingPanel | undefined;
  page.add(() => ending?.destroy());
  const showResult = (res: GanResultMessage) => {
    ending?.destroy();
    ending = new EndingPanel(ganEnding(res, isPlayer, room.state.distribution), { rematch: () => send('rematch', {}) });
    ending.mount(endingHost(app));
    ending.setRematch(room.state.rematch);
  };
  let shown: GanState = room.state;
  let roundsShown = -1;
  let draw = (): void => {};
  const playback = isPlayer
    ? undefined
    : roomPlayback<GanState, GanResultMessage>(page, (state, result) => {
        shown = state;
        const results = [...(state.results ?? [])];
        if (roundsShown >= 0) for (const r of results.slice(roundsShown)) roundToast(r);
        roundsShown = results.length;
        if (result && !ending) showResult(result);
        draw();
      });
  const view = () => (isPlayer ? room.state : shown);
  page.onMessage(room, 'result', (res: GanResultMessage) => {
    if (playback) playback.push({ state: room.state.clone(), result: res });
    else showResult(res);
  });
  page.onStateChange(room, () => ending?.setRematch(room.state.rematch));

  const base = `${location.origin}${location.pathname}`;
  const playLink = `${base}?room=${room.roomId}`;
  const watchLink = `${base}?room=${room.roomId}&spectate=1`;
  history.replaceState(null, '', isPlayer ? playLink : watchLink);

  // Defined before anything is awaited: the form may call back while the canvases start.
  const mySeat = (): GanSeat | undefined => {
    if (!side && isPlayer) {
      // Rejoined or missed the welcome: find our seat by name.
      const name = savedName();
      side = (['generator', 'discriminator'] as const).find((r) => room.state.seats?.get(r)?.player === name);
    }
    return side ? room.state.seats?.get(side) : undefined;
  };
  const designOpen = () => room.state.phase !== 'finished';
  const readyOpen = () => room.state.phase === 'lobby' || room.state.phase === 'break';
  const form = new GanDesignForm(() => updateButtons());
  const applyBtn = h('button', { id: 'gan-apply', type: 'button', title: 'Use this design from the next round (Enter)' }, 'Apply design');
  const readyBtn = h('button', { id: 'gan-ready', type: 'button', class: 'ghost', title: 'Toggle ready (r)' }, 'Ready');
  const sideTitle = h('h2', { id: 'gan-side' }, 'Your side');
  const shareInput = (id: string, value: string) => h('input', { id, value, readonly: true, 'aria-label': id });
  const swatch = (v: string) => h('span', { class: 'swatch', style: `background:var(${v})` });

  app.replaceChildren(
    h(
      'div',
      { class: `race-layout gan-layout${isPlayer ? '' : ' spectator-view'}` },
      h(
        'aside',
        {},
        isPlayer
          ? h(
              'section',
              { class: 'panel', id: 'gan-designer' },
              sideTitle,
              h('p', { class: 'muted', id: 'gan-side-hint' }),
              form.element,
              h('div', { class: 'row' }, applyBtn, readyBtn),
              h('p', { class: 'muted' }, 'Keys: ', h('kbd', {}, 'Enter'), ' apply · ', h('kbd', {}, 'r'), ' ready · ', h('kbd', {}, 't'), ' theme'),
            )
          : h(
              'section',
              { class: 'panel', id: 'spectating' },
              h('h2', {}, 'Spectating'),
              h('p', { class: 'muted' }, 'You are watching a GAN battle: the generator forges points, the discriminator learns to tell them from the real ones. Watch live or at your own speed.'),
              playback?.element ?? '',
              h('p', { class: 'muted' }, 'Keys: ', h('kbd', {}, ','), h('kbd', {}, '.'), ' slower, faster · ', h('kbd', {}, 'l'), ' live · ', h('kbd', {}, 't'), ' theme'),
            ),
        h('section', { class: 'panel', id: 'gan-seats' }),
        h('section', { class: 'panel' }, h('h2', {}, 'Invite'), h('label', { for: 'play-link' }, 'The opponent joins with'), h('div', { class: 'share' }, shareInput('play-link', playLink)), h('label', { for: 'watch-link' }, 'Spectators watch with'), h('div', { class: 'share' }, shareInput('watch-link', watchLink))),
      ),
      h(
        'div',
        {},
        h('section', { class: 'panel banner', id: 'gan-winner', hidden: true }),
        h(
          'section',
          { class: 'panel' },
          h('div', { class: 'row' }, h('div', {}, h('span', { class: 'phase', id: 'phase' }, 'Loading the room…')), h('div', { class: 'muted', id: 'gan-meta', style: 'text-align:right' })),
          h(
            'div',
            { class: 'gan-stage' },
            h('div', {}, h('div', { class: 'gan-plane', id: 'gan-plane' }), h(
              'div',
              { class: 'legend', id: 'gan-legend' },
              h('span', {}, swatch('--gan-real'), 'real points'),
              h('span', {}, swatch('--gan-generated'), 'generated points'),
              h('span', {}, h('span', { class: 'heat-scale' }), 'discriminator: fake ← → real'),
            )),
            h('div', {}, h('div', { class: 'gan-curves', id: 'gan-curves' }), h('p', { class: 'muted stat', id: 'gan-figures' })),
          ),
        ),
        h('section', { class: 'panel' }, h('h2', {}, 'Rounds'), h('div', { class: 'table-scroll' }, h('table', { id: 'gan-scores' })), h('p', { class: 'muted', id: 'gan-scores-empty' }, 'No round scored yet. A round goes to the generator when its points come close to the real ones, to the discriminator when it still tells them apart.')),
      ),
    ),
  );

  const plane = new GanPlane(byId('gan-plane'));
  const curves = new MiniCurves(byId('gan-curves'));
  // The form's buttons and keys work while the renderers start (seconds on a software WebGPU): a click is heard.
  const started = (async () => {
    const preference = await renderer();
    const kind = await plane.init(preference);
    await curves.init(preference, 'Both losses and the distance between real and generated points over the round');
    return kind;
  })();
  function updateButtons(): void {
    if (!isPlayer) return;
    const seat = mySeat();
    const valid = !('error' in form.read());
    applyBtn.disabled = !seat || !designOpen() || !valid;
    readyBtn.disabled = !seat || !readyOpen() || !valid;
    readyBtn.textContent = seat?.ready ? 'Not ready' : 'Ready';
    form.setDisabled(!designOpen());
  }
  const apply = () => {
    const r = form.read();
    if ('error' in r) toast(r.error);
    else if (side) send('design', { side, network: r.network });
  };
  const toggleReady = () => {
    const seat = mySeat();
    if (!seat) return;
    if (!seat.ready) apply(); // ready means "with what the form shows"
    send('ready', { ready: !seat.ready });
  };
  applyBtn.addEventListener('click', apply);
  readyBtn.addEventListener('click', toggleReady);
  if (isPlayer) {
    page.listen(document, 'keydown', (e) => {
      const tag = (e.target as HTMLElement).tagName;
      if (e.key === 'Enter' && tag === 'INPUT' && !applyBtn.disabled) apply();
      else if (e.key === 'r' && isPageShortcut(e) && !readyBtn.disabled) toggleReady();
    });
  }

  const used = await started;
  page.add(() => plane.destroy());
  page.add(() => curves.destroy());
  if (page.disposed) return page;
  byId('renderer-badge').textContent = rendererLabel(used);

  const seatCard = (r: GanRole, seat: GanSeat | undefined, state: GanState) =>
    h(
      'div',
      { class: `gan-seat${state.winner === r ? ' winner' : ''}${side === r ? ' mine' : ''}`, 'data-side': r },
      h('div', { class: 'row' }, h('strong', {}, swatch(r === 'generator' ? '--gan-generated' : '--gan-says-real'), SIDE_LABEL[r]), h('span', { class: 'muted', style: 'text-align:right' }, seat?.ready && state.phase !== 'finished' ? 'ready' : '')),
      h('div', {}, seat?.player ? seat.player + (seat.connected ? '' : ' (away)') + (side === r ? ' (you)' : '') : h('span', { class: 'muted' }, 'open seat')),
      h('div', { class: 'muted' }, seat?.summary ?? ''),
      h('div', { class: 'stat' }, `${plural(seat?.roundsWon ?? 0, 'round')} · ${plural(seat?.points ?? 0, 'point')}`),
    );

  const render = () => {
    const s = view();
    if (!s.seats) return;
    byId('phase').textContent = phaseText(s);
    const seed = seedMetaText(s.fairSeed);
    byId('gan-meta').textContent = `${s.distribution} · best of ${s.rounds} · ${s.iterationsPerRound} iterations a round${seed ? ` · ${seed}` : ''} · ${s.spectators} watching`;
    if (isPlayer && side) {
      sideTitle.textContent = `Your side: ${SIDE_LABEL[side]}`;
      byId('gan-side-hint').textContent =
        side === 'generator' ? 'Your network turns noise into points: make them land where the real ones are.' : 'Your network says how real a point looks: keep telling the forged ones apart.';
    }
    const opponent = side ? s.seats.get(other(side)) : undefined;
    if (isPlayer && opponent && !opponent.player && s.phase === 'lobby') sideTitle.title = 'Share the player link with your opponent';
    byId('gan-seats').replaceChildren(h('h2', {}, 'Players'), h('div', { class: 'gan-seat-grid' }, seatCard('generator', s.seats.get('generator'), s), seatCard('discriminator', s.seats.get('discriminator'), s)));

    plane.update({ real: s.real, generated: s.generated, heatmap: s.heatmap, resolution: s.heatmapResolution, extent: s.heatmapExtent });
    curves.waitFor(s.phase === 'lobby' ? 'waiting for both players: the losses appear once the round trains' : s.phase === 'training' ? 'waiting for the first iterations of the round…' : `no points yet (${s.phase})`);
    byId('gan-curves').dataset.iteration = String(s.curveIteration.at(-1) ?? 0);
    curves.update([...s.curveIteration], s.iterationsPerRound, [
      {
        title: 'Loss',
        series: [
          { label: 'discriminator', colorVar: '--gan-says-real', fallback: '#16a34a', ys: [...s.curveDLoss] },
          { label: 'generator', colorVar: '--gan-generated', fallback: '#f97316', ys: [...s.curveGLoss] },
        ],
      },
      {
        title: 'Distance',
        series: [
          { label: 'generated', colorVar: '--accent', fallback: '#6a4cff', ys: [...s.curveDistance] },
          { label: 'collapsed', colorVar: '--muted', fallback: '#5d6478', ys: [s.referenceDistance], dashed: true },
        ],
      },
    ]);
    byId('gan-figures').textContent = s.round
      ? `discriminator accuracy ${pct(s.dAccuracy)} · distance ${fixed(s.distance)} (a generator collapsed on the origin: ${fixed(s.referenceDistance)})`
      : `A generator collapsed on the origin would be ${fixed(s.referenceDistance)} away.`;

    const results = [...s.results];
    byId('gan-scores-empty').hidden = results.length > 0;
    byId<HTMLTableElement>('gan-scores').replaceChildren(
      h('thead', {}, h('tr', {}, h('th', {}, 'Round'), h('th', { class: 'num', title: 'between the real and the generated points' }, 'Distance'), h('th', { class: 'num', title: "the discriminator's accuracy" }, 'D acc.'), h('th', { class: 'num', title: "the generator's points" }, 'G pts'), h('th', { class: 'num', title: "the discriminator's points" }, 'D pts'), h('th', {}, 'Winner'))),
      h(
        'tbody',
        {},
        ...results.map((r) =>
          h(
            'tr',
            { 'data-round': String(r.round) },
            h('td', {}, String(r.round)),
            h('td', { class: 'num' }, fixed(r.distance)),
            h('td', { class: 'num' }, pct(r.dAccuracy)),
            h('td', { class: 'num' }, `${r.generatorPoints}`),
            h('td', { class: 'num' }, `${r.discriminatorPoints}`),
            h('td', {}, swatch(r.winner === 'generator' ? '--gan-generated' : '--gan-says-real'), SIDE_LABEL[r.winner as GanRole] ?? r.winner),
          ),
        ),
      ),
    );
    const banner = byId('gan-winner');
    banner.hidden = s.phase !== 'finished' || !s.winner;
    if (!banner.hidden) {
      const w = s.winner as GanRole;
      const seat = s.seats.get(w);
      banner.replaceChildren(h('div', { class: 'banner-title' }, h('span', { class: 'trophy', 'aria-hidden': 'true' }), `${seat?.player || SIDE_LABEL[w]} wins as the ${w}`), h('div', { class: 'muted' }, `${plural(seat?.roundsWon ?? 0, 'round')} to ${s.seats.get(other(w))?.roundsWon ?? 0} · ${plural(seat?.points ?? 0, 'point')}`));
    }
    updateButtons();
  };
  const schedule = page.frame(render);
  rerender = schedule;
  draw = schedule;
  if (playback) {
    // Each change is kept as a copy: the view may show it later, after the room has moved on.
    const record = () => playback.push({ state: room.state.clone() });
    page.onStateChange(room, record);
    record();
  } else page.onStateChange(room, schedule);
  render();
  return page;
}
