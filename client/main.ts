import type { Room } from '@colyseus/sdk';
import type { RaceState } from '../shared/race.state.ts';
import type { RaceWelcomeMessage } from '../shared/race.messages.ts';
import { arenaClient, savedName, savedPlayerId, savePlayerId } from './arena-client.ts';
import { byId, h } from './dom.ts';
import { mountLeaderboard } from './leaderboard.view.ts';
import { mountProfile } from './profile.view.ts';
import { mountHome, type HomeAction } from './home.view.ts';
import { mountRace } from './race.view.ts';
import { chooseRenderer } from './renderer-choice.ts';
import { initTheme } from './theme.ts';
import { toast } from './toast.ts';

const app = byId('app');
initTheme(byId<HTMLButtonElement>('theme-toggle'));
const renderer = await chooseRenderer();
byId('renderer-badge').textContent = renderer === 'webgpu' ? 'WebGPU' : renderer === 'webgl' ? 'WebGL' : 'Canvas 2D';

function watchConnection(room: Room<any, RaceState>): void {
  const badge = byId('connection');
  room.onLeave((code) => {
    if (code === 1000 || code === 4000) return;
    badge.hidden = false;
    badge.className = 'badge warn';
    badge.textContent = 'Disconnected';
    toast('Lost the connection to the arena. Reload the page to rejoin.');
  });
  room.onError((code, message) => toast(`Connection problem (${code}): ${message ?? 'unknown'}`));
}

async function enter(action: HomeAction): Promise<void> {
  const client = arenaClient();
  const room =
    action.kind === 'create'
      ? await client.create<RaceState>('race', { name: action.name, playerId: savedPlayerId(), budget: action.budget, minPlayers: action.minPlayers, countdownSeconds: action.countdownSeconds })
      : await client.joinById<RaceState>(action.roomId, { name: action.name, playerId: savedPlayerId(), role: action.spectate ? 'spectator' : 'player' });
  room.onMessage('welcome', (msg: RaceWelcomeMessage) => savePlayerId(msg.playerId));
  watchConnection(room);
  const role = action.kind === 'join' && action.spectate ? 'spectator' : 'player';
  await mountRace(app, room, role, renderer);
}

/** Hash routes for the pages that need no room: #/leaderboard, #/players/ID, #/me. */
function route(): boolean {
  const hash = location.hash;
  if (hash === '#/leaderboard') {
    mountLeaderboard(app);
    return true;
  }
  const player = /^#\/players\/([0-9a-f-]{36})$/i.exec(hash)?.[1];
  if (player) {
    void mountProfile(app, player);
    return true;
  }
  if (hash === '#/me') {
    const me = savedPlayerId();
    if (me) void mountProfile(app, me);
    else app.replaceChildren(h('section', { class: 'panel' }, h('h2', {}, 'My profile'), h('p', {}, 'Play a race first: your profile starts with your first match.')));
    return true;
  }
  return false;
}

const params = new URLSearchParams(location.search);
const roomId = params.get('room');
if (!roomId) window.addEventListener('hashchange', () => route() || mountHome(app, enter));
if (!roomId && route()) {
  // a page of its own
} else if (roomId) {
  enter({ kind: 'join', name: savedName(), roomId, spectate: params.has('spectate') }).catch((err: unknown) => {
    toast(`Could not join room ${roomId}: ${err instanceof Error ? err.message : String(err)}`);
    mountHome(app, enter);
  });
} else {
  mountHome(app, enter);
}
