import type { TelemetryFrame } from './run.schema.ts';

/** The columns of a metrics CSV, in order. */
export const METRIC_COLUMNS = ['step', 'samples', 'flops', 'loss', 'accuracy', 'valLoss', 'valAccuracy', 'learningRate', 'batchSize', 'samplesPerSec'] as const;

/** A run's telemetry frames as CSV, one row per frame, with a header. */
export function metricsToCsv(frames: readonly TelemetryFrame[]): string {
  const rows = frames.map((f) => METRIC_COLUMNS.map((c) => String(f[c])).join(','));
  return `${METRIC_COLUMNS.join(',')}\n${rows.join('\n')}${rows.length ? '\n' : ''}`;
}
