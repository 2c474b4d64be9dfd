import { CURVE_POINTS } from '../../shared/race.messages.ts';
import { strideFor } from '../match/curve-downsample.ts';
import type { RaceEntry } from '../../shared/race.state.ts';

interface CurvePoint {
  samples: number;
  loss: number;
  valAccuracy: number;
}

/**
 * Keeps an entry's full learning curve on the server and mirrors a stable,
 * downsampled view of it into the entry's state arrays. Points are only
 * appended, except when the stride doubles and the view is rebuilt.
 */
export class LiveCurve {
  private readonly series: CurvePoint[] = [];
  private stride = 1;
  private readonly entry: RaceEntry;
  private readonly maxPoints: number;

  constructor(entry: RaceEntry, maxPoints: number = CURVE_POINTS) {
    this.entry = entry;
    this.maxPoints = maxPoints;
  }

  /** The whole curve so far (for storage and replays). */
  get points(): readonly CurvePoint[] {
    return this.series;
  }

  add(samples: number, loss: number, valAccuracy: number): void {
    const last = this.series.at(-1);
    if (last && last.samples === samples) return; // the final report repeats the last frame
    this.series.push({ samples, loss, valAccuracy });
    const stride = strideFor(this.series.length, this.maxPoints);
    if (stride !== this.stride) {
      this.stride = stride;
      this.rebuild();
    } else if ((this.series.length - 1) % stride === 0) {
      this.push(this.series.at(-1)!);
    }
  }

  private push(p: CurvePoint): void {
    this.entry.curveSamples.push(p.samples);
    this.entry.curveLoss.push(p.loss);
    this.entry.curveValAccuracy.push(p.valAccuracy);
  }

  private rebuild(): void {
    this.entry.curveSamples.clear();
    this.entry.curveLoss.clear();
    this.entry.curveValAccuracy.clear();
    for (let i = 0; i < this.series.length; i += this.stride) this.push(this.series[i]!);
  }
}
