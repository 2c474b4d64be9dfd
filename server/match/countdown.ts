/**
 * The seconds countdown every game room shows (a race's or tournament's start, a tournament's or GAN
 * battle's break between rounds), and the rule that starts, runs or calls off a start countdown as
 * players get ready. Runs on the room's clock (Colyseus `this.clock`) or any clock with `setInterval`.
 */

/** What a countdown needs of a clock: Colyseus's `Clock` has it, and so does a test's fake. */
export interface IntervalClock {
  setInterval(handler: () => void, ms: number): { clear(): void };
}

/** Where the seconds left are shown (the room state's `countdown`). */
export interface CountdownTarget {
  countdown: number;
}

/** A countdown in whole seconds, mirrored into `target.countdown`; `onZero` runs once when it reaches 0. */
export class Countdown {
  private readonly clock: IntervalClock;
  private readonly target: CountdownTarget;
  private timer?: { clear(): void };

  constructor(clock: IntervalClock, target: CountdownTarget) {
    this.clock = clock;
    this.target = target;
  }

  /** Whether it is counting. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Counts `seconds` down, one a second, then calls `onZero` (a countdown already running is replaced). */
  start(seconds: number, onZero: () => void): void {
    this.stop();
    this.target.countdown = seconds;
    this.timer = this.clock.setInterval(() => {
      this.target.countdown = Math.max(0, this.target.countdown - 1);
      if (this.target.countdown > 0) return;
      this.stop();
      onZero();
    }, 1000);
  }

  /** Stops counting and shows 0. */
  stop(): void {
    this.timer?.clear();
    this.timer = undefined;
    this.target.countdown = 0;
  }
}

/** What to do as players get ready or leave: start now, count down, call the count off, or nothing. */
export type ReadyStep = 'start' | 'count' | 'cancel' | 'wait';

/** The start rule of races and tournaments. */
export interface StartRule {
  /** Ready players needed for the countdown. */
  minPlayers: number;
  /** Seconds of countdown once enough are ready (0: start at once). */
  countdownSeconds: number;
}

/**
 * Starts at once when every seated player is ready (and enough are) or there is no countdown; counts down
 * once enough are ready; calls the countdown off when too few are left ready.
 */
export function readyStep(ready: number, seated: number, rule: StartRule, counting: boolean): ReadyStep {
  const enough = ready >= rule.minPlayers;
  if (enough && (ready === seated || rule.countdownSeconds === 0)) return 'start';
  if (enough && !counting) return 'count';
  if (!enough && counting) return 'cancel';
  return 'wait';
}

/**
 * Applies `readyStep`: `start()` to start, or moves between lobby and countdown through `setPhase`
 * (the room's phase or its match's lifecycle) and runs `countdown` towards `start`.
 */
export function followReady(
  countdown: Countdown,
  counts: { ready: number; seated: number; counting: boolean },
  rule: StartRule,
  moves: { start: () => void; setPhase: (phase: 'lobby' | 'countdown') => void },
): ReadyStep {
  const step = readyStep(counts.ready, counts.seated, rule, counts.counting);
  if (step === 'start') moves.start();
  else if (step === 'count') {
    moves.setPhase('countdown');
    countdown.start(rule.countdownSeconds, moves.start);
  } else if (step === 'cancel') {
    countdown.stop();
    moves.setPhase('lobby');
  }
  return step;
}
