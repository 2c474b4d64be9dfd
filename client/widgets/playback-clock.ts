/** The speeds a watcher may pick, slowest first. */
export const PLAYBACK_RATES = [0.5, 1, 2, 4, 8] as const;
export type PlaybackRate = (typeof PLAYBACK_RATES)[number];

/** Within this many ms of the edge a view counts as live (a frame or two of timer jitter). */
export const LIVE_TOLERANCE_MS = 250;

export interface PlaybackClockOptions {
  /** The time now, in ms (`performance.now` in the page; a fake in tests). */
  now: () => number;
  /**
   * How far the position may go, in the same units: for a live stream the
   * time now (the newest frame), for a replay its length. Read at every look.
   */
  edge: () => number;
  /** Where playback starts (default: at the edge, i.e. live). */
  position?: number;
  /** The starting speed (default 1). */
  rate?: PlaybackRate;
}

/**
 * A playback position that advances at a chosen rate (0.5×–8×) in real time
 * and never passes its edge: below 1× it falls behind a live edge, above 1× it
 * catches up on what lies between and then stays on the edge. Positions are
 * settled lazily, on each look, from the time elapsed since the last one, so
 * the clock needs no timer of its own.
 */
export class PlaybackClock {
  private readonly now: () => number;
  private readonly edge: () => number;
  private pos: number;
  private lastAt: number;
  private currentRate: PlaybackRate;

  constructor(options: PlaybackClockOptions) {
    this.now = options.now;
    this.edge = options.edge;
    this.currentRate = options.rate ?? 1;
    if (!PLAYBACK_RATES.includes(this.currentRate)) throw new Error(`playback rate must be one of ${PLAYBACK_RATES.join(', ')}, got ${this.currentRate}`);
    this.lastAt = this.now();
    this.pos = Math.min(options.position ?? this.edge(), this.edge());
  }

  /** The speed now. */
  get rate(): PlaybackRate {
    return this.currentRate;
  }

  /** The position now: advanced by the time since the last look times the rate, never past the edge. */
  position(): number {
    const at = this.now();
    this.pos = Math.min(this.edge(), this.pos + Math.max(0, at - this.lastAt) * this.currentRate);
    this.lastAt = at;
    return this.pos;
  }

  /** How far behind the edge the position is, in ms (0 on the edge). */
  behind(): number {
    return Math.max(0, this.edge() - this.position());
  }

  /** True while the position is on the edge (within {@link LIVE_TOLERANCE_MS}). */
  atEdge(): boolean {
    return this.behind() <= LIVE_TOLERANCE_MS;
  }

  /** Plays on at `rate` from where it is now. */
  setRate(rate: PlaybackRate): void {
    if (!PLAYBACK_RATES.includes(rate)) throw new Error(`playback rate must be one of ${PLAYBACK_RATES.join(', ')}, got ${rate}`);
    this.position(); // what was played so far counts at the old rate
    this.currentRate = rate;
  }

  /** One step faster (8× stays 8×); returns the new rate. */
  faster(): PlaybackRate {
    const i = PLAYBACK_RATES.indexOf(this.currentRate);
    this.setRate(PLAYBACK_RATES[Math.min(PLAYBACK_RATES.length - 1, i + 1)]!);
    return this.currentRate;
  }

  /** One step slower (0.5× stays 0.5×); returns the new rate. */
  slower(): PlaybackRate {
    const i = PLAYBACK_RATES.indexOf(this.currentRate);
    this.setRate(PLAYBACK_RATES[Math.max(0, i - 1)]!);
    return this.currentRate;
  }

  /** Jumps to the edge (live, or a replay's end). */
  toEdge(): void {
    this.position();
    this.pos = this.edge();
  }

  /** Jumps to `position` (a replay's start), never past the edge. */
  seek(position: number): void {
    this.position();
    this.pos = Math.min(position, this.edge());
  }
}

/** "Live", or how far behind it a view is: "12 s behind", "2 min 5 s behind". */
export function behindText(ms: number): string {
  if (ms <= LIVE_TOLERANCE_MS) return 'Live';
  const s = Math.max(1, Math.round(ms / 1000));
  return s < 60 ? `${s} s behind` : `${Math.floor(s / 60)} min ${s % 60} s behind`;
}
