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
import { mountSharedDesign } from '../designer/shared-design.page.ts';
import { mountProfile } from '../progression/profile.page.ts';
import { mountHome, type HomeAction } from '../lobby/home.page.ts';
import { mountFor } from './room-views.ts';
import { inAppLink, PageHost } from './page-host.ts';
import type { PageScope } from './page-scope.ts';
import { warmPixi } from './pixi-app.ts';
import { chooseRenderer } from './renderer-choice.ts';
import { mountSignedOut } from './signed-out.page.ts';
import { initTheme } from './theme.ts';
import { markOnce, TIMING_MARKS } from './timing-marks.ts';
import { toast } from './toast.ts';

markOnce(TIMING_MARKS.scriptStart);
const app = byId('app');
initTheme(byId<HTMLButtonElement>('theme-toggle'));
/**
 * The renderer every view uses. The browser is probed while the page loads and joins its room (the probe,
 * an adapter request and a throwaway WebGL context, takes a while on a busy machine): nothing waits for it
 * but the views that draw.
 */
const rendererChoice = chooseRenderer().then((kind) => {
  markOnce(TIMING_MARKS.rendererChosen);
  byId('renderer-badge').textContent = kind === 'webgpu' ? 'WebGPU' : kind === 'webgl' ? 'WebGL' : 'Canvas 2D';
  return kind;
});

/** The page on screen: each navigation disposes the one before. */
const pages = new PageHost();

/** Shows a lost connection while the SDK reconnects by itself (the seat waits 30 s), and when it gives up. */
function watchConnection(room: Room<any, any>, page: PageScope): void {
  const badge = byId('connection');
  page.add(() => (badge.hidden = true)); // leaving the room on purpose is no lost connection
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
  if (name && identity.name !== name) toast(`“${name}” is taken in this arena, so you play as “${identity.name}”. Names are unique: choose another on the home page any time.`, 'info');
}

/**
 * Shows a joined room's page in place of the page on screen, which goes with
 * everything it held; the room is left when its page goes. A room joined
 * after the visitor had already moved on (`since`) is left at once.
 */
async function show(room: Room<any, any>, role: 'player' | 'spectator', since: number): Promise<void> {
  markOnce(TIMING_MARKS.roomJoined);
  const renderer = await rendererChoice;
  if (since !== navigations) {
    void room.leave().catch(() => {});
    return;
  }
  const page = pages.next();
  page.add(() => void room.leave().catch(() => {}));
  watchConnection(room, page);
  await mountFor(app, room, role, renderer, page); // the room's kind picks the page: race, tournament, GAN battle or playground
}

async function enter(action: HomeAction, ifTaken: IfTaken = 'tag'): Promise<void> {
  const since = navigations;
  warmPixi(); // every room's page draws: load the renderer's modules while signing in and joining
  if (action.kind === 'playground') {
    await signInFor(action.name.trim(), ifTaken);
    const pg = await arenaClient().create<PlaygroundState>('playground', { name: action.name.trim(), playerId: savedPlayerId(), task: { name: action.task }, budget: action.budget, paceSeconds: action.paceSeconds, ...(action.challenge ? { challenge: action.challenge } : {}) });
    return show(pg, 'player', since);
  }
  if (action.kind === 'tournament' || action.kind === 'gan') {
    await signInFor(action.name.trim(), ifTaken);
    const made = await arenaClient().create(action.kind, action.options);
    return show(made, 'player', since);
  }
  // Watching needs no account: a spectator without one joins anonymously.
  if (action.kind === 'create' || !action.spectate || savedPlayerId()) await signInFor(action.name.trim(), ifTaken);
  const client = arenaClient();
  const room =
    action.kind === 'create'
      ? await client.create<RaceState>('race', { task: { name: action.task }, budget: action.budget, minPlayers: action.minPlayers, countdownSeconds: action.countdownSeconds, paceSeconds: action.paceSeconds })
      : await client.joinById<RaceState>(action.roomId, { role: action.spectate ? 'spectator' : 'player', ...(action.name.trim() ? { name: action.name.trim() } : {}), playerId: savedPlayerId() });
  room.onMessage('welcome', () => {});
  await show(room, action.kind === 'join' && action.spectate ? 'spectator' : 'player', since);
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
  const page = pages.next();
  const signedOut = mountSignedOut(app, refusal, name, {
    carryOn: async () => {
      const fresh = await startOverAsGuest(name);
      await enter({ ...action, name: fresh.name });
    },
    // A passkey made earlier brings the old account back, progress and all.
    withPasskey: async () => {
      const identity = await signInWithPasskey();
      await enter({ ...action, name: identity.name });
    },
    back: () => navigate('/'),
  });
  page.add(() => signedOut.dispose());
}

/** Hash routes for the pages that need no room: #/leaderboard, #/players/ID, #/me, #/matches/ID, #/design/SHARE_ID. */
function hashRoute(): boolean {
  const hash = location.hash;
  if (hash === '#/leaderboard') {
    mountLeaderboard(app, pages.next());
    return true;
  }
  const matchId = /^#\/matches\/([0-9a-f-]{36})$/i.exec(hash)?.[1];
  if (matchId) {
    const page = pages.next();
    warmPixi();
    void rendererChoice.then((renderer) => {
      if (!page.disposed) void mountMatch(app, matchId, renderer, page);
    });
    return true;
  }
  const shareId = /^#\/design\/([A-Za-z0-9_-]{16})$/.exec(hash)?.[1];
  if (shareId) {
    void mountSharedDesign(app, shareId, pages.next());
    return true;
  }
  const player = /^#\/players\/([0-9a-f-]{36})$/i.exec(hash)?.[1];
  if (player) {
    void mountProfile(app, player, pages.next());
    return true;
  }
  if (hash === '#/me') {
    const page = pages.next();
    const me = savedPlayerId();
    const profile = h('div', { id: 'my-profile' });
    const name = { value: savedName() };
    const account = h('section', { class: 'panel', id: 'my-account' }, h('h2', {}, 'Account'), accountPanel({ name: () => name.value, setName: (n) => (name.value = n), signedIn: () => reroute() }));
    app.replaceChildren(account, profile);
    if (me) void mountProfile(profile, me, page);
    else profile.replaceChildren(h('section', { class: 'panel' }, h('h2', {}, 'My profile'), h('p', {}, 'Play a race first: your profile starts with your first match.')));
    return true;
  }
  return false;
}

/** Counts navigations, so that a room joined for a page the visitor has since left is not shown. */
let navigations = 0;
/** The address last routed: the browser may tell of one navigation twice (popstate and hashchange). */
let routed = '';

/** Shows the page for the address: a room (?room=ID, &spectate=1 to watch), a hash route, or home. */
function route(): void {
  if (location.href === routed) return;
  routed = location.href;
  navigations++;
  const params = new URLSearchParams(location.search);
  const roomId = params.get('room');
  if (roomId) {
    const spectate = params.has('spectate');
    const joinFailed = (err: unknown) => {
      toast(`Could not join room ${roomId}: ${err instanceof Error ? err.message : String(err)}`);
      mountHome(app, enterOrExplain, pages.next());
    };
    // A browser with an account joins under its name; a spectator may watch anonymously at once;
    // anyone else is asked for the name the other players will see before taking a seat.
    if (hasSavedAccount() || spectate) enterOrExplain({ kind: 'join', name: savedName(), roomId, spectate }).catch(joinFailed);
    else {
      const page = pages.next();
      page.add(mountInvite(app, { roomId, spectate }, (action) => enterOrExplain(action, 'refuse')).dispose);
    }
  } else if (!hashRoute()) {
    mountHome(app, enterOrExplain, pages.next());
  }
}

/** Shows the page for the address again (after signing in, say). */
function reroute(): void {
  routed = '';
  route();
}

/** Goes to an address of this page without reloading it: the page on screen is disposed and the new one mounted. */
function navigate(url: string | URL): void {
  history.pushState(null, '', url);
  reroute(); // a room page may have rewritten the address since it was routed: go, even back to that address
}

// Links within the app (the top bar, match and profile links) navigate in place.
document.addEventListener('click', (e) => {
  const url = inAppLink(e);
  if (!url) return;
  e.preventDefault();
  if (url.href !== location.href) navigate(url);
});
window.addEventListener('popstate', route);
window.addEventListener('hashchange', route);
route();
