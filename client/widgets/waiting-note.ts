/**
 * What an empty chart or view is waiting for, laid over it: a line of text, the seconds waited so far, and
 * a progress bar that shows a fraction only where one is known (indeterminate otherwise, never a guess).
 * The host must be positioned (the chart and terrain wraps are `position: relative`).
 */
export class WaitingNote {
  private readonly el = document.createElement('div');
  private readonly text = document.createElement('span');
  private readonly elapsed = document.createElement('span');
  private readonly bar = document.createElement('progress');
  private since = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(host: HTMLElement) {
    this.el.className = 'waiting-note';
    this.el.setAttribute('role', 'status');
    this.el.hidden = true;
    this.elapsed.className = 'muted';
    const line = document.createElement('p');
    line.append(this.text, ' · ', this.elapsed);
    this.el.append(line, this.bar);
    host.append(this.el);
  }

  /** Whether the note is up. */
  get shown(): boolean {
    return !this.el.hidden;
  }

  /**
   * Shows (or rewords) the note. `progress` is a fraction 0–1 when the work reports one; leave it out for an
   * indeterminate bar. The elapsed seconds count from the first `show` since the last `hide`.
   */
  show(what: string, progress?: number): void {
    this.text.textContent = what;
    if (progress === undefined) this.bar.removeAttribute('value');
    else this.bar.value = Math.max(0, Math.min(1, progress));
    if (!this.el.hidden) return;
    this.el.hidden = false;
    this.since = performance.now();
    this.tick();
    this.timer = setInterval(() => this.tick(), 1000);
  }

  hide(): void {
    this.el.hidden = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  destroy(): void {
    this.hide();
    this.el.remove();
  }

  private tick(): void {
    this.elapsed.textContent = `${Math.floor((performance.now() - this.since) / 1000)} s`;
  }
}
