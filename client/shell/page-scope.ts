import type { Room } from '@colyseus/sdk';

/** A mounted page: `dispose()` lets go of everything it started. */
export interface Page {
  dispose(): void;
}

/**
 * What one page holds on to: its widgets, its key handlers on the document,
 * its room listeners and timers. The router makes one per page and disposes
 * it on navigation; everything registered here is released then, in reverse
 * order. Registering after the page has gone releases at once, so a mount
 * that was still awaiting (a renderer starting, a fetch) cannot leak.
 */
export class PageScope implements Page {
  private readonly cleanups: Array<() => void> = [];
  private gone = false;

  /** True once the page has been disposed: a mount checks it after each await and stops. */
  get disposed(): boolean {
    return this.gone;
  }

  /** Runs `cleanup` when the page goes (now, if it has). */
  add(cleanup: () => void): void {
    if (this.gone) run(cleanup);
    else this.cleanups.push(cleanup);
  }

  /** `target.addEventListener`, removed when the page goes. */
  listen<K extends keyof DocumentEventMap>(target: Document, type: K, handler: (e: DocumentEventMap[K]) => void): void;
  listen<K extends keyof WindowEventMap>(target: Window, type: K, handler: (e: WindowEventMap[K]) => void): void;
  listen(target: EventTarget, type: string, handler: (e: Event) => void): void {
    if (this.gone) return;
    target.addEventListener(type, handler);
    this.add(() => target.removeEventListener(type, handler));
  }

  /** `room.onMessage`, removed when the page goes. */
  onMessage<T>(room: Room<any, any>, type: string, handler: (message: T) => void): void {
    if (this.gone) return;
    this.add(room.onMessage(type, handler));
  }

  /** `room.onStateChange`, removed when the page goes. */
  onStateChange<S>(room: Room<any, S>, handler: (state: S) => void): void {
    if (this.gone) return;
    room.onStateChange(handler);
    this.add(() => room.onStateChange.remove(handler));
  }

  /**
   * Calls `draw` on the next animation frame, at most once a frame however
   * often it is asked, and never after the page has gone.
   */
  frame(draw: () => void): () => void {
    let id = 0;
    this.add(() => cancelAnimationFrame(id));
    return () => {
      if (id || this.gone) return;
      id = requestAnimationFrame(() => {
        id = 0;
        if (!this.gone) draw();
      });
    };
  }

  dispose(): void {
    if (this.gone) return;
    this.gone = true;
    for (const cleanup of this.cleanups.splice(0).reverse()) run(cleanup);
  }
}

/** One cleanup failing (a widget already torn down) must not keep the others from running. */
function run(cleanup: () => void): void {
  try {
    cleanup();
  } catch (err) {
    console.warn('a page cleanup failed', err);
  }
}
