export interface FrameBufferOptions<F> {
  /**
   * Frames that arrive closer than this (ms) to the last one still waiting are
   * merged into it, so a long lag holds a few frames a second, not every patch
   * (default 200).
   */
  minGapMs?: number;
  /**
   * The most frames kept waiting (default 400); beyond it every two are merged
   * into one and the gap doubles, so a long lag is covered evenly, more coarsely.
   */
  maxFrames?: number;
  /** Folds a newer frame into an older one (default: the newer replaces it). */
  merge?: (older: F, newer: F) => F;
}

interface Stamped<F> {
  at: number;
  frame: F;
}

/**
 * The frames a watcher has received and not yet been shown, each stamped with
 * when it arrived, released in order once a playback position reaches them.
 * Memory stays bounded however far behind the watcher falls: close frames are
 * merged, and past `maxFrames` every pair is, with the gap doubled until the
 * buffer has drained again.
 */
export class FrameBuffer<F> {
  private readonly waiting: Array<Stamped<F>> = [];
  private readonly baseGapMs: number;
  private minGapMs: number;
  private readonly maxFrames: number;
  private readonly merge: (older: F, newer: F) => F;

  constructor(options: FrameBufferOptions<F> = {}) {
    this.baseGapMs = this.minGapMs = options.minGapMs ?? 200;
    this.maxFrames = options.maxFrames ?? 400;
    if (this.maxFrames < 2) throw new Error(`maxFrames must be at least 2, got ${this.maxFrames}`);
    this.merge = options.merge ?? ((_older, newer) => newer);
  }

  /** Frames waiting to be shown. */
  get size(): number {
    return this.waiting.length;
  }

  /** Records `frame`, received at `at` (ms, never earlier than the last frame's time). */
  push(at: number, frame: F): void {
    const last = this.waiting.at(-1);
    if (last && at - last.at < this.minGapMs) {
      last.frame = this.merge(last.frame, frame);
      return;
    }
    this.waiting.push({ at: Math.max(at, last?.at ?? at), frame });
    if (this.waiting.length > this.maxFrames) this.thin();
  }

  /** Halves the frames waiting: each pair becomes one, at the later time (never shown before it came). */
  private thin(): void {
    const pairs = this.waiting.splice(0);
    for (let i = 0; i < pairs.length; i += 2) {
      const a = pairs[i]!;
      const b = pairs[i + 1];
      this.waiting.push(b ? { at: b.at, frame: this.merge(a.frame, b.frame) } : a);
    }
    this.minGapMs = Math.max(1, this.minGapMs * 2);
  }

  /** Takes out, oldest first, every frame received at or before `position`. */
  release(position: number): F[] {
    let n = 0;
    while (n < this.waiting.length && this.waiting[n]!.at <= position) n += 1;
    if (this.waiting.length - n <= this.maxFrames / 4) this.minGapMs = this.baseGapMs; // caught up enough: fine frames again
    return this.waiting.splice(0, n).map((s) => s.frame);
  }

  /** Takes out every frame waiting (a jump to live). */
  releaseAll(): F[] {
    this.minGapMs = this.baseGapMs;
    return this.waiting.splice(0).map((s) => s.frame);
  }
}
