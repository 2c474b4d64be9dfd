import { beforeAll, describe, expect, it } from 'vitest';
import { Control } from '../../shared/control.schema.ts';
import { CURRENT_ARITHMETIC, newTrainJob, TrainJob, type TrainJobInput } from '../../shared/run.schema.ts';
import { decodeCheckpoint } from './checkpoint.ts';
import { tanhRowsApprox } from './dense-fast-activations.ts';
import { runTraining } from './training-loop.ts';
import { initBackend } from './tf-backend.ts';
import { TrainSession } from './training-session.ts';

const weights = (s: TrainSession) => s.net.layers.flatMap((l) => [...l.kernel.dataSync(), ...l.bias.dataSync(), ...l.kernelSlots.flatMap((x) => [...x.dataSync()])]);

/** Playground's default net on the spiral, as the tiny-net bench trains it, with one control so the log replays. */
const tiny = (extra: Partial<TrainJobInput> = {}): TrainJobInput => ({
  runId: 'arith',
  spec: { layers: [{ units: 4, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.03, batchSize: 10 },
  task: { name: 'spiral', samples: 500, valFraction: 0.25, heldOutFraction: 0.25 },
  seed: 3,
  budget: 6000,
  ...extra,
});

describe("the fast path's two arithmetics", () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('tanhRowsApprox is within 2e-15 of Math.tanh, keeps its sign, and gives NaN and ±1 where Math.tanh does', () => {
    const z = new Float64Array(200_001);
    for (let i = 0; i < z.length; i++) z[i] = (i - 100_000) / 5000; // [-20, 20] in steps of 2e-4, 0 included
    const special = Float64Array.from([NaN, Infinity, -Infinity, 1e-300, -1e-300, 400, -400, 1e-9]);
    const out = new Float64Array(z.length);
    tanhRowsApprox(z, out, z.length);
    let worst = 0;
    for (let i = 0; i < z.length; i++) {
      worst = Math.max(worst, Math.abs(out[i]! - Math.tanh(z[i]!)));
      expect(Math.sign(out[i]!) === Math.sign(z[i]!) || out[i] === 0).toBe(true);
    }
    expect(worst).toBeLessThan(2e-15);
    expect(worst).toBeGreaterThan(0); // an approximation, not Math.tanh under another name
    const outSpecial = new Float64Array(special.length);
    tanhRowsApprox(special, outSpecial, special.length);
    expect(Array.from(outSpecial.subarray(0, 3))).toEqual([NaN, 1, -1]);
    for (let i = 3; i < special.length; i++) expect(Math.abs(outSpecial[i]! - Math.tanh(special[i]!))).toBeLessThan(2e-15);
  });

  it('new runs take the second arithmetic; a job parsed without one (a stored run) keeps to the first', () => {
    expect(CURRENT_ARITHMETIC).toBe(2);
    expect(newTrainJob(tiny()).arithmetic).toBe(2);
    expect(newTrainJob(tiny({ arithmetic: 1 })).arithmetic).toBe(1);
    expect(TrainJob.parse(tiny()).arithmetic).toBeUndefined();
    expect(() => TrainJob.parse(tiny({ arithmetic: 3 as 2 }))).toThrow();
  });

  it('both train the same network: float64 losses a hair apart, float32 weights within 1e-6 (mostly the same bits), the same accuracy', () => {
    const one = new TrainSession(TrainJob.parse(tiny({ arithmetic: 1 })));
    const two = new TrainSession(TrainJob.parse(tiny({ arithmetic: 2 })));
    let lossGap = 0;
    for (let i = 0; i < 300; i++) lossGap = Math.max(lossGap, Math.abs(one.step() - two.step()));
    expect(lossGap).toBeGreaterThan(0); // the second arithmetic did train this run
    expect(lossGap).toBeLessThan(1e-12);
    const [a, b] = [weights(one), weights(two)];
    let worst = 0;
    a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]!))));
    expect(worst).toBeLessThan(1e-6);
    expect(two.result().final.valAccuracy).toBe(one.result().final.valAccuracy);
    one.dispose();
    two.dispose();
  });

  it('a run in the second arithmetic repeats itself, and resumes from a checkpoint to the same hash (its job carries it)', async () => {
    const job = newTrainJob(tiny({ controls: [{ step: 200, control: Control.parse({ type: 'setLearningRate', learningRate: 0.05 }) }] }));
    const checkpoints = new Map<number, Uint8Array>();
    const a = await runTraining(job, { onCheckpoint: (bytes, step) => checkpoints.set(step, bytes) });
    const b = await runTraining(job);
    expect(b.weightsHash).toBe(a.weightsHash);
    const resumed = await runTraining(job, { resumeFrom: checkpoints.get(350)! });
    expect(decodeCheckpoint(checkpoints.get(350)!).step).toBe(350);
    expect(resumed.weightsHash).toBe(a.weightsHash);
    // The same job in the first arithmetic is another run (its telemetry differs; its float32 weights may round
    // alike for a while, but not for certain): a replay must be told which it was.
    const losses = async (j: TrainJob) => {
      const out: number[] = [];
      await runTraining(j, { onFrame: (f) => out.push(f.loss) });
      return out;
    };
    expect(await losses({ ...job, arithmetic: 1 })).not.toEqual(await losses(job));
  });
});
