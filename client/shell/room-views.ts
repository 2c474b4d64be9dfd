import type { Room } from '@colyseus/sdk';
import type { GanState } from '../../shared/gan.state.ts';
import type { PlaygroundState } from '../../shared/playground.state.ts';
import type { RaceState } from '../../shared/race.state.ts';
import type { TournamentState } from '../../shared/tournament.state.ts';
import type { PageScope } from './page-scope.ts';
import type { RendererKind } from './renderer-choice.ts';

/** The kinds of room a page can show (the SDK room's `name`). */
export const ROOM_KINDS = ['race', 'tournament', 'gan', 'playground'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

/** Whether `name` (a seat reservation's room name, say) is a kind of room a page can show. */
export function isRoomKind(name: string): name is RoomKind {
  return (ROOM_KINDS as readonly string[]).includes(name);
}

/**
 * The rooms' pages load when they are needed (`roomPagesReady`, before the join): the first script stays small, and
 * the home page and the pages without a room do not load the rooms' code. The race, tournament and playground pages
 * share one chunk with what they import (client/room-chunk.ts); the GAN page, which draws with Pixi up front, has a
 * chunk of its own that imports it.
 */
const PAGES = {
  playground: () => import('../playground/playground.page.ts'),
  tournament: () => import('../tournament/tournament.page.ts'),
  gan: () => import('../gan/gan.page.ts'),
  race: () => import('../race/race.page.ts'),
} satisfies Record<RoomKind, () => Promise<unknown>>;

const loading = new Map<RoomKind, Promise<unknown>>();
function load<K extends RoomKind>(kind: K): ReturnType<(typeof PAGES)[K]> {
  if (!loading.has(kind)) loading.set(kind, PAGES[kind]());
  return loading.get(kind) as ReturnType<(typeof PAGES)[K]>;
}

/**
 * Loads the page for a room of `kind` (every room page when the kind is not known), resolving
 * once it is loaded, failed or not (a failure shows again, with its reason, on mount). Await it before joining: a room
 * sends messages right after the join (the playground its points and last probe), and a page still loading then
 * would not have its handlers registered yet, and they would be lost.
 */
export function roomPagesReady(kind?: RoomKind): Promise<void> {
  const kinds = kind ? [kind] : ROOM_KINDS;
  return Promise.all(kinds.map((k) => load(k).catch(() => loading.delete(k)))).then(() => undefined);
}

/**
 * Starts loading the room pages' shared chunk, for a link whose room names its kind only once its seat is reserved:
 * the chunk loads while the reservation is on its way (loading the playground's page loads the race's and the
 * tournament's with it, and what the GAN page imports from them).
 */
export function warmRoomPages(): void {
  void load('playground').catch(() => loading.delete('playground'));
}

/**
 * Mounts the page for a joined room by its kind (the SDK room's `name`:
 * 'race', 'tournament', 'gan' or 'playground'), so a link or a lobby row
 * opens the right screen whatever kind of room it points at. `renderer` gives
 * the one its views draw with, asked for as they start (probing the browser
 * takes a while: the page shows its state first). The page's
 * widgets, handlers and room listeners live in `page`.
 */
export async function mountFor(app: HTMLElement, room: Room<any, any>, role: 'player' | 'spectator', renderer: () => Promise<RendererKind>, page: PageScope): Promise<PageScope> {
  switch (room.name) {
    case 'playground':
      return (await load('playground')).mountPlayground(app, room as Room<any, PlaygroundState>, role === 'player', renderer, page);
    case 'tournament':
      return (await load('tournament')).mountTournament(app, room as Room<any, TournamentState>, role, renderer, page);
    case 'gan':
      return (await load('gan')).mountGan(app, room as Room<any, GanState>, role, renderer, page);
    case 'race':
      return (await load('race')).mountRace(app, room as Room<any, RaceState>, role, renderer, page);
    default:
      throw new Error(`this page cannot show a room of kind "${room.name}"`);
  }
}
