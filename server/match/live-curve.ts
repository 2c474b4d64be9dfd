import { strideFor } from './curve-downsample.ts';

/** A state array a curve column is mirrored into (a Colyseus `ArraySchema` of numbers). */
export interface CurveColumn {
  push(...values: number[]): unknown;
  clear(): void;
}

/**
 * A live learning curve, for every room: the whole series is kept on the server, and a stable,
 * downsampled view of it is mirrored into the state's columns (one array per figure). Points are only
 * appended, except when the power-of-two stride doubles and the view is rebuilt, so patches stay small.
 * A point whose first figure (samples, or iteration) repeats the last one's is dropped: a run's final
 * report repeats its last frame.
 */
export class LiveCurve<K extends string> {
  private readonly series: Array<Record<K, number>> = [];
  private readonly columns: Readonly<Record<K, CurveColumn>>;
  private readonly keys: readonly K[];
  private readonly maxPoints: number;
  private stride = 1;

  /** `columns` in the order of the curve's figures, the first being its x axis; at most `maxPoints` are shown. */
  constructor(columns: Record<K, CurveColumn>, maxPoints: number) {
    this.columns = columns;
    this.keys = Object.keys(columns) as K[];
    if (this.keys.length === 0) throw new Error('a curve needs at least one column');
    this.maxPoints = maxPoints;
    strideFor(0, maxPoints); // refuses maxPoints < 1 at once
  }

  /** The whole curve so far (for storage and replays). */
  get points(): ReadonlyArray<Readonly<Record<K, number>>> {
    return this.series;
  }

  add(point: Record<K, number>): void {
    const x = this.keys[0]!;
    if (this.series.length > 0 && this.series.at(-1)![x] === point[x]) return;
    this.series.push({ ...point });
    const stride = strideFor(this.series.length, this.maxPoints);
    if (stride !== this.stride) {
      this.stride = stride;
      this.rebuild();
    } else if ((this.series.length - 1) % stride === 0) this.show(this.series.at(-1)!);
  }

  /** Forgets everything (a new run or round). */
  reset(): void {
    this.series.length = 0;
    this.stride = 1;
    this.rebuild();
  }

  private show(point: Record<K, number>): void {
    for (const k of this.keys) this.columns[k].push(point[k]);
  }

  private rebuild(): void {
    for (const k of this.keys) this.columns[k].clear();
    for (let i = 0; i < this.series.length; i += this.stride) this.show(this.series[i]!);
  }
}
