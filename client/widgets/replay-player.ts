import type { PageScope } from '../shell/page-scope.ts';
import { PlaybackClock } from './playback-clock.ts';
import { PlaybackPanel } from './playback.panel.ts';

/**
 * Replays a stored match on screen: `draw(t)` with t from 0 to 1, once a
 * frame, over `lengthMs` at 1× and at 0.5×–8× as picked on its speed panel
 * (`,` `.`, `l` or End to the end). The progress bar's width follows, and its
 * `data-state` says `playing` or `done`.
 */
export class ReplayPlayer {
  /** The speed panel. */
  readonly element: HTMLElement;
  private readonly clock: PlaybackClock;
  private readonly panel: PlaybackPanel;
  private readonly lengthMs: number;
  private readonly draw: (t: number) => void;
  private readonly progress: HTMLElement;
  private frame = 0;

  constructor(page: PageScope, lengthMs: number, draw: (t: number) => void, progress: HTMLElement) {
    this.lengthMs = lengthMs;
    this.draw = draw;
    this.progress = progress;
    // Starts at the end: the whole match is drawn until a replay seeks back to the start.
    const clock = (this.clock = new PlaybackClock({ now: () => performance.now(), edge: () => lengthMs }));
    this.panel = new PlaybackPanel(
      {
        get rate() {
          return clock.rate;
        },
        setRate: (r) => clock.setRate(r),
        toEdge: () => clock.toEdge(),
        behind: () => clock.behind(),
      },
      page,
      { edgeLabel: 'End' },
    );
    this.element = this.panel.element;
    this.element.title = `Replay speed: at 1× the replay takes ${lengthMs / 1000} s`;
    page.add(() => cancelAnimationFrame(this.frame));
  }

  /** Plays from the start at the speed picked. */
  replay(): void {
    cancelAnimationFrame(this.frame);
    this.clock.seek(0);
    this.progress.dataset.state = 'playing';
    const bar = this.progress.firstElementChild as HTMLElement | null;
    const tick = () => {
      const t = Math.min(1, this.clock.position() / this.lengthMs);
      this.draw(t);
      if (bar) bar.style.width = `${t * 100}%`;
      this.panel.refresh();
      if (t < 1) this.frame = requestAnimationFrame(tick);
      else this.progress.dataset.state = 'done';
    };
    this.frame = requestAnimationFrame(tick);
  }
}
