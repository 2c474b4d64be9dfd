import type { RunResult, TelemetryFrame, TrainJob } from '../../shared/run.schema.ts';
import { TrainSession } from './train-session.ts';

/** What the owner of a run hears while it trains. */
export interface TrainHooks {
  /** Called with each telemetry frame, every `job.frameEverySteps` steps and at the end. */
  onFrame?: (frame: TelemetryFrame) => void;
  /** Aborting stops the run between two steps; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** How long a run computes before it lets its thread's event loop breathe (ms). */
const SLICE_MS = 8;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Trains a job to the end of its budget. Between slices of steps it yields to
 * the event loop, so several runs in one thread interleave fairly and messages
 * (cancel, controls) are heard within a step or two.
 */
export async function runTraining(job: TrainJob, hooks: TrainHooks = {}): Promise<RunResult> {
  const session = new TrainSession(job);
  try {
    let sliceStart = performance.now();
    while (!session.done) {
      hooks.signal?.throwIfAborted();
      session.step();
      if (session.stepCount % job.frameEverySteps === 0 && !session.done) hooks.onFrame?.(session.frame());
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    hooks.onFrame?.(session.frame());
    return session.result();
  } finally {
    session.dispose();
  }
}
