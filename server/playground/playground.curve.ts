import { strideFor } from '../match/curve-downsample.ts';

/** Arrays a curve is mirrored into (the room's state). */
export interface CurveArrays {
  curveSamples: { push(v: number): unknown; clear(): void };
  curveLoss: { push(v: number): unknown; clear(): void };
  curveValAccuracy: { push(v: number): unknown; clear(): void };
}

interface Point {
  samples: number;
  loss: number;
  valAccuracy: number;
}

/**
 * A run's full learning curve, kept on the server, mirrored into state at a
 * stride that doubles as it grows: points are only appended, except when the
 * stride changes and the view is rebuilt (so patches stay small).
 */
export class DownsampledCurve {
  private readonly series: Point[] = [];
  private stride = 1;
  private readonly out: CurveArrays;
  private readonly maxPoints: number;

  constructor(out: CurveArrays, maxPoints: number) {
    this.out = out;
    this.maxPoints = maxPoints;
  }

  get points(): readonly Point[] {
    return this.series;
  }

  add(samples: number, loss: number, valAccuracy: number): void {
    if (this.series.at(-1)?.samples === samples) return; // the final report repeats the last frame
    this.series.push({ samples, loss, valAccuracy });
    const stride = strideFor(this.series.length, this.maxPoints);
    if (stride !== this.stride) {
      this.stride = stride;
      this.rebuild();
    } else if ((this.series.length - 1) % stride === 0) this.push(this.series.at(-1)!);
  }

  /** Forgets everything (a new run). */
  reset(): void {
    this.series.length = 0;
    this.stride = 1;
    this.rebuild();
  }

  private push(p: Point): void {
    this.out.curveSamples.push(p.samples);
    this.out.curveLoss.push(p.loss);
    this.out.curveValAccuracy.push(p.valAccuracy);
  }

  private rebuild(): void {
    this.out.curveSamples.clear();
    this.out.curveLoss.clear();
    this.out.curveValAccuracy.clear();
    for (let i = 0; i < this.series.length; i += this.stride) this.push(this.series[i]!);
  }
}
