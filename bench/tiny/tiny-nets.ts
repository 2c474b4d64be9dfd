import { createRng } from '../../contract/random.ts';
import { newTrainJob, type Arithmetic, type TrainJobInput } from '../../shared/run.schema.ts';
import { runTraining, type TrainHooks } from '../../workers/engine/training-loop.ts';
import { generateTaskData } from '../../workers/engine/task-data.ts';
import { networkInputs } from '../../workers/engine/training-data.ts';
import { TrainSession } from '../../workers/engine/training-session.ts';
import { PlaygroundStyleNet } from './playground-style-reference.ts';
import { ScalarNet, type ReferenceActivation } from './scalar-reference.ts';

/** The three tiny nets of issue 15, all on the spiral with 250 training points, plain SGD, one learning rate. */
const NETS: Array<{ net: string; hidden: number[]; activation: ReferenceActivation; batchSize: number }> = [
  { net: '2-4-2 tanh b10', hidden: [4], activation: 'tanh', batchSize: 10 },
  { net: '2-8-8-8 tanh b10', hidden: [8, 8, 8], activation: 'tanh', batchSize: 10 },
  { net: '2-16-16 relu b32', hidden: [16, 16], activation: 'relu', batchSize: 32 },
];
const LEARNING_RATE = 0.03;
/** 500 points with a quarter each for validation and held-out: 250 training points. */
const TASK = { name: 'spiral', samples: 500, valFraction: 0.25, heldOutFraction: 0.25 } as const;
const ROUNDS = 7;
/**
 * Warm-up before the timed rounds, each contestant in turn: a short run, then full ones. The references reach
 * their speed after the short one; the engine's first three or so runs in a process are slower (0.3 to 0.9 of
 * the later ones: V8 compiles the step and the frames' evaluation, then again as new runs bring new shapes), so
 * one short run left its first timed rounds slow. A server has long been warm when a race starts.
 */
const WARM_UP = [0.1, 1, 1, 1];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface TinyFigure {
  net: string;
  /** The engine's samples per second through runTraining, default telemetry on (median of the rounds). */
  engine: number;
  /**
   * The scalar reference issue 15 asks for, built as TensorFlow Playground's engine is
   * (playground-style-reference.ts), samples per second on the same data, layers, batch size and learning rate.
   */
  reference: number;
  ratio: number;
  /**
   * A leaner scalar engine in the same classic style (scalar-reference.ts: the activation's derivative from its
   * output, no per-unit counts, dead flags or penalties), 1.4 to 1.8 times the Playground-style reference's speed; the
   * engine against it as well, a stricter yardstick than the issue's.
   */
  leanReference: number;
  leanRatio: number;
  /**
   * The engine's steps alone (TrainSession.step in a loop: no frames, checkpoints, hooks or loop around them;
   * the session's setup not timed), samples per second, and that against each reference of the same rounds:
   * what the run could reach if its telemetry cost nothing, its ceiling with the step's arithmetic as it is.
   */
  stepOnly: number;
  stepOnlyRatio: number;
  leanStepOnlyRatio: number;
  /**
   * The engine in the first arithmetic (TrainJob.arithmetic 1: how runs stored before the second trained, and how
   * their replays, exports and forks still train), samples per second, and that against the Playground-style reference.
   */
  firstArithmetic: number;
  firstArithmeticRatio: number;
  /** Training accuracy each reached on its last round (both must learn for the speeds to mean anything). */
  engineAccuracy: number;
  referenceAccuracy: number;
}

/** What a real run listens to: frames (every `frameEverySteps`, 10 by default), events, checkpoints (every 50 steps) and live controls. */
const realHooks = (): TrainHooks => ({ onFrame: () => {}, onEvent: () => {}, onCheckpoint: () => {}, pullControls: () => [] });

/**
 * The engine against the two scalar references on each tiny net, in
 * interleaved rounds (the order reverses each round so drift on a shared
 * machine falls on all), each figure the median of its rounds.
 */
export async function tinyNetsBench(log: (line: string) => void, budget = 200_000): Promise<{ tiny: TinyFigure[]; tinyMinRatio: number; tinyMinLeanRatio: number }> {
  const tiny: TinyFigure[] = [];
  for (const n of NETS) {
    // A new run's job, as rooms make it (newTrainJob: the current arithmetic, the checkpoint limit).
    const job = newTrainJob({
      runId: 'tiny',
      spec: { layers: n.hidden.map((units) => ({ units, activation: n.activation })), optimizer: 'sgd', learningRate: LEARNING_RATE, batchSize: n.batchSize },
      task: TASK,
      seed: 1,
      budget,
    } satisfies TrainJobInput);
    const data = generateTaskData(job.task, job.seed);
    const x = networkInputs(data.train.x, job.spec, job.task);
    if (data.train.count !== 250) throw new Error(`the tiny nets train on 250 points, not ${data.train.count}`);
    const widths = [x.length / data.train.count, ...n.hidden, 2];

    let engineAccuracy = 0;
    let referenceAccuracy = 0;
    const engineIn = (arithmetic: Arithmetic) => async (samples: number): Promise<number> => {
      const t = performance.now();
      const r = await runTraining({ ...job, arithmetic, budget: samples }, realHooks());
      const sps = r.samples / ((performance.now() - t) / 1000);
      if (arithmetic === job.arithmetic) engineAccuracy = r.final.accuracy;
      return sps;
    };
    // Both references start from the same weights and train the same ones (references.test.ts).
    const reference = (Net: typeof ScalarNet | typeof PlaygroundStyleNet) => (samples: number): number => {
      const random = createRng(7);
      const net = new Net(widths, n.activation, () => random.next());
      const t = performance.now();
      net.train(x, data.train.y, { samples, batchSize: n.batchSize, learningRate: LEARNING_RATE, random: () => random.next() });
      const sps = samples / ((performance.now() - t) / 1000);
      referenceAccuracy = net.accuracy(x, data.train.y); // the same for both references: they train the same weights
      return sps;
    };
    const stepsAlone = (samples: number): number => {
      const session = new TrainSession({ ...job, budget: samples });
      try {
        const t = performance.now();
        while (!session.done) session.step();
        return session.samplesSpent / ((performance.now() - t) / 1000);
      } finally {
        session.dispose();
      }
    };
    // Warm-up: the JIT, and the backend's kernels for the engine (see WARM_UP).
    const runs: Array<{ times: number[]; run: (samples: number) => number | Promise<number> }> = [engineIn(job.arithmetic!), reference(PlaygroundStyleNet), reference(ScalarNet), stepsAlone, engineIn(1)].map(
      (run) => ({ times: [], run }),
    );
    for (const share of WARM_UP) for (const { run } of runs) await run(Math.round(budget * share));
    for (let i = 0; i < ROUNDS; i++) {
      for (const r of i % 2 === 0 ? runs : [...runs].reverse()) r.times.push(await r.run(budget));
    }
    const [e, r, lean, s, first] = runs.map((x) => median(x.times)) as [number, number, number, number, number];
    const fig: TinyFigure = {
      net: n.net,
      engine: Math.round(e),
      reference: Math.round(r),
      ratio: +(e / r).toFixed(3),
      leanReference: Math.round(lean),
      leanRatio: +(e / lean).toFixed(3),
      stepOnly: Math.round(s),
      stepOnlyRatio: +(s / r).toFixed(3),
      leanStepOnlyRatio: +(s / lean).toFixed(3),
      firstArithmetic: Math.round(first),
      firstArithmeticRatio: +(first / r).toFixed(3),
      engineAccuracy: +engineAccuracy.toFixed(3),
      referenceAccuracy: +referenceAccuracy.toFixed(3),
    };
    tiny.push(fig);
    log(
      `${fig.net}: engine ${fig.engine} samples/s (accuracy ${fig.engineAccuracy}); Playground-style reference ${fig.reference} samples/s (accuracy ${fig.referenceAccuracy}), ratio ${fig.ratio.toFixed(2)}; ` +
        `lean reference ${fig.leanReference} samples/s, ratio ${fig.leanRatio.toFixed(2)}; the engine's steps alone ${fig.stepOnly} samples/s, ${fig.stepOnlyRatio.toFixed(2)} and ${fig.leanStepOnlyRatio.toFixed(2)} of the references; ` +
        `the engine in the first arithmetic (stored runs' replays) ${fig.firstArithmetic} samples/s, ratio ${fig.firstArithmeticRatio.toFixed(2)}`,
    );
  }
  return { tiny, tinyMinRatio: Math.min(...tiny.map((t) => t.ratio)), tinyMinLeanRatio: Math.min(...tiny.map((t) => t.leanRatio)) };
}
