import { PLAYGROUND_PROBE_INTERVAL_MS, TrainJob } from '../../shared/run.schema.ts';
import { probe } from '../../workers/engine/probes.ts';
import { runTraining } from '../../workers/engine/training-loop.ts';
import { TrainSession } from '../../workers/engine/training-session.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Rounds of the pair of runs (probes off, probes on), in ABBA order. */
const ROUNDS = 7;
/** Steps of each run: long enough for several probes at the playground's interval on this machine. */
const RUN_STEPS = 800;
/** Probes timed one by one for `probeCpuMs`. */
const TIMED_PROBES = 25;

/**
 * MNIST 784-128-10, batch 64, Adam, 3,000 digits (600 for validation), a frame every 10 steps: the run of issue 15,
 * probed as a playground probes (the only room that does: races and sweeps turn probes off).
 */
const mnistJob = (budget: number) =>
  TrainJob.parse({ runId: 'mnist', spec: { layers: [{ units: 128, activation: 'relu' }], optimizer: 'adam', learningRate: 0.001, batchSize: 64 }, task: { name: 'mnist', samples: 3000 }, seed: 1, budget, frameEverySteps: 10, probeIntervalMs: PLAYGROUND_PROBE_INTERVAL_MS });

/** This process's CPU time so far (user + system, every thread: the run, its probes and their garbage collection), ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Steps after a probe whose CPU beyond the usual is counted as the probe's too (caches it left cold). */
const AFTER_STEPS = 10;

interface RunMeasure {
  /** Samples, wall and CPU time from the run's first frame to its end (its setup, the same with or without probes, left out). */
  samples: number;
  wallMs: number;
  cpuMs: number;
  probes: number;
  /**
   * Each probe's CPU as the run paid it: the CPU of the loop's pass (pullControls to pullControls) that
   * probed, and of the AFTER_STEPS passes after it, beyond the mean of the run's other passes of the same
   * kind (with a frame or without) (ms). The mean, not the median: the CPU of V8's helper threads (garbage
   * collection, compilation: a sixth of the main thread's in these runs, probes or not) comes in bursts,
   * and against the median each of the eleven passes would count a burst's share as the probe's.
   */
  probeCostMs: number[];
  /** The part of each of those in the pass that probed (the probe itself), without the passes after it (ms). */
  probePassMs: number[];
}

/** One whole run through the training loop with its default telemetry; probes (every `job.probeIntervalMs` of wall time) only with `withProbes`. */
async function measureRun(job: TrainJob, withProbes: boolean): Promise<RunMeasure> {
  let probes = 0;
  let frames = 0;
  let first: { cpu: number; wall: number; samples: number; probes: number } | undefined;
  // One entry per pass of the loop: its CPU, and whether it made a frame and a probe. (A cpuUsage call a step: about 1 µs of the step's 1 ms.)
  const passes: { cpu: number; frame: boolean; probe: boolean }[] = [];
  let mark = { cpu: cpuMs(), frames: 0, probes: 0 };
  const r = await runTraining(job, {
    pullControls: () => {
      const cpu = cpuMs();
      passes.push({ cpu: cpu - mark.cpu, frame: frames > mark.frames, probe: probes > mark.probes });
      mark = { cpu, frames, probes };
      return [];
    },
    onFrame: (f) => {
      frames++;
      first ??= { cpu: cpuMs(), wall: performance.now(), samples: f.samples, probes };
    },
    ...(withProbes ? { onProbe: () => void probes++ } : {}),
  });
  const end = { cpu: cpuMs(), wall: performance.now() };
  const steady = passes.slice(1); // the first pass holds the session's setup
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const usual = (frame: boolean) => mean(steady.filter((p, i) => p.frame === frame && !steady.slice(Math.max(0, i - AFTER_STEPS), i + 1).some((q) => q.probe)).map((p) => p.cpu));
  const [plain, framed] = [usual(false), usual(true)];
  const beyond = (p: { cpu: number; frame: boolean }) => p.cpu - (p.frame ? framed : plain);
  const probeCostMs = steady.flatMap((p, i) => (p.probe ? [steady.slice(i, i + 1 + AFTER_STEPS).reduce((sum, q) => sum + beyond(q), 0)] : []));
  // The probe of the model as it ended comes after the last pass, with the last step and frame.
  if (probes > mark.probes) probeCostMs.push(end.cpu - mark.cpu - framed);
  const probePassMs = steady.filter((p) => p.probe).map(beyond);
  return { samples: r.samples - first!.samples, wallMs: end.wall - first!.wall, cpuMs: end.cpu - first!.cpu, probes: probes - first!.probes, probeCostMs, probePassMs };
}

export interface ProbeFigures {
  /**
   * Throughput lost to probes per CPU-second of the run: 1 − (samples per CPU-second with probes every
   * 250 ms) / (without), per ABBA round, median of the rounds. The target's figure.
   */
  probeOverhead: number;
  /** The same per round, in round order. */
  probeOverheadRounds: number[];
  /** The same from wall time (samples per second), median of the rounds: what the machine's other work swings. */
  probeOverheadWall: number;
  /** The run's share of a core with probes on (CPU time / wall time), median of the rounds: probes come every 250 ms of wall time, so the less CPU the run gets, the more of it they take. */
  runCpuShare: number;
  /** CPU per probe inside the runs: the CPU the run with probes spent beyond its samples' cost without them, per probe, median of the rounds (ms). */
  probeCpuMsInRun: number;
  /** What the in-run cost per probe comes to on a run that owns its core (probeCpuMsInRun / 250 ms). */
  probeOverheadFullCore: number;
  /** CPU of one probe timed alone on a trained MNIST session, median of TIMED_PROBES (ms). */
  probeCpuMs: number;
  /** Each probe's cost as the run paid it (see RunMeasure.probeCostMs), median over every probe of every round (ms). */
  probeCostMsInRun: number;
  /** The probe's own pass alone (see RunMeasure.probePassMs), median over every probe of every round (ms). */
  probePassMsInRun: number;
  /** The same, the first probe of each run (it also lays out the validation split's sparse copy), median of the rounds (ms). */
  firstProbeCostMsInRun: number;
  /** Σ those costs / the run's CPU from its first frame to its end, per run with probes, median of the rounds: the overhead counted inside each run. */
  probeOverheadInRun: number;
  /** The same per round, in round order. */
  probeOverheadInRunRounds: number[];
}

/**
 * What probes cost a whole MNIST run: ROUNDS rounds of a run without probes and one with, in ABBA order,
 * each run's samples per CPU-second of this process (which nothing else in it uses meanwhile: a probe runs
 * in the training loop's own thread, between two steps), so the machine's other processes, which swing the
 * wall-clock figure by ±25%, are left out.
 */
export async function mnistProbeBench(log: (s: string) => void): Promise<ProbeFigures> {
  const job = mnistJob(64 * RUN_STEPS);
  // Warm-up: JIT, wasm code and caches, both ways.
  await measureRun(mnistJob(64 * 60), true);
  await measureRun(mnistJob(64 * 60), false);
  const rounds: { off: RunMeasure; on: RunMeasure }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      const off = await measureRun(job, false);
      rounds.push({ off, on: await measureRun(job, true) });
    } else {
      const on = await measureRun(job, true);
      rounds.push({ on, off: await measureRun(job, false) });
    }
  }
  const perCpu = (m: RunMeasure) => m.samples / m.cpuMs;
  const perWall = (m: RunMeasure) => m.samples / m.wallMs;
  const overheadRounds = rounds.map(({ on, off }) => 1 - perCpu(on) / perCpu(off));
  const inRun = rounds.map(({ on }) => on.probeCostMs.reduce((a, b) => a + b, 0) / on.cpuMs);
  const probeCpuMsInRun = median(rounds.map(({ on, off }) => (on.cpuMs - on.samples / perCpu(off)) / Math.max(1, on.probes)));

  // One probe at a time, on a session trained for a while (its validation digits partly right, partly wrong).
  const session = new TrainSession(mnistJob(64 * 10_000));
  for (let i = 0; i < 200; i++) session.step();
  const timed: number[] = [];
  for (let i = 0; i < TIMED_PROBES + 3; i++) {
    const c = cpuMs();
    probe(session);
    if (i >= 3) timed.push(cpuMs() - c);
    session.step();
  }
  session.dispose();

  const out: ProbeFigures = {
    probeOverhead: +median(overheadRounds).toFixed(4),
    probeOverheadRounds: overheadRounds.map((o) => +o.toFixed(4)),
    probeOverheadWall: +median(rounds.map(({ on, off }) => 1 - perWall(on) / perWall(off))).toFixed(4),
    runCpuShare: +median(rounds.map(({ on }) => on.cpuMs / on.wallMs)).toFixed(3),
    probeCpuMsInRun: +probeCpuMsInRun.toFixed(2),
    probeOverheadFullCore: +(probeCpuMsInRun / job.probeIntervalMs).toFixed(4),
    probeCpuMs: +median(timed).toFixed(2),
    probeCostMsInRun: +median(rounds.flatMap(({ on }) => on.probeCostMs)).toFixed(2),
    probePassMsInRun: +median(rounds.flatMap(({ on }) => on.probePassMs)).toFixed(2),
    firstProbeCostMsInRun: +median(rounds.map(({ on }) => on.probeCostMs[0] ?? 0)).toFixed(2),
    probeOverheadInRun: +median(inRun).toFixed(4),
    probeOverheadInRunRounds: inRun.map((o) => +o.toFixed(4)),
  };
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  log(
    `mnist probes (every ${job.probeIntervalMs} ms, ${ROUNDS} ABBA rounds of ${RUN_STEPS}-step runs): overhead per CPU-second ${pct(out.probeOverhead)} median ` +
      `(rounds ${out.probeOverheadRounds.map(pct).join(' ')}), per wall second ${pct(out.probeOverheadWall)}; the run had ${(out.runCpuShare * 100).toFixed(0)}% of a core with probes on; ` +
      `a probe costs ${out.probeCpuMsInRun} ms of CPU in the run (${pct(out.probeOverheadFullCore)} on a core of its own), ${out.probeCostMsInRun} ms counted in the run's own passes (${out.probePassMsInRun} ms in its own, the first ${out.firstProbeCostMsInRun} ms), ` +
      `${pct(out.probeOverheadInRun)} of the run's CPU (rounds ${out.probeOverheadInRunRounds.map(pct).join(' ')}); ${out.probeCpuMs} ms timed alone; ` +
      `rounds' probes ${rounds.map(({ on }) => on.probes).join(' ')}`,
  );
  return out;
}
