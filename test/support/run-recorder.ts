/**
 * Listens to runs the way a room does, and keeps everything they said in one
 * timeline, so tests can assert on order (interleaving, nothing after cancel)
 * rather than on time.
 */
import type { RunListener, Trainer } from '../../server/trainer/trainer.port.ts';
import type { RunEvent, RunResult, TelemetryFrame, TrainJob } from '../../shared/run.schema.ts';

export type Heard =
  | { runId: string; kind: 'frame'; frame: TelemetryFrame; at: number }
  | { runId: string; kind: 'event'; event: RunEvent; at: number }
  | { runId: string; kind: 'done'; result: RunResult; at: number }
  | { runId: string; kind: 'failed'; message: string; at: number };

export interface RecordedRun {
  runId: string;
  frames: TelemetryFrame[];
  events: RunEvent[];
  done: RunResult[];
  failed: string[];
  /** Resolves with the result, rejects with the failure. */
  settled: Promise<RunResult>;
  listener: RunListener;
}

export class RunRecorder {
  /** Everything every run said, in the order this process heard it. */
  readonly timeline: Heard[] = [];

  /** A listener for `runId`, recording into the timeline. */
  listen(runId: string): RecordedRun {
    let resolve!: (r: RunResult) => void;
    let reject!: (e: Error) => void;
    const settled = new Promise<RunResult>((res, rej) => ((resolve = res), (reject = rej)));
    settled.catch(() => {}); // observed by the test when it cares
    const run: RecordedRun = {
      runId,
      frames: [],
      events: [],
      done: [],
      failed: [],
      settled,
      listener: {
        onFrame: (frame) => {
          run.frames.push(frame);
          this.timeline.push({ runId, kind: 'frame', frame, at: Date.now() });
        },
        onEvent: (event) => {
          run.events.push(event);
          this.timeline.push({ runId, kind: 'event', event, at: Date.now() });
        },
        onDone: (result) => {
          run.done.push(result);
          this.timeline.push({ runId, kind: 'done', result, at: Date.now() });
          resolve(result);
        },
        onFailed: (message) => {
          run.failed.push(message);
          this.timeline.push({ runId, kind: 'failed', message, at: Date.now() });
          reject(new Error(message));
        },
      },
    };
    return run;
  }

  /** Submits a job to a trainer with a recording listener. */
  async submit(trainer: Trainer, job: TrainJob): Promise<RecordedRun> {
    const run = this.listen(job.runId);
    await trainer.submit(job, run.listener);
    return run;
  }

  /** Samples the run had reported by the time the timeline reached `index` (0 before its first frame). */
  samplesAt(runId: string, index: number): number {
    let samples = 0;
    for (let i = 0; i < index && i < this.timeline.length; i++) {
      const h = this.timeline[i]!;
      if (h.runId === runId && h.kind === 'frame') samples = h.frame.samples;
    }
    return samples;
  }
}

export { waitFor } from './wait.ts';
