import type { RunListener, Trainer } from '../trainer/trainer.port.ts';
import type { ArenaMetrics, RunKind } from './metrics.ts';

/**
 * Wraps a trainer so that every run it passes on is reported to `ArenaMetrics`: started, each frame
 * (samples, samples per second, telemetry lag), and how it ended. Only `submit`, `fork`, `attach`, `submitGan`
 * and `cancel` are intercepted, and only to wrap listeners; every other member goes to the adapter unchanged, so either
 * adapter can sit behind it and the port can grow without this file changing.
 */
export function meteredTrainer(inner: Trainer, metrics: ArenaMetrics): Trainer {
  /** Counts the run before submitting it, since an adapter may answer (even fail it) before `submit` resolves. */
  const started = async (runId: string, kind: RunKind, submit: () => Promise<void>): Promise<void> => {
    metrics.runStarted(runId, kind);
    try {
      await submit();
    } catch (err) {
      metrics.runEnded(runId, 'failed');
      throw err;
    }
  };

  const meteredListener = (runId: string, listener: RunListener): RunListener => ({
    ...listener,
    onFrame(frame) {
      metrics.frame(runId, frame);
      listener.onFrame(frame);
    },
    onDone(result) {
      metrics.runEnded(runId, result.status, result.samples);
      listener.onDone(result);
    },
    onFailed(message) {
      metrics.runEnded(runId, 'failed');
      listener.onFailed(message);
    },
  });

  const submit: Trainer['submit'] = (job, listener) => started(job.runId, 'train', () => inner.submit(job, meteredListener(job.runId, listener)));

  const fork: Trainer['fork'] = async (request, listener) => {
    let job: Awaited<ReturnType<Trainer['fork']>> | undefined;
    await started(request.runId, 'train', async () => void (job = await inner.fork(request, meteredListener(request.runId, listener))));
    return job!;
  };

  /** A run followed again (after a restart) counts as started in this process. */
  const attach: Trainer['attach'] = (job, listener, options) =>
    started(job.runId, 'generator' in job ? 'gan' : 'train', () => inner.attach(job, 'generator' in job ? listener : meteredListener(job.runId, listener), options));

  const submitGan: Trainer['submitGan'] = (job, listener) => {
    const { runId } = job;
    return started(runId, 'gan', () =>
      inner.submitGan(job, {
        onFrame(frame) {
          metrics.frame(runId, frame);
          listener.onFrame(frame);
        },
        onDone(result) {
          metrics.runEnded(runId, 'finished');
          listener.onDone(result);
        },
        onFailed(message) {
          metrics.runEnded(runId, 'failed');
          listener.onFailed(message);
        },
        ...(listener.onRecovered ? { onRecovered: (info) => listener.onRecovered!(info) } : {}),
      }),
    );
  };

  const cancel: Trainer['cancel'] = (runId) => {
    metrics.runEnded(runId, 'cancelled');
    return inner.cancel(runId);
  };

  const intercepted: Partial<Record<PropertyKey, unknown>> = { submit, fork, attach, submitGan, cancel };
  return new Proxy(inner, {
    get(target, prop) {
      if (prop in intercepted) return intercepted[prop];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
