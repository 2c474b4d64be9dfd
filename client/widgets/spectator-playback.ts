import type { PageScope } from '../shell/page-scope.ts';
import type { FrameBufferOptions } from './frame-buffer.ts';
import { LivePlayback } from './live-playback.ts';
import { LIVE_TOLERANCE_MS, behindText } from './playback-clock.ts';
import { PlaybackPanel } from './playback.panel.ts';

/** How often (ms) waiting frames are released and the "behind" figure redrawn. */
const TICK_MS = 100;

/**
 * A spectator's speed control for a live room: the page pushes every frame it
 * receives (a copy of the room state, a probe, a result) and draws what `show`
 * hands back, at 0.5×–8× of live or live. Players never get one: they steer,
 * so they always see live.
 */
export function spectatorPlayback<F>(page: PageScope, show: (frames: F[]) => void, buffer?: FrameBufferOptions<F>): { element: HTMLElement; push: (frame: F) => void } {
  const playback = new LivePlayback<F>({ now: () => performance.now(), show, ...(buffer ? { buffer } : {}) });
  const panel = new PlaybackPanel(
    {
      get rate() {
        return playback.clock.rate;
      },
      setRate: (r) => playback.setRate(r),
      toEdge: () => playback.goLive(),
      // within a frame or two of live counts as live: the jump has nowhere to go
      behind: () => {
        const ms = playback.behind();
        return ms <= LIVE_TOLERANCE_MS ? 0 : ms;
      },
    },
    page,
    { edgeLabel: 'Live', status: behindText },
  );
  panel.element.title = 'Watch slower or faster than live; you can never pass live';
  const timer = setInterval(() => {
    playback.tick();
    panel.refresh();
  }, TICK_MS);
  page.add(() => clearInterval(timer));
  return { element: panel.element, push: (frame) => playback.push(frame) };
}

/** A room's state as it was, and the room's result if it had come by then: what a race's or tournament's spectator plays back. */
export interface RoomFrame<S, R> {
  state: S;
  result?: R;
}

/**
 * `spectatorPlayback` of a room's state and result: `show` gets the newest state released and, once it has
 * been released, the result (thinned frames keep it).
 */
export function roomPlayback<S, R>(page: PageScope, show: (state: S, result: R | undefined) => void): ReturnType<typeof spectatorPlayback<RoomFrame<S, R>>> {
  return spectatorPlayback<RoomFrame<S, R>>(page, (frames) => show(frames.at(-1)!.state, frames.find((f) => f.result)?.result), {
    merge: (older, newer) => ({ state: newer.state, result: newer.result ?? older.result }),
  });
}
