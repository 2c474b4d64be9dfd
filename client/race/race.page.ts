import type { Room } from '@colyseus/sdk';
import type { RaceClientMessages, RaceErrorMessage, RaceResultMessage } from '../../shared/race.messages.ts';
import type { RaceEntry, RaceState } from '../../shared/race.state.ts';
import { TaskSpec } from '../../shared/task.schema.ts';
import { CurveChart } from '../widgets/curve-chart.ts';
import { curveWaitText } from '../widgets/curve-wait.ts';
import { byId, h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';
import { roomSender } from '../shell/room-sender.ts';
import { seedMetaText } from '../widgets/fair-seed.panel.ts';
import { seatCss } from '../widgets/palette.ts';
import { rendererLabel, type RendererKind } from '../shell/renderer-choice.ts';
import { SpecEditor } from '../designer/spec-editor.ts';
import { SteerPanel } from './steer.panel.ts';
import { toast } from '../shell/toast.ts';
import { EndingPanel } from '../widgets/ending.panel.ts';
import { raceEnding } from './race-ending.ts';
import { RunOutlooks } from '../widgets/run-outlook.ts';
import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import { roomPlayback } from '../widgets/spectator-playback.ts';
import { isPageShortcut } from '../widgets/page-keys.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function phaseText(state: RaceState): string {
  switch (state.phase) {
    case 'lobby':
      return `Waiting for players · ${state.entries.size} joined, ${state.minPlayers} needed`;
    case 'countdown':
      return `Starting in ${state.countdown}s`;
    case 'training':
      return 'Training';
    case 'finished':
      return state.abortReason ? `Called off: ${state.abortReason} · nobody's rating or XP changed` : 'Finished';
    default:
      return state.phase;
  }
}

/**
 * The race page: the designer for players, live standings and learning curves
 * for everyone, and links to invite players or spectators. Everything it
 * starts lives in `page` (its chart, key handlers and room listeners).
 */
export async function mountRace(app: HTMLElement, room: Room<any, RaceState>, role: 'player' | 'spectator', renderer: () => Promise<RendererKind>, page = new PageScope()): Promise<PageScope> {
  const isPlayer = role === 'player';
  const send = roomSender<typeof RaceClientMessages>(room);
  const base = `${location.origin}${location.pathname}`;
  const playLink = `${base}?room=${room.roomId}`;
  const watchLink = `${base}?room=${room.roomId}&spectate=1`;
  history.replaceState(null, '', isPlayer ? playLink : watchLink);

  const submitBtn = h('button', { id: 'submit-spec', type: 'button', title: 'Enter this network (Enter)' }, 'Enter this network');
  const readyBtn = h('button', { id: 'ready', type: 'button', class: 'ghost', title: 'Toggle ready (r)' }, 'Ready');
  // Defined before anything is awaited: the editor calls updateButtons while the chart may still be starting.
  const me = () => room.state.entries?.get(room.sessionId) as RaceEntry | undefined;
  const editor = new SpecEditor(TaskSpec.parse({}), () => updateButtons());
  const shareInput = (id: string, value: string) => h('input', { id, value, readonly: true, 'aria-label': id });
  const steer = isPlayer ? new SteerPanel(room, page) : undefined;
  // Players steer, so they see live; a spectator may watch slower or faster than live (never past it).
  let shown: RaceState = room.state;
  const view = () => (isPlayer ? room.state : shown);
  let draw = (): void => {};
  const playback = isPlayer
    ? undefined
    : roomPlayback<RaceState, RaceResultMessage>(page, (state, result) => {
        shown = state;
        if (result) showResult(result);
        draw();
      });

  app.replaceChildren(
    h(
      'div',
      { class: 'race-layout' },
      h(
        'aside',
        {},
        isPlayer
          ? h('section', { class: 'panel', id: 'designer' }, h('h2', {}, 'Your network'), editor.element, h('div', { class: 'row' }, submitBtn, readyBtn), h('p', { class: 'muted' }, 'Keys: ', h('kbd', {}, 'Enter'), ' enter · ', h('kbd', {}, 'r'), ' ready · ', h('kbd', {}, 't'), ' theme'))
          : h('section', { class: 'panel', id: 'spectating' }, h('h2', {}, 'Spectating'), h('p', { class: 'muted' }, 'You are watching this race. Players steer; spectators follow every curve, live or at their own speed.'), h('p', { class: 'muted' }, 'Keys: ', h('kbd', {}, ','), h('kbd', {}, '.'), ' slower, faster · ', h('kbd', {}, 'l'), ' live · ', h('kbd', {}, 't'), ' theme')),
        steer?.element ?? '',
        h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Invite'),
          h('label', { for: 'play-link' }, 'Players join with'),
          h('div', { class: 'share' }, shareInput('play-link', playLink)),
          h('label', { for: 'watch-link' }, 'Spectators watch with'),
          h('div', { class: 'share' }, shareInput('watch-link', watchLink)),
        ),
      ),
      h(
        'div',
        { id: 'race-main' },
        h(
          'section',
          { class: 'panel' },
          h('div', { class: 'row' }, h('div', {}, h('span', { class: 'phase', id: 'phase' }, 'Loading the room…')), h('div', { class: 'muted', id: 'race-meta', style: 'text-align:right' })),
          playback?.element ?? '',
          h('div', { class: 'chart-wrap', id: 'chart' }),
          h('div', { class: 'row smoothing' }, h('label', { for: 'smoothing' }, 'Smoothing'), h('input', { id: 'smoothing', type: 'range', min: '0', max: '0.95', step: '0.05', value: '0', 'aria-label': 'curve smoothing (debiased moving average)' })),
        ),
        h('section', { class: 'panel' }, h('h2', {}, 'Standings'), h('table', { id: 'standings' })),
      ),
    ),
  );

  const chart = new CurveChart(byId('chart'));
  // The designer's buttons and keys work while the chart's renderer starts (seconds on a software WebGPU): a player
  // who enters a network at once is heard (the chart takes its data before it has started and draws it then).
  const chartStarted = renderer().then((kind) => chart.init(kind));
  function updateButtons(): void {
    if (!isPlayer) return;
    const entry = me();
    const open = room.state.phase === 'lobby' || room.state.phase === 'countdown';
    const valid = !('error' in editor.read());
    submitBtn.disabled = !open || !valid;
    readyBtn.disabled = !open || !entry?.summary;
    readyBtn.textContent = entry?.status === 'ready' ? 'Not ready' : 'Ready';
    editor.setDisabled(!open);
  }
  const submit = () => {
    const r = editor.read();
    if ('error' in r) toast(r.error);
    else send('spec', { spec: r.spec });
  };
  const toggleReady = () => send('ready', { ready: me()?.status !== 'ready' });
  submitBtn.addEventListener('click', submit);
  readyBtn.addEventListener('click', toggleReady);
  if (isPlayer) {
    page.listen(document, 'keydown', (e) => {
      const tag = (e.target as HTMLElement).tagName;
      if (e.key === 'Enter' && tag === 'INPUT' && !submitBtn.disabled) submit();
      else if (e.key === 'r' && isPageShortcut(e) && !readyBtn.disabled) toggleReady();
    });
  }

  const used = await chartStarted;
  page.add(() => chart.destroy());
  if (page.disposed) return page;
  const smoothing = byId<HTMLInputElement>('smoothing');
  smoothing.addEventListener('input', () => chart.setSmoothing(Number(smoothing.value)));
  byId('renderer-badge').textContent = rendererLabel(used);

  page.onMessage(room, 'error', (err: RaceErrorMessage) => toast(err.message));
  page.onMessage(room, 'notice', (n: RoomNoticeMessage) => toast(n.message, 'info'));
  let ending: EndingPanel | undefined;
  page.add(() => ending?.destroy());
  const showResult = (res: RaceResultMessage) => {
    if (res.matchId && !document.getElementById('match-link')) byId('phase').after(h('a', { id: 'match-link', href: `${location.pathname}#/matches/${res.matchId}`, class: 'match-link' }, 'Match page and replay →'));
    ending?.destroy();
    ending = new EndingPanel(raceEnding(res, isPlayer, room.state.task), { rematch: () => send('rematch', {}) });
    ending.mount(byId('race-main'));
    ending.setRematch(room.state.rematch);
  };
  page.onMessage(room, 'result', (res: RaceResultMessage) => {
    if (playback) playback.push({ state: room.state.clone(), result: res });
    else showResult(res);
  });

  const outlooks = new RunOutlooks();
  const render = () => {
    const state = view();
    if (!state.entries) return; // joined, but the first state has not come yet: onStateChange renders it
    byId('phase').textContent = phaseText(state);
    ending?.setRematch(state.rematch);
    if (state.abortReason && state.matchId && !document.getElementById('match-link')) byId('phase').after(h('a', { id: 'match-link', href: `${location.pathname}#/matches/${state.matchId}`, class: 'match-link' }, 'Match page →'));
    const pace = state.paceSeconds ? ` · paced over ${state.paceSeconds}s` : '';
    const seed = seedMetaText(state.fairSeed);
    byId('race-meta').textContent = `${state.task} · budget ${state.budget.toLocaleString('en')} samples${pace}${seed ? ` · ${seed}` : ''} · ${state.spectators} watching`;
    steer?.update(state, me());
    const entries = [...state.entries.values()].sort((a, b) => (a.rank && b.rank ? a.rank - b.rank : b.valAccuracy - a.valAccuracy || a.seat - b.seat));
    chart.waitFor(curveWaitText(state.phase));
    chart.update(
      entries.map((e) => ({ seat: e.seat, label: e.player, samples: [...e.curveSamples], loss: [...e.curveLoss], valAccuracy: [...e.curveValAccuracy] })),
      state.budget,
    );
    const finished = state.phase === 'finished';
    outlooks.begin();
    // Each entry's time left (under its progress bar), best so far and trend (with its validation accuracy), once it has a run.
    const outlookOf = (e: RaceEntry) => (e.runId ? outlooks.parts({ key: `${e.seat}:${e.runId}`, samples: e.samples, budget: state.budget, valAccuracy: e.valAccuracy, over: finished || e.status !== 'training', curveSamples: e.curveSamples, curveValAccuracy: e.curveValAccuracy }) : undefined);
    const table = byId<HTMLTableElement>('standings');
    table.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Player'), h('th', {}, 'Network'), h('th', {}, 'Progress'), h('th', { class: 'num' }, 'Loss'), h('th', { class: 'num' }, 'Val. acc.'), h('th', { class: 'num' }, finished ? 'Held-out' : 'Status'))),
      h(
        'tbody',
        {},
        ...entries.map((e, i) => {
          const outlook = outlookOf(e);
          return h(
            'tr',
            { 'data-seat': String(e.seat) },
            h('td', {}, String(finished ? e.rank : i + 1)),
            h('td', {}, h('span', { class: 'swatch', style: `background:${seatCss(e.seat)}` }), e.player + (e.connected ? '' : ' (away)')),
            h('td', { class: 'muted' }, e.summary || '—'),
            h('td', {}, h('div', { class: 'track', title: `${e.samples} of ${state.budget} samples` }, h('div', { style: `width:${Math.min(100, (100 * e.samples) / Math.max(1, state.budget))}%;background:${seatCss(e.seat)}` })), outlook ? h('div', { class: 'outlook-under' }, outlook.eta) : ''),
            h('td', { class: 'num' }, e.samples ? e.loss.toFixed(3) : '—'),
            h('td', { class: 'num' }, e.samples ? pct(e.valAccuracy) : '—', outlook ? ' ' : '', outlook?.trend ?? '', outlook ? h('div', { class: 'outlook-under' }, outlook.best) : ''),
            h('td', { class: 'num' }, finished ? pct(e.heldOutAccuracy) : e.status),
          );
        }),
      ),
    );
    updateButtons();
  };
  draw = page.frame(render);
  if (playback) {
    // Each change is kept as a copy: the view may show it later, after the room has moved on.
    const record = () => playback.push({ state: room.state.clone() });
    page.onStateChange(room, record);
    record();
  } else page.onStateChange(room, draw);
  render();
  return page;
}
