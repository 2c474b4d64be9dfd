import { describe, expect, it } from 'vitest';
import { PlaybackClock, behindText } from './playback-clock.ts';

/** A clock on a fake time line: `t.now` moves only when the test says. */
function liveClock() {
  const t = { now: 1_000 };
  const clock = new PlaybackClock({ now: () => t.now, edge: () => t.now });
  return { t, clock };
}

describe('PlaybackClock', () => {
  it('starts live and stays live at 1×', () => {
    const { t, clock } = liveClock();
    expect(clock.behind()).toBe(0);
    t.now += 10_000;
    expect(clock.position()).toBe(t.now);
    expect(clock.atEdge()).toBe(true);
  });

  it('falls behind a live edge at 0.5×, by half the time watched', () => {
    const { t, clock } = liveClock();
    clock.setRate(0.5);
    t.now += 20_000;
    expect(clock.behind()).toBe(10_000);
    expect(clock.atEdge()).toBe(false);
    // 1× from there keeps the same lag
    clock.setRate(1);
    t.now += 5_000;
    expect(clock.behind()).toBe(10_000);
  });

  it('catches up at 8× and then never passes live', () => {
    const { t, clock } = liveClock();
    clock.setRate(0.5);
    t.now += 14_000; // 7 s behind
    clock.setRate(8);
    t.now += 500; // 4 s of stream played in 0.5 s: 3.5 s behind
    expect(clock.behind()).toBe(3_500);
    t.now += 10_000;
    expect(clock.behind()).toBe(0);
    expect(clock.position()).toBe(t.now);
  });

  it('counts the time already played at the old rate when the rate changes', () => {
    const { t, clock } = liveClock();
    clock.setRate(0.5);
    t.now += 4_000; // 2 s behind
    clock.setRate(2);
    t.now += 1_000; // 2 s of stream in 1 s while live moved on by 1 s: a second gained
    expect(clock.behind()).toBe(1_000);
    t.now += 1_000;
    expect(clock.behind()).toBe(0);
  });

  it('jumps to the edge, and steps through the rates one at a time, stopping at both ends', () => {
    const { t, clock } = liveClock();
    expect(clock.slower()).toBe(0.5);
    expect(clock.slower()).toBe(0.5);
    t.now += 6_000;
    expect(clock.behind()).toBe(3_000);
    clock.toEdge();
    expect(clock.behind()).toBe(0);
    expect([clock.faster(), clock.faster(), clock.faster(), clock.faster(), clock.faster()]).toEqual([1, 2, 4, 8, 8]);
  });

  it('plays a replay of fixed length 8× sooner than at 1×, and seeks back to its start', () => {
    const t = { now: 0 };
    const clock = new PlaybackClock({ now: () => t.now, edge: () => 8_000, position: 0 });
    t.now = 4_000;
    expect(clock.position()).toBe(4_000);
    clock.seek(0);
    clock.setRate(8);
    t.now += 999;
    expect(clock.position()).toBe(7_992);
    t.now += 1;
    expect(clock.position()).toBe(8_000);
    t.now += 5_000;
    expect(clock.position()).toBe(8_000);
  });

  it('refuses a rate it does not offer, naming it', () => {
    const { clock } = liveClock();
    expect(() => clock.setRate(3 as never)).toThrow('playback rate must be one of 0.5, 1, 2, 4, 8, got 3');
    expect(clock.rate).toBe(1);
  });
});

describe('behindText', () => {
  it('says Live within a frame or two of the edge, then seconds and minutes', () => {
    expect(behindText(0)).toBe('Live');
    expect(behindText(200)).toBe('Live');
    expect(behindText(700)).toBe('1 s behind');
    expect(behindText(12_300)).toBe('12 s behind');
    expect(behindText(125_000)).toBe('2 min 5 s behind');
  });
});
