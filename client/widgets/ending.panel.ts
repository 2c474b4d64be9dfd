import type { PlayerGain } from '../../shared/match-gains.ts';
import { h } from '../shell/dom.ts';
import { nextRaceHref, nextRaceTitle, type NextMatch } from '../shell/next-race.ts';

/** What an ending shows: the winner, the held-out scores, why any tie fell as it did, and what each player gained. */
export interface Ending {
  /** "ada wins", "ada is the champion", "judge (discriminator) wins". */
  headline: string;
  /** Places with the figure that decided them ("91.2% held-out", "2 rounds · 150 points"). */
  places: Array<{ place: number; player: string; figure: string }>;
  /** Sentences saying how it was decided beyond the figures (tie-breaks, "2 rounds to 1"). */
  decided: string[];
  gains: PlayerGain[];
  rated: boolean;
  matchHref: string | null;
  /** Whether this client plays (may call a rematch) or watches. */
  isPlayer: boolean;
  /** What "Next race" keeps: a race's or a tournament's task, a GAN battle's distribution. */
  next?: NextMatch;
}

/** What the ending's buttons do. */
export interface EndingActions {
  /** Ask the room for a rematch (players). */
  rematch(): void;
}

const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0');

/**
 * The end of a race, tournament or GAN battle, as a panel above the standings (it covers nothing): the
 * winner, the held-out scores, the tie-breaks in words, what each player gained (XP, rating move on the
 * shown scale, achievements), and rematch, next race and back to the lobby. Escape or × dismisses it;
 * "Result" in its place brings it back. Focus moves to its heading when it appears.
 */
export class EndingPanel {
  readonly element: HTMLElement;
  private readonly reopen: HTMLButtonElement;
  private readonly rematchSlot: HTMLElement;
  private readonly onKey: (e: KeyboardEvent) => void;
  private readonly isPlayer: boolean;
  private readonly actions: EndingActions;
  private rematchRoom = '';

  constructor(ending: Ending, actions: EndingActions) {
    this.isPlayer = ending.isPlayer;
    this.actions = actions;
    const title = h('h2', { id: 'ending-title', tabindex: '-1' }, ending.headline);
    const close = h('button', { type: 'button', class: 'ghost ending-close', id: 'ending-close', 'aria-label': 'Dismiss the result (Escape)', title: 'Dismiss (Escape)' }, '×');
    this.rematchSlot = h('span', { id: 'rematch-slot' });
    const gainOf = (player: string) => ending.gains.find((g) => g.player === player);
    const gainText = (g: PlayerGain | undefined): string => {
      if (!g) return ending.rated ? '—' : 'unrated: nothing moved';
      const parts = [`+${g.xp} XP`];
      if (g.rating) parts.push(`rating ${g.rating.before} → ${g.rating.after} (${signed(g.rating.after - g.rating.before)})`);
      for (const a of g.achievements) parts.push(`★ ${a.name}${a.tier > 1 ? ` tier ${a.tier}` : ''}`);
      return parts.join(' · ');
    };
    this.element = h(
      'section',
      { class: 'panel ending', id: 'ending', role: 'region', 'aria-labelledby': 'ending-title' },
      h('div', { class: 'row ending-head' }, title, close),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { id: 'ending-places' },
          h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Player'), h('th', { class: 'num' }, 'Score'), h('th', {}, 'Gained'))),
          h('tbody', {}, ...ending.places.map((p) => h('tr', {}, h('td', {}, String(p.place)), h('td', {}, p.player), h('td', { class: 'num' }, p.figure), h('td', { class: 'gain' }, gainText(gainOf(p.player)))))),
        ),
      ),
      ...(ending.decided.length ? [h('ul', { id: 'ending-decided', class: 'decided' }, ...ending.decided.map((d) => h('li', {}, d)))] : []),
      ending.rated ? '' : h('p', { class: 'muted' }, 'Custom seed: unrated, so no rating, XP or achievement moved.'),
      h(
        'div',
        { class: 'row ending-actions' },
        this.rematchSlot,
        h('a', { class: 'button ghost', id: 'next-race', href: nextRaceHref(ending.next), title: nextRaceTitle(ending.next) }, 'Next race'),
        h('a', { class: 'button ghost', id: 'back-to-lobby', href: location.pathname }, 'Back to lobby'),
        ending.matchHref ? h('a', { class: 'button ghost', id: 'ending-match-link', href: ending.matchHref }, 'Match page and replay') : '',
      ),
    );
    this.reopen = h('button', { type: 'button', class: 'ghost', id: 'ending-reopen', hidden: true, title: 'Show the result again' }, 'Result');
    close.addEventListener('click', () => this.dismiss());
    this.reopen.addEventListener('click', () => this.show());
    this.onKey = (e) => {
      if (!this.element.isConnected) return document.removeEventListener('keydown', this.onKey);
      if (e.key === 'Escape' && !this.element.hidden) this.dismiss();
    };
    document.addEventListener('keydown', this.onKey);
    this.renderRematch();
    queueMicrotask(() => title.focus());
  }

  /** Puts the panel (and its "Result" button) at the top of `host`, above what it must not cover. */
  mount(host: HTMLElement): void {
    host.prepend(this.element, this.reopen);
  }

  /** The rematch room, once a player called one ('' until then). */
  setRematch(roomId: string): void {
    if (roomId === this.rematchRoom) return;
    this.rematchRoom = roomId;
    this.renderRematch();
  }

  dismiss(): void {
    this.element.hidden = true;
    this.reopen.hidden = false;
    this.reopen.focus();
  }

  show(): void {
    this.element.hidden = false;
    this.reopen.hidden = true;
    (this.element.querySelector('#ending-title') as HTMLElement | null)?.focus();
  }

  /** Removes the panel and its key handler. */
  destroy(): void {
    document.removeEventListener('keydown', this.onKey);
    this.element.remove();
    this.reopen.remove();
  }

  private renderRematch(): void {
    const room = this.rematchRoom;
    if (room) {
      const href = `${location.pathname}?room=${room}${this.isPlayer ? '' : '&spectate=1'}`;
      this.rematchSlot.replaceChildren(h('a', { class: 'button', id: 'rematch', href }, this.isPlayer ? 'Join the rematch' : 'Watch the rematch'));
    } else if (this.isPlayer) {
      const ask = h('button', { type: 'button', id: 'rematch', title: 'Same settings, a fresh seed: everyone here sees it' }, 'Rematch');
      ask.addEventListener('click', () => {
        ask.disabled = true;
        ask.textContent = 'Calling a rematch…';
        this.actions.rematch();
      });
      this.rematchSlot.replaceChildren(ask);
    } else this.rematchSlot.replaceChildren();
  }
}
