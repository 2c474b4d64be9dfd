import type { Room } from '@colyseus/sdk';
import type { TournamentClientMessages, TournamentErrorMessage, TournamentResultMessage } from '../../shared/tournament.messages.ts';
import type { TournamentPlayer, TournamentState } from '../../shared/tournament.state.ts';
import { TaskName, TaskSpec } from '../../shared/task.schema.ts';
import { byId, h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';
import { roomSender } from '../shell/room-sender.ts';
import { UNRATED_LABEL } from '../../shared/seed-commitment.ts';
import { seatCss } from '../widgets/palette.ts';
import type { RendererKind } from '../shell/renderer-choice.ts';
import { SpecEditor } from '../designer/spec-editor.ts';
import { toast } from '../shell/toast.ts';
import { EndingPanel } from '../widgets/ending.panel.ts';
import { endingHost } from '../widgets/ending-host.ts';
import { tournamentEnding } from './tournament-ending.ts';
import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import { bracket, finalRanking, matchCard, standings } from './tournament-bracket.ts';
import { RunOutlooks } from '../widgets/run-outlook.ts';
import { roomPlayback } from '../widgets/spectator-playback.ts';
import { isPageShortcut } from '../widgets/page-keys.ts';

const FORMAT_LABEL: Record<string, string> = { single_elimination: 'single elimination', swiss: 'Swiss' };

function phaseText(s: TournamentState): string {
  const players = [...s.players.values()];
  switch (s.phase) {
    case 'lobby':
      return `Waiting for players · ${players.filter((p) => p.status === 'ready').length} of ${players.length} ready, ${s.minPlayers} needed`;
    case 'countdown':
      return `Starting in ${s.countdown}s`;
    case 'racing':
      return `Round ${s.round} of ${s.totalRounds} · racing`;
    case 'break':
      return `Break · round ${s.round + 1} of ${s.totalRounds} in ${s.countdown}s`;
    case 'finished':
      return 'Finished';
    default:
      return s.phase;
  }
}

/**
 * A tournament: the designer and ready for players, the bracket (single
 * elimination) or the standings (Swiss) for everyone, the current round's
 * matches live, and the champion and final ranking at the end. Spectators
 * see all of it read-only.
 */
export async function mountTournament(app: HTMLElement, room: Room<any, TournamentState>, role: 'player' | 'spectator', _renderer: () => Promise<RendererKind>, page = new PageScope()): Promise<PageScope> {
  const isPlayer = role === 'player';
  const send = roomSender<typeof TournamentClientMessages>(room);
  page.onMessage(room, 'welcome', () => {});
  page.onMessage(room, 'error', (err: TournamentErrorMessage) => toast(err.message));
  page.onMessage(room, 'notice', (n: RoomNoticeMessage) => toast(n.message, 'info'));
  let ending: EndingPanel | undefined;
  page.add(() => ending?.destroy());
  const showResult = (res: TournamentResultMessage, state: TournamentState) => {
    ending?.destroy();
    ending = new EndingPanel(tournamentEnding(res, state, isPlayer), { rematch: () => send('rematch', {}) });
    ending.mount(endingHost(app));
    ending.setRematch(room.state.rematch);
  };
  // Players see live; a spectator may watch slower or faster than live (never past it).
  let shown: TournamentState = room.state;
  const view = () => (isPlayer ? room.state : shown);
  let draw = (): void => {};
  const playback = isPlayer
    ? undefined
    : roomPlayback<TournamentState, TournamentResultMessage>(page, (state, result) => {
        shown = state;
        if (result) showResult(result, shown);
        draw();
      });
  page.onMessage(room, 'result', (res: TournamentResultMessage) => {
    if (playback) playback.push({ state: room.state.clone(), result: res });
    else showResult(res, room.state);
  });
  page.onStateChange(room, () => ending?.setRematch(room.state.rematch));

  // The designer needs the task, which comes with the first state (the room sets its id at creation).
  if (!room.state.tournamentId) {
    await new Promise<void>((resolve) => {
      room.onStateChange.once(() => resolve());
      page.add(resolve); // leaving before the first state must not leave the mount waiting
    });
  }
  if (page.disposed) return page;

  const base = `${location.origin}${location.pathname}`;
  const playLink = `${base}?room=${room.roomId}`;
  const watchLink = `${base}?room=${room.roomId}&spectate=1`;
  history.replaceState(null, '', isPlayer ? playLink : watchLink);

  const taskName = TaskName.safeParse(room.state.task);
  const editor = new SpecEditor(TaskSpec.parse({ name: taskName.success ? taskName.data : 'spiral' }), () => updateButtons());
  const submitBtn = h('button', { id: 'submit-spec', type: 'button', title: 'Enter this network (Enter)' }, 'Enter this network');
  const readyBtn = h('button', { id: 'ready', type: 'button', class: 'ghost', title: 'Toggle ready (r)' }, 'Ready');
  const designerHint = h('p', { class: 'muted', id: 'designer-hint' });
  const shareInput = (id: string, value: string) => h('input', { id, value, readonly: true, 'aria-label': id });

  app.replaceChildren(
    h(
      'div',
      { class: `race-layout tournament-layout${isPlayer ? '' : ' spectator-view'}` },
      h(
        'aside',
        {},
        isPlayer
          ? h('section', { class: 'panel', id: 'designer' }, h('h2', {}, 'Your network'), designerHint, editor.element, h('div', { class: 'row' }, submitBtn, readyBtn), h('p', { class: 'muted' }, 'Keys: ', h('kbd', {}, 'Enter'), ' enter · ', h('kbd', {}, 'r'), ' ready · ', h('kbd', {}, 't'), ' theme'))
          : h('section', { class: 'panel', id: 'spectating' }, h('h2', {}, 'Spectating'), h('p', { class: 'muted' }, 'You are watching this tournament: every match of every round, live or at your own speed.'), h('p', { class: 'muted' }, 'Keys: ', h('kbd', {}, ','), h('kbd', {}, '.'), ' slower, faster · ', h('kbd', {}, 'l'), ' live · ', h('kbd', {}, 't'), ' theme')),
        h('section', { class: 'panel' }, h('h2', {}, 'Players'), h('table', { id: 't-players' })),
        h('section', { class: 'panel' }, h('h2', {}, 'Invite'), h('label', { for: 'play-link' }, 'Players join with'), h('div', { class: 'share' }, shareInput('play-link', playLink)), h('label', { for: 'watch-link' }, 'Spectators watch with'), h('div', { class: 'share' }, shareInput('watch-link', watchLink))),
      ),
      h(
        'div',
        {},
        h('section', { class: 'panel banner', id: 'champion', hidden: true }),
        h('section', { class: 'panel' }, h('div', { class: 'row' }, h('div', {}, h('h2', { id: 't-title', style: 'margin:0' }), h('span', { class: 'phase', id: 'phase' }, 'Loading the room…')), h('div', { class: 'muted', id: 't-meta', style: 'text-align:right' })), playback?.element ?? ''),
        h('section', { class: 'panel', id: 'round-panel', hidden: true }, h('h2', { id: 'round-title' }), h('div', { class: 'round-matches', id: 'round-matches' })),
        h('section', { class: 'panel', id: 'table-panel' }, h('h2', { id: 'table-title' }), h('div', { id: 'table-body', class: 'table-scroll' }), h('p', { class: 'muted', id: 'bars-legend' }, 'While a match races: a bar for samples trained and a green one for validation accuracy. Once decided: the held-out accuracy, the winner in bold.')),
      ),
    ),
  );

  const me = () => room.state.players?.get(room.sessionId) as TournamentPlayer | undefined;
  function updateButtons(): void {
    if (!isPlayer) return;
    const p = me();
    const s = room.state;
    const gettingReady = s.phase === 'lobby' || s.phase === 'countdown';
    const canDesign = Boolean(p) && s.phase !== 'finished' && p?.status !== 'out';
    submitBtn.disabled = !canDesign || 'error' in editor.read();
    readyBtn.disabled = !gettingReady || !p?.summary;
    readyBtn.textContent = p?.status === 'ready' ? 'Not ready' : 'Ready';
    editor.setDisabled(!canDesign);
    designerHint.textContent = !p
      ? ''
      : p.status === 'out'
        ? 'You are out of the tournament; watch the rest.'
        : p.status === 'champion'
          ? 'You won the tournament.'
          : gettingReady
            ? p.summary
              ? `Entered: ${p.summary}`
              : 'Enter a network, then get ready.'
            : `Your next match uses: ${p.summary}. A new network applies from your next match.`;
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

  const outlooks = new RunOutlooks();
  const render = () => {
    const s = view();
    if (!s.players) return;
    outlooks.begin();
    byId('t-title').textContent = s.title;
    byId('phase').textContent = phaseText(s);
    byId('t-meta').textContent = `${FORMAT_LABEL[s.format] ?? s.format} · ${s.task} · ${s.budget.toLocaleString('en')} samples a match${s.paceSeconds ? ` paced over ${s.paceSeconds} s` : ''} · ${s.players.size} of ${s.maxPlayers} players · ${s.spectators} watching · ${s.rated ? 'rated (each match commits to its seed)' : UNRATED_LABEL}`;

    const players = [...s.players.values()].sort((a, b) => a.seat - b.seat);
    byId('t-players').replaceChildren(
      h('thead', {}, h('tr', {}, h('th', {}, 'Player'), h('th', { class: 'num' }, 'Params'), h('th', {}, 'Status'))),
      h(
        'tbody',
        {},
        ...players.map((p) =>
          h(
            'tr',
            { 'data-seat': String(p.seat), class: p === me() ? 'me' : undefined, title: p.summary },
            h('td', {}, h('span', { class: 'swatch', style: `background:${seatCss(p.seat)}` }), p.player + (p.connected ? '' : ' (away)')),
            h('td', { class: 'num' }, p.params ? p.params.toLocaleString('en') : '—'),
            h('td', {}, h('span', { class: `chip ${p.status}` }, p.status)),
          ),
        ),
      ),
    );

    const current = [...s.matches].filter((m) => m.round === s.round).sort((a, b) => a.index - b.index);
    const roundPanel = byId('round-panel');
    // Single elimination shows the round live in its bracket column; Swiss pairs afresh each round, so it gets its own panel.
    roundPanel.hidden = s.format !== 'swiss' || current.length === 0 || s.phase === 'finished';
    byId('round-title').textContent = s.phase === 'break' ? `Round ${s.round}: results` : `Round ${s.round}: live`;
    byId('round-matches').replaceChildren(...(roundPanel.hidden ? [] : current.map((m) => matchCard(m, s.budget, outlooks))));

    const swiss = s.format === 'swiss';
    byId('table-title').textContent = swiss ? 'Standings' : 'Bracket';
    const started = s.totalRounds > 0;
    byId('table-body').replaceChildren(
      !started ? h('p', { class: 'muted' }, swiss ? 'Pairings are drawn round by round once the tournament starts.' : 'The bracket is drawn when the tournament starts, seeded by seat.') : swiss ? standings(s) : bracket(s, outlooks),
    );

    const banner = byId('champion');
    banner.hidden = s.phase !== 'finished' || !s.champion;
    if (!banner.hidden) {
      banner.replaceChildren(h('div', { class: 'banner-title' }, h('span', { class: 'trophy', 'aria-hidden': 'true' }), `${s.champion} is the champion`), h('p', { class: 'muted' }, `${s.title} · ${FORMAT_LABEL[s.format] ?? s.format} · ${players.length} players · ${s.totalRounds} rounds`), h('h2', {}, 'Final ranking'), finalRanking(players.filter((p) => p.rank > 0)));
    }
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
