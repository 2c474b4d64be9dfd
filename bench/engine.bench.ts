import * as tf from '@tensorflow/tfjs';
import { isDenseLayer, ModelSpec } from '../shared/model-spec.schema.ts';
import { parameterCount } from '../shared/model-spec.metrics.ts';
import { TrainJob, type TrainJobInput } from '../shared/run.schema.ts';
import { lossLandscape } from '../workers/engine/landscape.ts';
import { decisionBoundary } from '../workers/engine/probes.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { generateTaskData } from '../workers/engine/task-data.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { TrainSession } from '../workers/engine/training-session.ts';
import { toTensors } from '../workers/engine/training-data.ts';
import { mnistPeakBench } from './mnist/mnist-peak.ts';
import { mnistProbeBench } from './mnist/mnist-probes.ts';
import { tinyNetsBench } from './tiny/tiny-nets.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Case {
  name: 'spiral' | 'mnist';
  job: TrainJob;
}

/** The engine's samples per second on a job, with its default light telemetry; probes only with `withProbes`. */
async function engineSps(job: TrainJob, withProbes = false): Promise<number> {
  const hooks = withProbes ? { onProbe: () => {} } : {};
  await runTraining({ ...job, budget: Math.min(job.budget, job.spec.batchSize * 300) }, hooks); // warm-up: JIT and wasm caches
  const t = performance.now();
  const r = await runTraining(job, hooks);
  return r.samples / ((performance.now() - t) / 1000);
}

/** A plain `model.fit` loop on the same network, data and batch size. */
async function fitSps(job: TrainJob): Promise<number> {
  const data = generateTaskData(job.task, job.seed);
  const split = toTensors(data.train, job.spec, job.task);
  const model = tf.sequential();
  job.spec.layers.filter(isDenseLayer).forEach((l, i) => model.add(tf.layers.dense({ units: l.units, activation: l.activation as 'relu', ...(i === 0 ? { inputShape: [split.x.shape[1]] } : {}) })));
  model.add(tf.layers.dense({ units: split.y.shape[1] }));
  model.compile({ optimizer: tf.train.adam(job.spec.learningRate), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
  await model.fit(split.x, split.y, { batchSize: job.spec.batchSize, epochs: 1, verbose: 0 }); // warm-up
  const epochs = Math.max(1, Math.round(job.budget / split.count));
  const t = performance.now();
  await model.fit(split.x, split.y, { batchSize: job.spec.batchSize, epochs, verbose: 0, shuffle: true });
  const sps = (epochs * split.count) / ((performance.now() - t) / 1000);
  model.dispose();
  tf.dispose([split.x, split.y, ...(split.labels ? [split.labels] : [])]);
  return sps;
}

function job(extra: TrainJobInput): TrainJob {
  return TrainJob.parse(extra);
}

export async function engineBench(json: boolean): Promise<void> {
  const backend = await initBackend();
  const log = (s: string) => !json && console.log(s);
  const cases: Case[] = [
    { name: 'spiral', job: job({ runId: 's', spec: { layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 }, task: { name: 'spiral' }, seed: 1, budget: 200_000 }) },
    { name: 'mnist', job: job({ runId: 'm', spec: { layers: [{ units: 128, activation: 'relu' }], optimizer: 'adam', learningRate: 0.001, batchSize: 64 }, task: { name: 'mnist', samples: 3000 }, seed: 1, budget: 24_000 }) },
  ];
  const out: Record<string, unknown> = { backend };
  // Tiny nets against two scalar reference engines written for the bench (bench/tiny/).
  Object.assign(out, await tinyNetsBench(log));
  for (const c of cases) {
    const engine = await engineSps(c.job);
    const fit = await fitSps(c.job);
    out[c.name] = { engineSamplesPerSec: Math.round(engine), fitSamplesPerSec: Math.round(fit), ratio: +(engine / fit).toFixed(3) };
    log(`${c.name}: engine ${Math.round(engine)} samples/s, model.fit ${Math.round(fit)} samples/s, ratio ${(engine / fit).toFixed(2)}`);
  }
  // MNIST's step against the backend's peak (bench/mnist/).
  Object.assign(out.mnist as object, await mnistPeakBench(log));
  // What probes cost an MNIST run, per CPU-second (bench/mnist/mnist-probes.ts).
  Object.assign(out.mnist as object, await mnistProbeBench(log));

  // Probe overhead: the spiral run with every probe on at its default rate, against none.
  const spiral = cases[0]!.job;
  // Alternate the two, three times each, and compare medians: single runs on a shared machine wobble by more than the effect.
  const [without, withOn]: [number[], number[]] = [[], []];
  for (let i = 0; i < 4; i++) {
    // ABBA order, so drift on the machine (JIT, caches, the other core) falls on both sides alike.
    if (i % 2 === 0) {
      without.push(await engineSps(spiral));
      withOn.push(await engineSps(spiral, true));
    } else {
      withOn.push(await engineSps(spiral, true));
      without.push(await engineSps(spiral));
    }
  }
  const noProbes = median(without);
  const probes = median(withOn);
  // Negative means the run with probes happened to be faster: the cost is below what this machine can resolve.
  out.probeOverhead = +(1 - probes / noProbes).toFixed(4);
  out.probes = { everyMs: spiral.probeIntervalMs, samplesPerSecOn: Math.round(probes), samplesPerSecOff: Math.round(noProbes) };
  log(`probes on (every ${spiral.probeIntervalMs} ms): ${Math.round(probes)} samples/s against ${Math.round(noProbes)} without: overhead ${((out.probeOverhead as number) * 100).toFixed(1)}%`);

  // Boundary and landscape for a 433-parameter network (2-8-37-2).
  const spec433 = ModelSpec.parse({ layers: [{ units: 8, activation: 'relu' }, { units: 37, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 });
  const session = new TrainSession(TrainJob.parse({ runId: 'p', spec: spec433, task: { name: 'spiral' }, seed: 1, budget: 100_000 }));
  for (let i = 0; i < 50; i++) {
    if (i % 10 === 0) session.keepCheckpoint();
    session.step();
  }
  const boundary: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    decisionBoundary(session, 100);
    boundary.push(performance.now() - t);
  }
  const landscape: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    lossLandscape(session, { resolution: 51 });
    landscape.push(performance.now() - t);
  }
  session.dispose();
  out.parameters = parameterCount(spec433, 2, 2);
  out.boundaryMs = +median(boundary.slice(2)).toFixed(2);
  out.landscapeMs = +median(landscape).toFixed(1);
  log(`decision boundary 100×100 (${out.parameters} parameters): ${out.boundaryMs} ms; loss landscape 51×51: ${out.landscapeMs} ms`);
  console.log(JSON.stringify(out));
}
