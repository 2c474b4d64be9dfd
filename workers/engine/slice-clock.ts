/**
 * Tells a training loop when it has computed for a slice and should let its thread's event loop breathe,
 * reading the clock only every few steps: a read costs about 50 ns, a tiny net's whole step about 2 µs.
 * The steps between two reads double while the reads come quickly (under 1/32 of a slice apart) and halve
 * when they come slowly (over 1/8), so a slice runs over by at most about an eighth of itself.
 */
export class SliceClock {
  private readonly sliceMs: number;
  private start = performance.now();
  private lastRead = this.start;
  private readEvery = 1;
  private sinceRead = 0;

  constructor(sliceMs: number) {
    this.sliceMs = sliceMs;
  }

  /** Called after each step: whether the slice is over (the caller yields, then calls `restart`). */
  due(): boolean {
    if (++this.sinceRead < this.readEvery) return false;
    this.sinceRead = 0;
    const now = performance.now();
    const apart = now - this.lastRead;
    this.lastRead = now;
    if (apart < this.sliceMs / 32 && this.readEvery < 256) this.readEvery *= 2;
    else if (apart > this.sliceMs / 8 && this.readEvery > 1) this.readEvery >>= 1;
    return now - this.start > this.sliceMs;
  }

  /** A new slice starts now (after a yield or a wait). */
  restart(): void {
    this.start = this.lastRead = performance.now();
    this.sinceRead = 0;
  }
}
