import type { Room } from '@colyseus/sdk';
import type { RaceState } from '../../shared/race.state.ts';
import type { PlaygroundState } from '../../shared/playground.state.ts';
import { arenaClient, GuestSignInRefused, hasSavedAccount, isTokenRefusal, savedName, savedPlayerId, signInAsGuest, startOverAsGuest } from './arena-client.ts';
import { accountPanel } from './account.panel.ts';
import { mountInvite } from '../lobby/invite.page.ts';
import { signInWithPasskey } from './passkeys.ts';
import { byId, h } from './dom.ts';
import { lessonById } from '../../shared/lesson.schema.ts';
import { mountHome, type HomeAction } from '../lobby/home.page.ts';
import { isRoomKind, mountFor, roomPagesReady, warmRoomPages } from './room-views.ts';
import { joinByIdAfter } from './seat-reservation.ts';
import { inAppLink, PageHost } from './page-host.ts';
import type { PageScope } from './page-scope.ts';
import { warmPixi } from './pixi-warm.ts';
import { chooseRenderer, rendererLabel, type RendererKind } from './renderer-choice.ts';
import { mountSignedOut } from './signed-out.page.ts';
import { initTheme } from './theme.ts';
import { markOnce, TIMING_MARKS } from './timing-marks.ts';
import { toast } from './toast.ts';

markOnce(TIMING_MARKS.scriptStart);
const app = byId('app');
initTheme(byId<HTMLButtonElement>('theme-toggle'));
let rendererChoice: Promise<RendererKind> | undefined;
/**
 * The renderer every view uses, probed once, when first asked for: the WebGPU adapter request that
 * public/renderer-probe.js started as the page began and, where it gives no adapter, a throwaway WebGL context,
 * which wakes the browser's GPU process (on a busy machine that takes a while, and the rest of the browser, the
 * page's code still being fetched, waits behind it). A room's page asks once its views start, after it has shown
 * its state (the playground sketches its curves first); other pages ask as they are routed, for the badge.
 */
function rendererFor(): Promise<RendererKind> {
  rendererChoice ??= chooseRenderer().then((kind) => {
    markOnce(TIMING_MARKS.rendererChosen);
    byId('renderer-badge').textContent = rendererLabel(kind);
    return kind;
  });
  return rendererChoice;
}

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
  if (since !== navigations) {
    void room.leave().catch(() => {});
    return;
  }
  const page = pages.next();
  page.add(() => void room.leave().catch(() => {}));
  watchConnection(room, page);
  await mountFor(app, room, role, rendererFor, page); // the room's kind picks the page: race, tournament, GAN battle or playground
}

async function enter(action: HomeAction, ifTaken: IfTaken = 'tag'): Promise<void> {
  const since = navigations;
  // Every room's page draws: where a room is made, load the renderer's modules and the page's own code while
  // signing in and making it; the page is loaded before the join (see roomPagesReady). A link's room is joined
  // first: its page shows the state and sketches the curves before Pixi loads (see loadPixi).
  if (action.kind !== 'join') warmPixi();
  // A link's room (join) names its kind only once its seat is reserved: its page is sure to be loaded then
  // (joinByIdAfter), and the pages' shared chunk loads meanwhile.
  if (action.kind === 'join') warmRoomPages();
  const pageReady = action.kind === 'join' ? Promise.resolve() : roomPagesReady(action.kind === 'create' ? 'race' : action.kind);
  if (action.kind === 'playground') {
    await signInFor(action.name.trim(), ifTaken);
    await pageReady;
    const pg = await arenaClient().create<PlaygroundState>('playground', { name: action.name.trim(), playerId: savedPlayerId(), task: { name: action.task }, budget: action.budget, paceSeconds: action.paceSeconds, ...(action.challenge ? { challenge: action.challenge } : {}), ...(action.lesson ? { lesson: action.lesson } : {}) });
    return show(pg, 'player', since);
  }
  if (action.kind === 'tournament' || action.kind === 'gan') {
    await signInFor(action.name.trim(), ifTaken);
    await pageReady;
    const made = await arenaClient().create(action.kind, action.options);
    return show(made, 'player', since);
  }
  // Watching needs no account: a spectator without one joins anonymously.
  if (action.kind === 'create' || !action.spectate || savedPlayerId()) await signInFor(action.name.trim(), ifTaken);
  const client = arenaClient();
  await pageReady;
  const room =
    action.kind === 'create'
      ? await client.create<RaceState>('race', { task: { name: action.task }, budget: action.budget, minPlayers: action.minPlayers, countdownSeconds: action.countdownSeconds, paceSeconds: action.paceSeconds })
      : await joinByIdAfter<RaceState>(client, action.roomId, { role: action.spectate ? 'spectator' : 'player', ...(action.name.trim() ? { name: action.name.trim() } : {}), playerId: savedPlayerId() }, (kind) =>
          roomPagesReady(isRoomKind(kind) ? kind : undefined),
        );
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

/** Hash routes for the pages that need no room: #/learn, #/leaderboard, #/players/ID, #/me, #/matches/ID, #/design/SHARE_ID. */
function hashRoute(): boolean {
  const hash = location.hash;
  // These pages are chunks of their own, loaded when visited: the first script carries the home page and the shell.
  if (hash === '#/leaderboard') {
    const page = pages.next();
    void import('../progression/leaderboard.page.ts').then(({ mountLeaderboard }) => {
      if (!page.disposed) void mountLeaderboard(app, page);
    });
    return true;
  }
  const matchId = /^#\/matches\/([0-9a-f-]{36})$/i.exec(hash)?.[1];
  if (matchId) {
    const page = pages.next();
    warmPixi();
    void Promise.all([rendererFor(), import('../progression/match.page.ts')]).then(([renderer, { mountMatch }]) => {
      if (!page.disposed) void mountMatch(app, matchId, renderer, page);
    });
    return true;
  }
  const shareId = /^#\/design\/([A-Za-z0-9_-]{16})$/.exec(hash)?.[1];
  if (shareId) {
    const page = pages.next();
    void import('../designer/shared-design.page.ts').then(({ mountSharedDesign }) => {
      if (!page.disposed) void mountSharedDesign(app, shareId, page);
    });
    return true;
  }
  const player = /^#\/players\/([0-9a-f-]{36})$/i.exec(hash)?.[1];
  if (player) {
    const page = pages.next();
    void import('../progression/profile.page.ts').then(({ mountProfile }) => {
      if (!page.disposed) void mountProfile(app, player, page);
    });
    return true;
  }
  if (hash === '#/learn') {
    const page = pages.next();
    const host = {
      playerId: savedPlayerId(),
      name: savedName(),
      start: async (lessonId: string, name: string) => {
        const lesson = lessonById(lessonId)!;
        await enterOrExplain({ kind: 'playground', name, task: lesson.setup.task.name, budget: lesson.setup.budget, paceSeconds: 0, lesson: lessonId });
      },
    };
    void import('../progression/path.page.ts').then(({ mountPath }) => {
      if (!page.disposed) void mountPath(app, host, page);
    });
    return true;
  }
  if (hash === '#/me') {
    const page = pages.next();
    const me = savedPlayerId();
    const profile = h('div', { id: 'my-profile' });
    const name = { value: savedName() };
    const account = h('section', { class: 'panel', id: 'my-account' }, h('h2', {}, 'Account'), accountPanel({ name: () => name.value, setName: (n) => (name.value = n), signedIn: () => reroute() }));
    app.replaceChildren(account, profile);
    if (me) {
      void import('../progression/profile.page.ts').then(({ mountProfile }) => {
        if (!page.disposed) void mountProfile(profile, me, page);
      });
    } else profile.replaceChildren(h('section', { class: 'panel' }, h('h2', {}, 'My profile'), h('p', {}, 'Play a race first: your profile starts with your first match.')));
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
  // The badge says how this browser draws on every page; a room's page asks once it has shown its state.
  if (!roomId) void rendererFor();
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
