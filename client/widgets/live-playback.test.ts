import { describe, expect, it } from 'vitest';
import { LivePlayback } from './live-playback.ts';

/** A playback of numbered frames on a fake time line; `shown` is what the page has drawn. */
function setup() {
  const t = { now: 10_000 };
  const shown: number[] = [];
  const playback = new LivePlayback<number>({ now: () => t.now, show: (frames) => shown.push(...frames), buffer: { minGapMs: 0 } });
  /** Frames arrive every 100 ms for `ms`, numbered on from `from`; the page ticks after each. */
  const stream = (ms: number, from: number) => {
    for (let i = 0; i < ms / 100; i += 1) {
      t.now += 100;
      playback.push(from + i);
      playback.tick();
    }
  };
  return { t, shown, playback, stream };
}

describe('LivePlayback', () => {
  it('shows a frame the moment it comes while live', () => {
    const { shown, playback, stream } = setup();
    playback.push(0); // a spectator joining midway: the state so far is drawn at once
    expect(shown).toEqual([0]);
    stream(1_000, 1);
    expect(shown).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(playback.behind()).toBe(0);
    expect(playback.waiting).toBe(0);
  });

  it('at 0.5× shows frames at half the rate they come, falling behind and saying by how much', () => {
    const { shown, playback, stream } = setup();
    playback.setRate(0.5);
    stream(10_000, 1); // 100 frames in 10 s
    expect(playback.behind()).toBe(5_000);
    expect(shown.length).toBe(50); // the first 5 s of the stream
    expect(shown.at(-1)).toBe(50);
    expect(playback.waiting).toBe(50);
  });

  it('at 8× catches up on what waits, in order, then stays live', () => {
    const { t, shown, playback, stream } = setup();
    playback.setRate(0.5);
    stream(8_000, 1); // 4 s behind, 40 frames waiting
    playback.setRate(8);
    t.now += 250; // 2 s of the stream in a quarter second
    playback.tick();
    expect(playback.behind()).toBe(2_250);
    t.now += 1_000;
    playback.tick();
    expect(playback.behind()).toBe(0);
    expect(shown).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    stream(300, 81);
    expect(shown.at(-1)).toBe(83); // live again: each frame at once
  });

  it('jumps to live: every waiting frame is handed over at once and playback goes on at 1×', () => {
    const { shown, playback, stream } = setup();
    playback.setRate(0.5);
    stream(4_000, 1);
    expect(shown.length).toBe(20);
    playback.goLive();
    expect(shown.length).toBe(40);
    expect(playback.behind()).toBe(0);
    expect(playback.clock.rate).toBe(1);
  });
});
