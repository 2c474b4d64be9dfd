import * as tf from '@tensorflow/tfjs';
import { TrainJob } from '../../shared/run.schema.ts';
import { runTraining } from '../../workers/engine/training-loop.ts';
import { TrainSession } from '../../workers/engine/training-session.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Rounds of each measurement, interleaved so that load from the rest of the machine falls on all of them alike. */
const ROUNDS = 7;
/** The large product that stands for the backend's peak. */
const PEAK_SIZE = 1024;

/**
 * MNIST 784-128-10, batch 64, Adam: the job whose speed the fused step is for.
 * Frames are off here (`frameEverySteps` past the budget) so the figure is the step's own.
 */
const mnistJob = (budget: number, frameEverySteps = 100_000) =>
  TrainJob.parse({ runId: 'mnist', spec: { layers: [{ units: 128, activation: 'relu' }], optimizer: 'adam', learningRate: 0.001, batchSize: 64 }, task: { name: 'mnist', samples: 3000 }, seed: 1, budget, frameEverySteps });

/** Tries per round at the peak's product and at the step's chunks: each figure is a round's best. */
const TRIES = 8;
/** Steps in a chunk: about as long as one peak product (50 ms on a quiet machine), so that both see the machine's other work alike. */
const CHUNK_STEPS = 80;

/**
 * GFLOP/s of tf.matMul on two PEAK_SIZE² matrices on the active backend, result read back: the best of
 * TRIES, as the step below is the best of as many chunks of about the same length, so that both are
 * what the code does when the machine's other work leaves it the core.
 */
function peakGflops(a: tf.Tensor2D, b: tf.Tensor2D): number {
  let best = Infinity;
  for (let i = 0; i < TRIES; i++) {
    const t = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync(); // (not returned from a tf.tidy: tidy walks a returned typed array element by element, 25× the product's own time)
    best = Math.min(best, performance.now() - t);
    c.dispose();
  }
  return (2 * PEAK_SIZE ** 3) / (best / 1000) / 1e9;
}

/** Training GFLOP/s of session steps, counted as the engine counts them in its frames (6 per parameter per sample): the best of `chunks` chunks of `steps` steps. */
function stepGflops(session: TrainSession, chunks: number, steps: number): number {
  let best = Infinity;
  for (let c = 0; c < chunks; c++) {
    const t = performance.now();
    for (let i = 0; i < steps; i++) session.step();
    best = Math.min(best, performance.now() - t);
  }
  return (steps * session.batchSize * session.flopsPerSample()) / (best / 1000) / 1e9;
}

/** Samples per second of a whole run through the training loop with its default telemetry (a frame every 10 steps), no probes (their cost: mnist-probes.ts). */
async function runSps(job: TrainJob): Promise<number> {
  const t = performance.now();
  const r = await runTraining(job);
  return r.samples / ((performance.now() - t) / 1000);
}

export interface MnistPeakFigures {
  /** The engine's step (fused on wasm/cpu), GFLOP/s. */
  gflops: number;
  /** tf.matMul 1024×1024×1024 on the same backend in the same run, GFLOP/s. */
  peakGflops: number;
  fractionOfPeak: number;
  /** The tf.js step the engine took before the fused one (`path: 'tfjs'`), GFLOP/s. */
  tfjsStepGflops: number;
  /** A whole run through the training loop, default telemetry, GFLOP/s of training. */
  runGflops: number;
}

/**
 * The fused step against the backend's own peak, measured in ROUNDS
 * interleaved rounds (peak, fused step, tf.js step, a whole run); each figure
 * is the median of its rounds.
 */
export async function mnistPeakBench(log: (s: string) => void): Promise<MnistPeakFigures> {
  const a = tf.randomNormal([PEAK_SIZE, PEAK_SIZE]) as tf.Tensor2D;
  const b = tf.randomNormal([PEAK_SIZE, PEAK_SIZE]) as tf.Tensor2D;
  const fused = new TrainSession(mnistJob(50_000_000));
  const tfjs = new TrainSession(mnistJob(50_000_000), { path: 'tfjs' });
  const runJob = mnistJob(64 * 150, 10);
  // Warm-up: JIT, wasm code and caches.
  peakGflops(a, b);
  stepGflops(fused, 5, 10);
  stepGflops(tfjs, 2, 3);
  await runSps(mnistJob(64 * 30, 10));
  const figures = { peak: [] as number[], fused: [] as number[], tfjs: [] as number[], run: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    figures.peak.push(peakGflops(a, b));
    figures.fused.push(stepGflops(fused, TRIES, CHUNK_STEPS));
    figures.tfjs.push(stepGflops(tfjs, 3, 5));
    figures.run.push(await runSps(runJob));
  }
  fused.dispose();
  tfjs.dispose();
  tf.dispose([a, b]);
  const flopsPerSample = 6 * (784 * 128 + 128 + 128 * 10 + 10);
  const out: MnistPeakFigures = {
    gflops: +median(figures.fused).toFixed(2),
    peakGflops: +median(figures.peak).toFixed(2),
    fractionOfPeak: +(median(figures.fused) / median(figures.peak)).toFixed(3),
    tfjsStepGflops: +median(figures.tfjs).toFixed(2),
    runGflops: +((median(figures.run) * flopsPerSample) / 1e9).toFixed(2),
  };
  log(
    `mnist 784-128-10, batch 64: engine step ${out.gflops} GFLOP/s = ${(out.fractionOfPeak * 100).toFixed(0)}% of tf.matMul ${PEAK_SIZE}³ (${out.peakGflops} GFLOP/s); ` +
      `the tf.js step ${out.tfjsStepGflops} GFLOP/s; a whole run with frames ${out.runGflops} GFLOP/s (medians of ${ROUNDS} interleaved rounds)`,
  );
  return out;
}
