import type { TelemetryFrame } from '../shared/run.schema.ts';

/**
 * Passes on at most one frame per `minIntervalMs`, keeping the newest one
 * held back so that `flush()` can always deliver the last state of a run.
 */
export function throttleFrames(send: (frame: TelemetryFrame) => void, minIntervalMs: number) {
  let lastSent = -Infinity;
  let pending: TelemetryFrame | undefined;
  return {
    push(frame: TelemetryFrame): void {
      const now = performance.now();
      if (now - lastSent >= minIntervalMs) {
        lastSent = now;
        pending = undefined;
        send(frame);
      } else {
        pending = frame;
      }
    },
    flush(): void {
      if (pending) send(pending);
      pending = undefined;
    },
  };
}
