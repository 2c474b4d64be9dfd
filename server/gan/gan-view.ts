import { GAN_CURVE_POINTS, GAN_SHOWN_POINTS } from '../../shared/gan.messages.ts';
import type { GanFrame } from '../../shared/gan.schema.ts';
import type { GanState } from '../../shared/gan.state.ts';
import { STORED_CURVE_POINTS } from '../../shared/match.schema.ts';
import type { GanRoundCurve } from '../../shared/gan-match.schema.ts';
import { decimate } from '../match/curve-downsample.ts';
import { LiveCurve } from '../match/live-curve.ts';

/** A round's live view in a GAN battle's state: figures, generated points, the discriminator's heatmap and the curves. */
export class GanView {
  private readonly state: GanState;
  private readonly curve: LiveCurve<'iteration' | 'dLoss' | 'gLoss' | 'distance'>;

  constructor(state: GanState) {
    this.state = state;
    this.curve = new LiveCurve({ iteration: state.curveIteration, dLoss: state.curveDLoss, gLoss: state.curveGLoss, distance: state.curveDistance }, GAN_CURVE_POINTS);
  }

  /** A new round: its curve starts empty. */
  reset(): void {
    this.state.iteration = 0;
    this.curve.reset();
  }

  /** The round's whole curve so far, downsampled for storage (points with a figure that is not finite left out); null before its first frame. */
  roundCurve(): GanRoundCurve | null {
    const points = this.curve.points.filter((p) => Object.values(p).every(Number.isFinite));
    if (points.length === 0) return null;
    const kept = decimate(points, STORED_CURVE_POINTS - 1);
    if (kept.at(-1) !== points.at(-1)) kept.push(points.at(-1)!);
    return { iteration: kept.map((p) => p.iteration), dLoss: kept.map((p) => p.dLoss), gLoss: kept.map((p) => p.gLoss), distance: kept.map((p) => p.distance) };
  }

  show(frame: GanFrame): void {
    const s = this.state;
    Object.assign(s, { iteration: frame.iteration, dLoss: frame.dLoss, gLoss: frame.gLoss, dAccuracy: frame.dAccuracy, distance: frame.distance });
    s.generated.clear();
    s.generated.push(...frame.generated.slice(0, 2 * GAN_SHOWN_POINTS));
    s.heatmapResolution = frame.heatmap.resolution;
    s.heatmapExtent = frame.heatmap.extent;
    if (s.heatmap.length === frame.heatmap.values.length) frame.heatmap.values.forEach((v, i) => (s.heatmap[i] = v));
    else {
      s.heatmap.clear();
      s.heatmap.push(...frame.heatmap.values);
    }
    this.curve.add({ iteration: frame.iteration, dLoss: frame.dLoss, gLoss: frame.gLoss, distance: frame.distance });
  }
}
