/**
 * Undo and redo over immutable states. Edits that share a key and come
 * within `coalesceMs` of each other (typing in one field) make one entry.
 */
export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  private lastKey: string | undefined;
  private lastAt = -Infinity;
  private present: T;
  private readonly limit: number;
  private readonly coalesceMs: number;
  private readonly same: (a: T, b: T) => boolean;

  /**
   * @param initial the state before any edit
   * @param options.limit most undo steps kept (default 100)
   * @param options.coalesceMs how close in time, in ms, edits with one key merge (default 1000)
   * @param options.same when two states are equal (default `Object.is`); recording an equal state does nothing
   */
  constructor(initial: T, options: { limit?: number; coalesceMs?: number; same?: (a: T, b: T) => boolean } = {}) {
    this.present = initial;
    this.limit = options.limit ?? 100;
    this.coalesceMs = options.coalesceMs ?? 1000;
    this.same = options.same ?? Object.is;
  }

  get current(): T {
    return this.present;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /**
   * Makes `state` the current one. With a `key` equal to the last edit's,
   * within `coalesceMs` of it, it replaces that edit instead of adding a step.
   * Clears what could be redone.
   */
  record(state: T, key?: string, now = Date.now()): void {
    if (this.same(state, this.present)) return;
    const merge = key !== undefined && key === this.lastKey && now - this.lastAt <= this.coalesceMs && this.past.length > 0;
    if (!merge) {
      this.past.push(this.present);
      if (this.past.length > this.limit) this.past.shift();
    }
    this.present = state;
    this.future = [];
    this.lastKey = key;
    this.lastAt = now;
  }

  /** Steps back; the state now current, or undefined when there is nothing to undo. */
  undo(): T | undefined {
    const previous = this.past.pop();
    if (previous === undefined) return undefined;
    this.future.push(this.present);
    this.present = previous;
    this.lastKey = undefined;
    return previous;
  }

  /** Steps forward again; the state now current, or undefined when there is nothing to redo. */
  redo(): T | undefined {
    const next = this.future.pop();
    if (next === undefined) return undefined;
    this.past.push(this.present);
    this.present = next;
    this.lastKey = undefined;
    return next;
  }
}
