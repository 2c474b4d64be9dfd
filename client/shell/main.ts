import type { Room } from '@colyseus/sdk';
import type { RaceState } from '../../shared/race.state.ts';
import type { PlaygroundState } from '../../shared/playground.state.ts';
import { arenaClient, GuestSignInRefused, hasSavedAccount, isTokenRefusal, savedName, savedPlayerId, signInAsGuest, startOverAsGuest } from './arena-client.ts';
import { accountPanel } from './account.panel.ts';
import { mountInvite } from '../lobby/invite.page.ts';
import { signInWithPasskey } from './passkeys.ts';
import { byId, h } from './dom.ts';
import { mountLeaderboard } from '../progression/leaderboard.page.ts';
import { mountMatch } from '../progression/match.page.ts';
import { mountProfile } from '../progression/profile.page.ts';
import { mountHome, type HomeAction } from '../lobby/home.page.ts';
import { mountPlayground } from '../playground/playground.page.ts';
import { mountFor } from './room-views.ts';
import { chooseRenderer } from './renderer-choice.ts';
import { mountSignedOut } from './signed-out.page.ts';
import { initTheme } from './theme.ts';
import { toast } from './toast.ts';

const app = byId('app');
initTheme(byId<HTMLButtonElement>('theme-toggle'));
const renderer = await chooseRenderer();
byId('renderer-badge').textContent = renderer === 'webgpu' ? 'WebGPU' : renderer === 'webgl' ? 'WebGL' : 'Canvas 2D';

/** Shows a lost connection while the SDK reconnects by itself (the seat waits 30 s), and when it gives up. */
function watchConnection(room: Room<any, any>): void {
  const badge = byId('connection');
  room.onDrop(() => {
    badge.hidden = false;
    badge.className = 'badge warn';
    badge.textContent = 'Reconnecting…';
  });
  room.onReconnect(() => {
    badge.hidden = true;
    toast('Reconnected: your seat was kept.');
  });
  room.onLeave((code) => {
    if (code === 1000 || code === 4000) return;
    badge.hidden = false;
    badge.className = 'badge warn';
    badge.textContent = 'Disconnected';
    // 4001 (Colyseus's SERVER_SHUTDOWN): the server was stopped (a restart or an update), the room went with it.
    toast(code === 4001 ? 'The arena server shut down (a restart or an update). Reload the page in a moment to carry on.' : 'Lost the connection to the arena. Reload the page to rejoin.');
  });
  room.onError((code, message) => toast(`Connection problem (${code}): ${message ?? 'unknown'}`));
}

/**
 * What to do when someone else holds the chosen name: the home page's buttons take a free `#tag`ged
 * one and say so; the invite page, where the name is the question asked, refuses with a suggestion.
 */
type IfTaken = 'refuse' | 'tag';

/** Signs in (or up) under `name`; a name made unique with a `#tag` is told to the player. */
async function signInFor(name: string, ifTaken: IfTaken): Promise<void> {
  const identity = await signInAsGuest(name, { ifTaken });
  if (identity.name !== name) toast(`“${name}” is taken in this arena, so you play as “${identity.name}”. Names are unique: choose another on the home page any time.`, 'info');
}

async function enter(action: HomeAction, ifTaken: IfTaken = 'tag'): Promise<void> {
  if (action.kind === 'playground') {
    await signInFor(action.name.trim(), ifTaken);
    const pg = await arenaClient().create<PlaygroundState>('playground', { name: action.name.trim(), playerId: savedPlayerId(), task: { name: action.task }, budget: action.budget, ...(action.challenge ? { challenge: action.challenge } : {}) });
    watchConnection(pg);
    return mountPlayground(app, pg, true, renderer);
  }
  if (action.kind === 'tournament' || action.kind === 'gan') {
    await signInFor(action.name.trim(), ifTaken);
    const made = await arenaClient().create(action.kind, action.options);
    watchConnection(made);
    return mountFor(app, made, 'player', renderer);
  }
  // Watching needs no account: a spectator without one joins anonymously.
  if (action.kind === 'create' || !action.spectate || savedPlayerId()) await signInFor(action.name.trim(), ifTaken);
  const client = arenaClient();
  const room =
    action.kind === 'create'
      ? await client.create<RaceState>('race', { budget: action.budget, minPlayers: action.minPlayers, countdownSeconds: action.countdownSeconds, paceSeconds: action.paceSeconds })
      : await client.joinById<RaceState>(action.roomId, { role: action.spectate ? 'spectator' : 'player', ...(action.name.trim() ? { name: action.name.trim() } : {}), playerId: savedPlayerId() });
  room.onMessage('welcome', () => {});
  watchConnection(room);
  const role = action.kind === 'join' && action.spectate ? 'spectator' : 'player';
  await mountFor(app, room, role, renderer); // the room's kind picks the page: race, tournament, GAN battle or playground
}

/**
 * Enters as `enter` does; when the server refuses this browser's saved guest
 * token, it asks once more through a refresh (a room's 401 may come from a
 * token that a refresh can still renew), and otherwise says on the page what
 * happened and offers to carry on as a new guest with the same name.
 */
async function enterOrExplain(action: HomeAction, ifTaken: IfTaken = 'tag'): Promise<void> {
  let refusal: GuestSignInRefused;
  try {
    return await enter(action, ifTaken);
  } catch (err) {
    if (err instanceof GuestSignInRefused) refusal = err;
    else if (!isTokenRefusal(err)) throw err;
    else {
      try {
        await signInAsGuest(action.name.trim(), { recheck: true, ifTaken });
        return await enter(action, ifTaken);
      } catch (again) {
        if (!(again instanceof GuestSignInRefused)) throw again;
        refusal = again;
      }
    }
  }
  const name = action.name.trim();
  mountSignedOut(app, refusal, name, {
    carryOn: async () => {
      const fresh = await startOverAsGuest(name);
      await enter({ ...action, name: fresh.name });
    },
    // A passkey made earlier brings the old account back, progress and all.
    withPasskey: async () => {
      const identity = await signInWithPasskey();
      await enter({ ...action, name: identity.name });
    },
    back: () => mountHome(app, enterOrExplain),
  });
}

/** Hash routes for the pages that need no room: #/leaderboard, #/players/ID, #/me, #/matches/ID. */
function route(): boolean {
  const hash = location.hash;
  if (hash === '#/leaderboard') {
    mountLeaderboard(app);
    return true;
  }
  const matchId = /^#\/matches\/([0-9a-f-]{36})$/i.exec(hash)?.[1];
  if (matchId) {
    void mountMatch(app, matchId, renderer);
    return true;
  }
  const player = /^#\/players\/([0-9a-f-]{36})$/i.exec(hash)?.[1];
  if (player) {
    void mountProfile(app, player);
    return true;
  }
  if (hash === '#/me') {
    const me = savedPlayerId();
    const profile = h('div', { id: 'my-profile' });
    const name = { value: savedName() };
    const account = h('section', { class: 'panel', id: 'my-account' }, h('h2', {}, 'Account'), accountPanel({ name: () => name.value, setName: (n) => (name.value = n), signedIn: () => route() }));
    app.replaceChildren(account, profile);
    if (me) void mountProfile(profile, me);
    else profile.replaceChildren(h('section', { class: 'panel' }, h('h2', {}, 'My profile'), h('p', {}, 'Play a race first: your profile starts with your first match.')));
    return true;
  }
  return false;
}

const params = new URLSearchParams(location.search);
const roomId = params.get('room');
if (!roomId) window.addEventListener('hashchange', () => route() || mountHome(app, enterOrExplain));
if (!roomId && route()) {
  // a page of its own
} else if (roomId) {
  const spectate = params.has('spectate');
  const joinFailed = (err: unknown) => {
    toast(`Could not join room ${roomId}: ${err instanceof Error ? err.message : String(err)}`);
    mountHome(app, enterOrExplain);
  };
  // A browser with an account joins under its name; a spectator may watch anonymously at once;
  // anyone else is asked for the name the other players will see before taking a seat.
  if (hasSavedAccount() || spectate) enterOrExplain({ kind: 'join', name: savedName(), roomId, spectate }).catch(joinFailed);
  else mountInvite(app, { roomId, spectate }, (action) => enterOrExplain(action, 'refuse'));
} else {
  mountHome(app, enterOrExplain);
}
