import { beforeAll, describe, expect, it } from 'vitest';
import { TrainJob } from '../../../shared/run.schema.ts';
import { initBackend } from '../tf-backend.ts';
import { TrainSession } from '../training-session.ts';
import { FusedDenseStep } from './fused-dense-step.ts';
import { sparseRowsOf } from './sparse-rows.ts';

describe('sparse inputs for the fused step’s probe gradients', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('sparseRowsOf lists the nonzero entries by rows and by columns, in index order (NaN kept); too dense a matrix gives none', () => {
    const x = new Float32Array([0, 2, 0, 3, /**/ 0, 0, 1, 0, /**/ NaN, 0, 5, 0]);
    const sp = sparseRowsOf(x, 3, 4);
    expect(sp).toBeUndefined(); // 5 of 12 nonzero: above a third
    const thin = sparseRowsOf(new Float32Array([0, 2, 0, 3, 0, 0, 0, 0, NaN, 0, 0, 0]), 3, 4)!;
    expect(Array.from(thin.rowStart)).toEqual([0, 2, 2, 3]);
    expect(Array.from(thin.rowColumn)).toEqual([1, 3, 0]);
    expect(Array.from(thin.rowValues)).toEqual([2, 3, NaN]);
    expect(Array.from(thin.colStart)).toEqual([0, 1, 2, 2, 3]);
    expect(Array.from(thin.colRow)).toEqual([2, 0, 0]);
    expect(Array.from(thin.colValues)).toEqual([NaN, 2, 3]);
    expect(() => sparseRowsOf(new Float32Array(5), 2, 3)).toThrow(/5 values cannot be 2×3/);
  });

  it('gradients on MNIST digits through their nonzero entries are the dense ones to the bit, and leave the step as it was', () => {
    const job = TrainJob.parse({ runId: 'sp', spec: { layers: [{ units: 128, activation: 'relu' }, { units: 30, activation: 'tanh' }], optimizer: 'adam', learningRate: 0.002, batchSize: 64 }, task: { name: 'mnist', samples: 600 }, seed: 5, budget: 100_000 });
    const s = new TrainSession(job, { path: 'tfjs' });
    for (let i = 0; i < 5; i++) s.step();
    const x = s.validation.x.dataSync() as Float32Array;
    const y = s.validation.y.dataSync() as Float32Array;
    const n = s.validation.count;
    const sparse = sparseRowsOf(x, n, 784)!;
    expect(sparse.rowValues.length / (n * 784)).toBeLessThan(0.25); // digits are mostly background
    const [a, b] = [new FusedDenseStep(s.net), new FusedDenseStep(s.net)];
    const copy = (g: { kernelGrads: Float32Array[]; output: Float32Array }) => ({ kernelGrads: g.kernelGrads.map((k) => Array.from(k)), output: Array.from(g.output) });
    const dense = copy(a.gradients({ x, y, n, kind: 'classification' }));
    const viaSparse = copy(a.gradients({ x, y, n, kind: 'classification', sparse }));
    expect(viaSparse.kernelGrads[0]!.some((v) => v !== 0)).toBe(true);
    expect(viaSparse).toEqual(dense);
    expect(copy(a.gradients({ x, y, n, kind: 'classification', sparse }))).toEqual(dense); // kept in memory: the same again
    // The sparse input lies past the batch's buffers: the steps after it are those of a step that never saw it.
    const batch = { x: x.subarray(0, 64 * 784), y: y.subarray(0, 64 * 10), n: 64, kind: 'classification' as const, optimizer: 'adam' as const, learningRate: 0.002, wantStats: false };
    for (let t = 1; t <= 3; t++) expect(a.step({ ...batch, t })).toEqual(b.step({ ...batch, t }));
    expect(Array.from(a.kernel(0))).toEqual(Array.from(b.kernel(0)));
    expect(() => a.gradients({ x, y, n: n - 1, kind: 'classification', sparse })).toThrow(`a sparse input of ${n}×784 for ${n - 1} rows`);
    s.dispose();
  });
});
