import { describe, expect, it } from 'vitest';
import { Countdown, followReady, readyStep, type IntervalClock } from './countdown.ts';

/** A clock whose seconds pass when the test says so. */
function manualClock(): IntervalClock & { tick(times?: number): void; timers: number } {
  const handlers = new Set<() => void>();
  return {
    setInterval: (handler) => {
      handlers.add(handler);
      return { clear: () => handlers.delete(handler) };
    },
    tick(times = 1) {
      for (let i = 0; i < times; i++) for (const h of [...handlers]) h();
    },
    get timers() {
      return handlers.size;
    },
  };
}

describe('Countdown', () => {
  it('counts whole seconds into the target and calls onZero once, then stops', () => {
    const clock = manualClock();
    const target = { countdown: 0 };
    let zero = 0;
    const countdown = new Countdown(clock, target);
    countdown.start(3, () => zero++);
    expect([target.countdown, countdown.running]).toEqual([3, true]);
    clock.tick(2);
    expect([target.countdown, zero]).toEqual([1, 0]);
    clock.tick(5);
    expect([target.countdown, zero, countdown.running, clock.timers]).toEqual([0, 1, false, 0]);
  });

  it('stop calls it off and shows 0; a new start replaces the old one', () => {
    const clock = manualClock();
    const target = { countdown: 0 };
    let zero = 0;
    const countdown = new Countdown(clock, target);
    countdown.start(5, () => zero++);
    countdown.start(2, () => (zero += 10));
    expect(clock.timers).toBe(1);
    countdown.stop();
    clock.tick(9);
    expect([target.countdown, zero]).toEqual([0, 0]);
  });
});

describe('readyStep', () => {
  const rule = { minPlayers: 2, countdownSeconds: 10 };
  it('starts when every seated player is ready, counts when enough are, calls off when too few are left', () => {
    expect(readyStep(2, 2, rule, false)).toBe('start');
    expect(readyStep(2, 3, rule, false)).toBe('count');
    expect(readyStep(2, 3, rule, true)).toBe('wait');
    expect(readyStep(1, 3, rule, true)).toBe('cancel');
    expect(readyStep(1, 1, rule, false)).toBe('wait');
    expect(readyStep(2, 3, { ...rule, countdownSeconds: 0 }, false)).toBe('start');
  });

  it('followReady moves the phase and runs the countdown to the start', () => {
    const clock = manualClock();
    const target = { countdown: 0 };
    const countdown = new Countdown(clock, target);
    const phases: string[] = [];
    let started = 0;
    const moves = { start: () => started++, setPhase: (p: string) => phases.push(p) };
    expect(followReady(countdown, { ready: 2, seated: 3, counting: false }, rule, moves)).toBe('count');
    expect(target.countdown).toBe(10);
    expect(followReady(countdown, { ready: 1, seated: 3, counting: true }, rule, moves)).toBe('cancel');
    expect(target.countdown).toBe(0);
    followReady(countdown, { ready: 2, seated: 3, counting: false }, rule, moves);
    clock.tick(10);
    expect(phases).toEqual(['countdown', 'lobby', 'countdown']);
    expect(started).toBe(1);
  });
});
