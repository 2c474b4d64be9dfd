import { describe, expect, it } from 'vitest';
import { RenderScheduler, type FrameSource } from './render-scheduler.ts';

/** Animation frames that come only when the test says (`tick`). */
function fakeFrames() {
  let next = 1;
  const waiting = new Map<number, () => void>();
  const frames: FrameSource = {
    request: (cb) => {
      waiting.set(next, cb);
      return next++;
    },
    cancel: (id) => void waiting.delete(id),
  };
  const tick = () => {
    const due = [...waiting.values()];
    waiting.clear();
    for (const cb of due) cb();
  };
  return { frames, tick, waiting: () => waiting.size };
}

function scheduler(paint?: (s: RenderScheduler) => void) {
  const f = fakeFrames();
  let paints = 0;
  const s: RenderScheduler = new RenderScheduler(() => {
    paints++;
    paint?.(s);
  }, f.frames);
  return { s, ...f, paints: () => paints };
}

describe('RenderScheduler', () => {
  it('paints once on the next frame however often it is asked, and not again until asked', () => {
    const { s, tick, paints, waiting } = scheduler();
    s.start();
    s.request();
    s.request();
    expect(paints()).toBe(0);
    expect(waiting()).toBe(1);
    tick();
    expect(paints()).toBe(1);
    tick();
    tick();
    expect(paints(), 'nothing changed: no frame').toBe(1);
    expect(waiting()).toBe(0);
    s.request();
    tick();
    expect(paints()).toBe(2);
  });

  it('keeps requests made before the renderer started and paints them once it has', () => {
    const { s, tick, paints, waiting } = scheduler();
    s.request();
    expect(waiting(), 'no renderer yet: no frame').toBe(0);
    tick();
    expect(paints()).toBe(0);
    s.start();
    tick();
    expect(paints()).toBe(1);
  });

  it('flush paints now and drops the pending frame', () => {
    const { s, tick, paints, waiting } = scheduler();
    s.start();
    s.request();
    s.flush();
    expect(paints()).toBe(1);
    expect(waiting()).toBe(0);
    tick();
    expect(paints()).toBe(1);
  });

  it('lets a paint ask for the next frame (an animation) until it settles', () => {
    let left = 3;
    const { s, tick, paints } = scheduler((self) => {
      if (--left > 0) self.request();
    });
    s.start();
    for (let i = 0; i < 10; i++) tick();
    expect(paints()).toBe(3);
  });

  it('paints nothing once stopped', () => {
    const { s, tick, paints, waiting } = scheduler();
    s.start();
    s.request();
    s.stop();
    expect(waiting()).toBe(0);
    s.request();
    s.flush();
    tick();
    expect(paints()).toBe(0);
  });
});
