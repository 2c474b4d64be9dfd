import type { Room } from '@colyseus/sdk';
import type { LobbyRoomInfo } from '../../shared/lobby.messages.ts';
import { quickJoinPick } from '../../shared/quick-join.ts';
import { arenaClient } from '../shell/arena-client.ts';
import { h } from '../shell/dom.ts';
import { UNRATED_LABEL } from '../../shared/seed-commitment.ts';
import type { NextMatch } from '../shell/next-race.ts';
import { isPageShortcut } from '../widgets/page-keys.ts';

const KIND_LABEL: Record<LobbyRoomInfo['kind'], string> = { race: 'Race', tournament: 'Tournament', gan: 'GAN battle', playground: 'Playground' };

/** What the open-rooms list asks the page to do. */
export interface LobbyActions {
  join(roomId: string, spectate: boolean): void;
  /** Quick join found no open race (or GAN battle, when it keeps a distribution): make one. */
  create(): void;
  /** What quick join keeps to after an ending's "Next race": a race's task or a GAN battle's distribution; any race when absent. */
  keep?: NextMatch;
}

/**
 * The open rooms, live from the lobby room: kind, task, phase, seats and
 * spectators, with join and watch buttons and a quick join. Returns a
 * function that leaves the lobby (when the page changes).
 */
export async function mountLobbyList(container: HTMLElement, actions: LobbyActions): Promise<() => void> {
  const rooms = new Map<string, LobbyRoomInfo>();
  const body = h('tbody', {});
  const empty = h('p', { class: 'muted', id: 'lobby-empty' }, 'No open rooms yet: create one, or quick-join to start a race.');
  const keep = actions.keep;
  const quick =
    keep?.kind === 'race'
      ? h('button', { id: 'quick-join', type: 'button', 'data-task': keep.task, title: `Join the open ${keep.task} race that starts soonest, or create one on ${keep.task} (q)` }, `Quick join a ${keep.task} race`)
      : keep?.kind === 'gan'
        ? h('button', { id: 'quick-join', type: 'button', 'data-gan': keep.distribution, title: `Join the open GAN battle on ${keep.distribution} that starts soonest, or create one on ${keep.distribution} (q)` }, `Quick join a ${keep.distribution} GAN battle`)
        : h('button', { id: 'quick-join', type: 'button', title: 'Join the open race that starts soonest (q)' }, 'Quick join a race');
  quick.addEventListener('click', () => {
    // A GAN room's listing names its distribution as its task.
    const pick = keep?.kind === 'gan' ? quickJoinPick([...rooms.values()], 'gan', keep.distribution) : quickJoinPick([...rooms.values()], 'race', keep?.task);
    if (pick) actions.join(pick.roomId, false);
    else actions.create();
  });
  container.replaceChildren(
    h('div', { class: 'row' }, h('h2', {}, 'Open rooms and live matches'), h('div', { style: 'flex:0' }, quick)),
    h('table', { id: 'lobby' }, h('thead', {}, h('tr', {}, h('th', {}, 'Room'), h('th', {}, 'Task'), h('th', {}, 'Status'), h('th', { class: 'num' }, 'Players'), h('th', { class: 'num' }, 'Watching'), h('th', {}, ''))), body),
    empty,
  );
  // An ending's "Next race" comes here with #quick-join (and ?task= to keep its task): the open rooms in view, quick join ready for Enter.
  if (location.hash === '#quick-join') {
    quick.scrollIntoView({ block: 'center' });
    quick.focus();
  }

  const render = () => {
    const list = [...rooms.values()].sort((a, b) => a.kind.localeCompare(b.kind) || b.players - a.players);
    empty.hidden = list.length > 0;
    body.replaceChildren(
      ...list.map((r) => {
        const open = r.phase === 'lobby' && r.players < r.maxPlayers && r.kind !== 'playground';
        const join = h('button', { type: 'button', class: 'ghost', disabled: !open }, 'Join');
        const watch = h('button', { type: 'button', class: 'ghost' }, 'Watch');
        join.addEventListener('click', () => actions.join(r.roomId, false));
        watch.addEventListener('click', () => actions.join(r.roomId, true));
        return h(
          'tr',
          { 'data-room': r.roomId, 'data-kind': r.kind },
          h('td', {}, KIND_LABEL[r.kind], h('span', { class: 'muted' }, ` · ${r.roomId}`), r.rated === false ? h('span', { class: 'badge unrated' }, UNRATED_LABEL) : ''),
          h('td', {}, r.task || '—'),
          h('td', {}, r.phase || '—'),
          h('td', { class: 'num' }, r.maxPlayers ? `${r.players}/${r.maxPlayers}` : String(r.players)),
          h('td', { class: 'num' }, String(r.spectators)),
          h('td', {}, h('div', { class: 'row' }, join, watch)),
        );
      }),
    );
  };

  let lobby: Room;
  try {
    lobby = await arenaClient().joinOrCreate('lobby', {});
  } catch (err) {
    empty.hidden = false;
    empty.textContent = `The list of open rooms is unavailable: ${err instanceof Error ? err.message : String(err)}`;
    return () => {};
  }
  lobby.onMessage('rooms', (list: LobbyRoomInfo[]) => {
    rooms.clear();
    for (const r of list) rooms.set(r.roomId, r);
    render();
  });
  lobby.onMessage('+', (r: LobbyRoomInfo) => {
    rooms.set(r.roomId, r);
    render();
  });
  lobby.onMessage('-', (id: string) => {
    rooms.delete(id);
    render();
  });
  lobby.onMessage('error', () => {});
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'q' && isPageShortcut(e)) quick.click();
  };
  document.addEventListener('keydown', onKey);
  render();
  return () => {
    document.removeEventListener('keydown', onKey);
    void lobby.leave();
  };
}
