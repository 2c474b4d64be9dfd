import { h } from '../shell/dom.ts';
import type { PageScope } from '../shell/page-scope.ts';
import { PLAYBACK_RATES, type PlaybackRate } from './playback-clock.ts';
import { isPageShortcut } from './page-keys.ts';

/** What the panel steers: a live spectator's playback or a stored match's replay. */
export interface PlaybackTarget {
  readonly rate: PlaybackRate;
  setRate(rate: PlaybackRate): void;
  /** Jumps to live (or to a replay's end). */
  toEdge(): void;
  /** ms between the view and the edge (0 on it). */
  behind(): number;
}

export interface PlaybackPanelOptions {
  /** The jump button's label: "Live" for a live room, "End" for a replay. */
  edgeLabel: string;
  /** What the status beside the buttons says, from the ms behind the edge (e.g. "12 s behind"); none when absent. */
  status?: (behindMs: number) => string;
}

const rateText = (r: PlaybackRate) => `${r}×`;

/**
 * Speed buttons (0.5×, 1×, 2×, 4×, 8×), a status ("12 s behind") and a jump
 * to the edge ("Live"), with keys: `,` slower, `.` faster, `l` to the edge.
 * The panel only steers its target; `refresh()` redraws it from the target.
 */
export class PlaybackPanel {
  readonly element: HTMLElement;
  private readonly target: PlaybackTarget;
  private readonly options: PlaybackPanelOptions;
  private readonly buttons: HTMLButtonElement[];
  private readonly edge: HTMLButtonElement;
  private readonly statusEl: HTMLElement;
  private readonly separator: HTMLElement;

  constructor(target: PlaybackTarget, page: PageScope, options: PlaybackPanelOptions) {
    this.target = target;
    this.options = options;
    this.buttons = PLAYBACK_RATES.map((r) => {
      const b = h('button', { type: 'button', class: 'ghost small', 'data-rate': String(r), 'aria-pressed': 'false', title: `Play at ${rateText(r)} (, slower · . faster)` }, rateText(r));
      b.addEventListener('click', () => this.act(() => target.setRate(r)));
      return b;
    });
    this.edge = h('button', { id: 'playback-live', type: 'button', class: 'small', title: `${options.edgeLabel} (l)` }, options.edgeLabel);
    this.edge.addEventListener('click', () => this.act(() => target.toEdge()));
    this.statusEl = h('span', { id: 'playback-lag', class: 'stat' });
    this.separator = h('span', { class: 'muted' }, ' · ');
    this.element = h(
      'div',
      { class: 'playback', id: 'playback' },
      h('span', { class: 'muted playback-label' }, 'Speed'),
      h('div', { class: 'playback-rates', role: 'group', 'aria-label': 'Playback speed' }, ...this.buttons),
      h('span', { class: 'playback-status' }, ...(options.status ? [this.statusEl, this.separator] : []), this.edge),
    );
    page.listen(document, 'keydown', (e) => {
      if (!isPageShortcut(e)) return;
      const i = PLAYBACK_RATES.indexOf(target.rate);
      if (e.key === ',') this.act(() => target.setRate(PLAYBACK_RATES[Math.max(0, i - 1)]!));
      else if (e.key === '.') this.act(() => target.setRate(PLAYBACK_RATES[Math.min(PLAYBACK_RATES.length - 1, i + 1)]!));
      else if (e.key === 'l') this.act(() => target.toEdge());
    });
    this.refresh();
  }

  /** Redraws the pressed speed, the status and whether the jump can go anywhere. */
  refresh(): void {
    for (const b of this.buttons) b.setAttribute('aria-pressed', String(Number(b.dataset.rate) === this.target.rate));
    const behind = this.target.behind();
    this.edge.disabled = behind <= 0;
    this.element.dataset.rate = String(this.target.rate);
    this.element.dataset.behindMs = String(Math.round(behind));
    if (!this.options.status) return;
    this.statusEl.textContent = this.options.status(behind);
    // On live the status says so; behind it, the jump back is offered beside it: "12 s behind · Live".
    this.separator.hidden = this.edge.hidden = behind <= 0;
  }

  private act(change: () => void): void {
    change();
    this.refresh();
  }
}
