/** Where the frames come from: the browser's animation frames, or a fake clock in unit tests. */
export interface FrameSource {
  request(callback: () => void): number;
  cancel(id: number): void;
}

const animationFrames: FrameSource = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (id) => cancelAnimationFrame(id),
};

/**
 * Renders a view on demand: the view asks for a frame whenever what it shows changes
 * (`request`), and its `paint` runs once on the next animation frame however many times it
 * was asked. Nothing runs while nothing changes, so an idle view costs no CPU or GPU time
 * (on a software renderer a WebGPU frame costs tens to hundreds of milliseconds).
 * Requests made before `start` (the renderer is still starting) wait for it.
 */
export class RenderScheduler {
  private frame: number | undefined;
  private wanted = false;
  private running = false;

  private readonly paint: () => void;
  private readonly frames: FrameSource;

  constructor(paint: () => void, frames: FrameSource = animationFrames) {
    this.paint = paint;
    this.frames = frames;
  }

  /** The renderer is up: paints on the next frame (and from then on whenever asked). */
  start(): void {
    this.running = true;
    this.request();
  }

  /** Something the view shows changed: paint on the next frame (once, whatever the number of requests). */
  request(): void {
    this.wanted = true;
    if (this.running && this.frame === undefined) this.frame = this.frames.request(() => this.run());
  }

  /** Paints now, if started, instead of on the next frame (a pending frame is dropped). */
  flush(): void {
    if (!this.running) return;
    this.cancelFrame();
    this.wanted = false;
    this.paint();
  }

  /** Stops painting (the view goes); later requests do nothing until `start`. */
  stop(): void {
    this.running = false;
    this.wanted = false;
    this.cancelFrame();
  }

  /** A frame is waiting to paint. */
  get pending(): boolean {
    return this.frame !== undefined;
  }

  private cancelFrame(): void {
    if (this.frame !== undefined) this.frames.cancel(this.frame);
    this.frame = undefined;
  }

  private run(): void {
    this.frame = undefined;
    if (!this.wanted || !this.running) return;
    this.wanted = false;
    this.paint(); // a paint may ask for the next frame itself (an animation that has not settled)
  }
}
