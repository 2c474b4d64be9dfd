import { FrameBuffer, type FrameBufferOptions } from './frame-buffer.ts';
import { PlaybackClock, type PlaybackRate } from './playback-clock.ts';

export interface LivePlaybackOptions<F> {
  /** The time now, in ms (`performance.now` in the page; a fake in tests). */
  now: () => number;
  /** Draws frames the position has reached, oldest first (at least one). */
  show: (frames: F[]) => void;
  /** How frames are merged and how many are kept (see {@link FrameBuffer}). */
  buffer?: FrameBufferOptions<F>;
}

/**
 * A spectator's time-shifted view of a live stream of frames (room states,
 * probes, results). It starts live: a frame pushed at 1× or faster while on
 * the edge is shown at once. Below 1× frames wait in a buffer and are shown
 * when the slower clock reaches the time they arrived; above 1× the clock
 * catches up on them and stops at live. `tick()` releases what is due; the
 * page calls it on a timer.
 */
export class LivePlayback<F> {
  readonly clock: PlaybackClock;
  private readonly buffer: FrameBuffer<F>;
  private readonly now: () => number;
  private readonly show: (frames: F[]) => void;

  constructor(options: LivePlaybackOptions<F>) {
    this.now = options.now;
    this.show = options.show;
    this.buffer = new FrameBuffer(options.buffer);
    this.clock = new PlaybackClock({ now: options.now, edge: options.now });
  }

  /** Frames received and not yet shown. */
  get waiting(): number {
    return this.buffer.size;
  }

  /** How far behind live the view is, in ms. */
  behind(): number {
    return this.clock.behind();
  }

  /** Records a frame received now, and shows it at once when the view is live. */
  push(frame: F): void {
    this.buffer.push(this.now(), frame);
    this.tick();
  }

  /** Shows every frame the playback position has reached. */
  tick(): void {
    const due = this.buffer.release(this.clock.position());
    if (due.length) this.show(due);
  }

  /** Plays on at `rate` from where the view is. */
  setRate(rate: PlaybackRate): void {
    this.clock.setRate(rate);
    this.tick();
  }

  /** Jumps to the newest frame and plays on at 1×. */
  goLive(): void {
    this.clock.setRate(1);
    this.clock.toEdge();
    const due = this.buffer.releaseAll();
    if (due.length) this.show(due);
  }
}
