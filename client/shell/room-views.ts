import type { Room } from '@colyseus/sdk';
import type { GanState } from '../../shared/gan.state.ts';
import type { PlaygroundState } from '../../shared/playground.state.ts';
import type { RaceState } from '../../shared/race.state.ts';
import type { TournamentState } from '../../shared/tournament.state.ts';
import { mountGan } from '../gan/gan.page.ts';
import { mountPlayground } from '../playground/playground.page.ts';
import { mountRace } from '../race/race.page.ts';
import type { PageScope } from './page-scope.ts';
import type { RendererKind } from './renderer-choice.ts';
import { mountTournament } from '../tournament/tournament.page.ts';

/**
 * Mounts the page for a joined room by its kind (the SDK room's `name`:
 * 'race', 'tournament', 'gan' or 'playground'), so a link or a lobby row
 * opens the right screen whatever kind of room it points at. The page's
 * widgets, handlers and room listeners live in `page`.
 */
export async function mountFor(app: HTMLElement, room: Room<any, any>, role: 'player' | 'spectator', renderer: RendererKind, page: PageScope): Promise<PageScope> {
  switch (room.name) {
    case 'playground':
      return mountPlayground(app, room as Room<any, PlaygroundState>, role === 'player', renderer, page);
    case 'tournament':
      return mountTournament(app, room as Room<any, TournamentState>, role, renderer, page);
    case 'gan':
      return mountGan(app, room as Room<any, GanState>, role, renderer, page);
    case 'race':
      return mountRace(app, room as Room<any, RaceState>, role, renderer, page);
    default:
      throw new Error(`this page cannot show a room of kind "${room.name}"`);
  }
}
