/**
 * `npm run bench -- scale [--json] [--quick]`: training at scale, measured in
 * one run.
 *
 * - scaling: total samples per second of `cores` equal runs on one training
 *   thread (they interleave) against one thread per core (LocalTrainer),
 *   while every thread has work (up to the first run's end), the median of
 *   each round's pair; scalingToLastRun: the same to the last run's end.
 * - hardwareScaling: in the same rounds, bare kernels on one thread against
 *   one per core (scale.ceiling.ts): a SIMD matMul on the engine's backend
 *   and a scalar loop, the ceiling the machine itself sets.
 * - workerEfficiency: the engine's samples per second inside a BullMQ worker
 *   process (sandboxed worker thread, telemetry to Redis, controls read from
 *   Redis) against the bare engine in this process, on the same job: the
 *   median of each job's pair.
 * - telemetryP50Ms / telemetryP99Ms: from a frame's `createdAt` in the worker
 *   to its arrival at the server's listener (what a room is handed), over
 *   every frame of the worker runs.
 * - frameBytes: one light telemetry frame as it travels (frame-codec), beside
 *   its JSON.
 *
 * Needs Redis (BENCH_REDIS_URL, else REDIS_URL, else redis://127.0.0.1:6379);
 * uses a queue of its own and removes it afterwards. `--quick` runs shorter
 * jobs and fewer rounds: enough to see it work, too short for figures.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { BullmqTrainer } from '../server/trainer/bullmq.trainer.ts';
import { LocalTrainer } from '../server/trainer/local.trainer.ts';
import type { Trainer } from '../server/trainer/trainer.port.ts';
import { encodeFrame } from '../contract/frame-codec.ts';
import { TrainJob, type RunResult, type TelemetryFrame } from '../shared/run.schema.ts';
import { runTraining } from '../workers/engine/training-loop.ts';
import { initBackend } from '../workers/engine/tf-backend.ts';
import { startWorkerProcess } from '../test/support/worker-process.ts';
import { CeilingProbe } from './scale.ceiling.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

/**
 * A run on the tf.js path (about 26k parameters, past the JavaScript fast
 * path), no probes: the engine's ordinary work, the same wherever it runs.
 */
function benchJob(seed: number, budget: number): TrainJob {
  return TrainJob.parse({
    runId: `bench-scale-${process.pid}-${crypto.randomUUID()}`,
    spec: { layers: [{ units: 160, activation: 'relu' }, { units: 160, activation: 'relu' }], optimizer: 'adam', learningRate: 0.005, batchSize: 32 },
    task: { name: 'spiral' },
    seed,
    budget,
    probeIntervalMs: 0,
  });
}

/** Submits a job and resolves with its result; `onFrame` sees each frame as the server gets it. */
function train(trainer: Trainer, job: TrainJob, onFrame: (f: TelemetryFrame) => void = () => {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    trainer.submit(job, { onFrame, onDone: resolve, onFailed: (m) => reject(new Error(`${job.runId}: ${m}`)) }).catch(reject);
  });
}

/**
 * Samples per second of `runs` equal runs started together on a LocalTrainer
 * with `threads` threads: `steady` counts what every run had reported when
 * the first one finished (all threads busy: a loaded server), `overall` the
 * whole batch to its last run (with the tail where some threads are done);
 * `cores` is the CPU the process used over the batch (training threads plus
 * V8's own helper threads).
 */
async function poolSps(threads: number, runs: number, budget: number): Promise<{ steady: number; overall: number; cores: number }> {
  const trainer = new LocalTrainer({ threads });
  try {
    await trainer.backend();
    // Warm-up: every thread compiles the wasm kernels and JITs the engine once.
    await Promise.all(Array.from({ length: threads }, (_, i) => train(trainer, benchJob(900 + i, 32 * 50))));
    const seen = new Array<number>(runs).fill(0);
    let steady = 0;
    const t = performance.now();
    const cpu = process.cpuUsage();
    const results = await Promise.all(
      Array.from({ length: runs }, (_, i) =>
        train(trainer, benchJob(1 + i, budget), (f) => (seen[i] = f.samples)).then((r) => {
          seen[i] = r.samples;
          steady ||= seen.reduce((a, b) => a + b, 0) / ((performance.now() - t) / 1000);
          return r;
        }),
      ),
    );
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - t) / 1000;
    return { steady, overall: results.reduce((a, r) => a + r.samples, 0) / seconds, cores: (used.user + used.system) / 1e6 / seconds };
  } finally {
    await trainer.close();
  }
}

export async function scaleBench(json: boolean): Promise<void> {
  const quick = process.argv.includes('--quick');
  const log = (s: string) => !json && console.log(s);
  const backend = await initBackend();
  const cores = availableParallelism();
  // This machine's speed drifts from one second to the next: many short rounds, each compared within itself.
  const budget = quick ? 32 * 150 : 32 * 800;
  const rounds = quick ? 1 : 8;
  const workerBudget = quick ? 32 * 150 : 32 * 500;
  const workerPairs = quick ? 2 : 20;
  const loadBefore = loadavg()[0]!;

  // 1. One thread against one per core, the same runs either way; beside each
  // pair, the same comparison for bare kernels (what the cores give at all).
  type Pool = Awaited<ReturnType<typeof poolSps>>;
  const oneThread: Pool[] = [];
  const perCore: Pool[] = [];
  const ceilingMatMul: number[] = [];
  const ceilingScalar: number[] = [];
  const ceiling = await CeilingProbe.start(cores);
  try {
    for (let i = 0; i < rounds; i++) {
      ceilingMatMul.push(await ceiling.ratio('matMul', quick ? 300 : 1000));
      ceilingScalar.push(await ceiling.ratio('scalar', quick ? 300 : 1000));
      // Alternate the order, so drift on the machine falls on both sides alike.
      if (i % 2 === 0) {
        oneThread.push(await poolSps(1, cores, budget));
        perCore.push(await poolSps(cores, cores, budget));
      } else {
        perCore.push(await poolSps(cores, cores, budget));
        oneThread.push(await poolSps(1, cores, budget));
      }
    }
  } finally {
    await ceiling.close();
  }
  // Each round's pair ran back to back, under the same conditions: compare within rounds.
  const roundRatios = perCore.map((r, i) => r.steady / oneThread[i]!.steady);
  const scaling = median(roundRatios);
  const scalingToLastRun = median(perCore.map((r, i) => r.overall / oneThread[i]!.overall));
  const sps1 = median(oneThread.map((r) => r.steady));
  const spsN = median(perCore.map((r) => r.steady));
  const cores1 = median(oneThread.map((r) => r.cores));
  const coresN = median(perCore.map((r) => r.cores));
  const matMulCeiling = median(ceilingMatMul);
  const scalarCeiling = median(ceilingScalar);
  log(`${cores} runs, every thread busy: ${Math.round(sps1)} samples/s on one thread, ${Math.round(spsN)} on ${cores} threads: ${scaling.toFixed(2)}× (per round: ${roundRatios.map((r) => r.toFixed(2)).join(', ')})`);
  log(`  to the last run's end: ${scalingToLastRun.toFixed(2)}× (${cores1.toFixed(2)} and ${coresN.toFixed(2)} cores busy)`);
  log(`  bare kernels, ${cores} threads against 1: 256×256 matMul on ${backend} ${matMulCeiling.toFixed(2)}×, scalar JavaScript loop ${scalarCeiling.toFixed(2)}×`);

  // 2 and 3. A worker process against the bare engine; telemetry latency over every frame the worker sends.
  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queueName = `arena-bench-scale-${process.pid}-${Date.now()}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const worker = startWorkerProcess(redisUrl, queueName, { WORKER_CONCURRENCY: '1' });
  const trainer = new BullmqTrainer({ redis, queueName });
  const latencies: number[] = [];
  let sample: TelemetryFrame | undefined;
  const runIds: string[] = [];
  const inWorker = async (job: TrainJob, measure: boolean) => {
    runIds.push(job.runId);
    const r = await train(trainer, job, (f) => {
      if (!measure) return;
      latencies.push(Date.now() - f.createdAt);
      sample ??= f;
    });
    return r.samplesPerSec;
  };
  const bare = async (job: TrainJob) => (await runTraining(job)).samplesPerSec;
  const workerSps: number[] = [];
  const bareSps: number[] = [];
  try {
    // Warm-up on both sides: the worker's thread starts and compiles; so does this one.
    await inWorker(benchJob(990, 32 * 100), false);
    await bare(benchJob(990, 32 * 100));
    for (let i = 0; i < workerPairs; i++) {
      const job = benchJob(50 + i, workerBudget);
      // ABBA: worker, bare, bare, worker, ...
      if (i % 2 === 0) {
        workerSps.push(await inWorker(job, true));
        bareSps.push(await bare(job));
      } else {
        bareSps.push(await bare(job));
        workerSps.push(await inWorker(job, true));
      }
    }
  } finally {
    await worker.kill('SIGTERM');
    await trainer.close();
    const keys = [...(await redis.keys(`bull:${queueName}:*`))];
    for (const id of runIds) keys.push(...(await redis.keys(`arena:run:${id}:*`)));
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  const wSps = median(workerSps);
  const bSps = median(bareSps);
  // Each job ran once in the worker and once bare, back to back: compare within pairs.
  const pairRatios = workerSps.map((w, i) => w / bareSps[i]!);
  const workerEfficiency = median(pairRatios);
  log(`engine in a BullMQ worker: ${Math.round(wSps)} samples/s against ${Math.round(bSps)} bare: ${(workerEfficiency * 100).toFixed(1)}% (per job: ${pairRatios.map((r) => `${Math.round(r * 100)}%`).join(', ')})`);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  log(`telemetry, frame made in the worker to the server's listener: p50 ${p50} ms, p99 ${p99} ms over ${latencies.length} frames`);
  const frameBytes = sample ? encodeFrame(sample).byteLength : 0;
  const frameJsonBytes = sample ? Buffer.byteLength(JSON.stringify(sample)) : 0;
  log(`a frame of this ${sample?.layers.length ?? 0}-layer network: ${frameBytes} bytes (${frameJsonBytes} as JSON)`);

  const out = {
    backend,
    cores,
    quick,
    loadAvg1m: { before: +loadBefore.toFixed(2), after: +loadavg()[0]!.toFixed(2) },
    samplesPerSec: { oneThread: Math.round(sps1), perCore: Math.round(spsN) },
    scaling: +scaling.toFixed(3),
    /** The same to the end of the batch's last run, where threads that are done sit idle. */
    scalingToLastRun: +scalingToLastRun.toFixed(3),
    /** Bare kernels on every core against one, in the same rounds: how far this machine's cores scale at all. */
    hardwareScaling: { matMul: +matMulCeiling.toFixed(3), scalar: +scalarCeiling.toFixed(3) },
    /** CPU the process used, in cores: one training thread already keeps V8's helper threads (GC, compiler) busy on the other core. */
    cpuCores: { oneThread: +cores1.toFixed(2), perCore: +coresN.toFixed(2) },
    workerSamplesPerSec: Math.round(wSps),
    bareSamplesPerSec: Math.round(bSps),
    workerEfficiency: +workerEfficiency.toFixed(3),
    telemetryFrames: latencies.length,
    telemetryP50Ms: p50,
    telemetryP99Ms: p99,
    frameBytes,
    frameJsonBytes,
  };
  console.log(JSON.stringify(out));
}
