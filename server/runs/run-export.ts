import type { RunMetricsExport } from '../../shared/api.schema.ts';
import type { RunCurve } from '../../shared/match.schema.ts';

/** A stored curve's columns, in the order a CSV gives them; `accuracy` and `valLoss` where the run kept them. */
export function curveColumns(curve: RunCurve): Array<keyof RunCurve> {
  return (['samples', 'loss', 'accuracy', 'valLoss', 'valAccuracy'] as const).filter((k) => curve[k] !== undefined);
}

/** A stored curve as metrics.json: one object per point. */
export function curveToJson(runId: string, curve: RunCurve): RunMetricsExport {
  const columns = curveColumns(curve);
  return { runId, columns, points: curve.samples.map((_, i) => Object.fromEntries(columns.map((c) => [c, curve[c]![i]!]))) };
}

/** A stored curve as metrics.csv: a header, then one row per point. */
export function curveToCsv(curve: RunCurve): string {
  const columns = curveColumns(curve);
  const rows = curve.samples.map((_, i) => columns.map((c) => String(curve[c]![i])).join(','));
  return `${columns.join(',')}\n${rows.map((r) => `${r}\n`).join('')}`;
}
