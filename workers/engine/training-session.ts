import * as tf from '@tensorflow/tfjs';
import { AUGMENT_STD, type Control, type LoggedControl } from '../../shared/control.schema.ts';
import { networkDims } from '../../shared/network-dims.ts';
import { createRng, deriveSeed, permutation, permutationInto, type Rng } from '../../contract/random.ts';
import type { LayerStats, Metrics, RunEvent, RunResult, TelemetryFrame, TrainJob } from '../../shared/run.schema.ts';
import { taskKind } from '../../shared/task.schema.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { ControlTarget, OptimizerState } from './control-target.ts';
import { applyControl } from './controls.ts';
import { betterThan } from './best-checkpoint.ts';
export { ControlError } from './control-error.ts';
import { copyDetectorState, detect, initialDetectorState, type DetectorState } from './detectors.ts';
import { FastEvaluator, kernelMoments, varianceOf, type FastSplit } from './dense-fast-eval.ts';
import { DenseFastPath, fastPathFits } from './dense-fast-path.ts';
import { FusedDenseStep, fusedStepFits } from './fused/fused-dense-step.ts';
import { fusedEvaluate } from './fused/fused-evaluate.ts';
import { sparseRowsOf, type SparseRows } from './fused/sparse-rows.ts';
import { buildNetwork, disposeNetwork, forward, makeLayer, trainableLayers, variables, type Network } from './network.ts';
import { checkpointStem, restoreStem, stemMacs } from './image-stem.ts';
import { optimizerUpdate } from './optimizer.ts';
import { generateTaskData, type RawPoints } from './task-data.ts';
import { disposeSplit, networkInputs, toTensors, type SplitTensors } from './training-data.ts';
import { weightsHash } from './weights-hash.ts';

/** Points of the training split a frame measures accuracy on. */
const FRAME_EVAL_POINTS = 512;
/** Points of the validation split a frame looks for dead units on. */
const DEAD_UNIT_POINTS = 256;

/**
 * One training run, stepped by its owner. Everything it does follows from the
 * job and its control log: data, initial weights, batch order, dropout masks
 * and noise all come from the job's seed, so the same job gives the same
 * weights to the bit on the same backend, and a checkpoint resumes it exactly.
 */
export class TrainSession {
  readonly job: TrainJob;
  readonly backend: string;
  readonly kind: 'classification' | 'regression';
  /** The network as tf.js variables; reading it first writes back what the fast path trained. */
  get net(): Network {
    this.sync();
    return this._net;
  }
  set net(net: Network) {
    this._net = net;
    this.dropFastPath();
  }
  private _net!: Network;
  /** The JavaScript fast path's copy of the network (small networks), when it holds newer weights than tf.js. */
  private fast?: DenseFastPath;
  /** The fused step's copy of the network (larger dense networks), when it holds newer weights than tf.js. */
  private fused?: FusedDenseStep;
  private evaluator?: FastEvaluator;
  /** Whether the network is small enough for the fast path (cached: it changes only with the architecture). */
  private fits?: boolean;
  private tfStale = false;
  /** The batch's indices into the training set (grown with the batch size, reused every step). */
  private batchIdx = new Int32Array(0);
  /**
   * The fused step's batch inputs and targets, gathered here each step and kept from step to step: a fresh array a
   * step (200 kB on MNIST, a thousand steps a second) kept V8's garbage collector at work on the whole heap every few
   * hundred milliseconds, for the memory outside it.
   */
  private batchX = new Float32Array(0);
  private batchY = new Float32Array(0);
  /** The frame's splits in JavaScript, for the fast path's evaluation. */
  private fastTrainEval?: FastSplit;
  private fastVal?: FastSplit;
  /** The validation inputs' nonzero entries for the fused step's probes (null: too dense to gain from it). */
  private valSparse?: SparseRows | null;
  private _optimizer: OptimizerState;
  private _batchSize: number;
  private augment = false;
  /** The difficulty ramp now: the task's, until a `setDifficulty` control replaces it. */
  private ramp: number;
  private _train!: RawPoints;
  private trainTensors!: SplitTensors;
  /** The training set's network inputs and targets in JavaScript, for the fast path. */
  private trainInputs!: Float32Array;
  private trainTargets!: Float32Array;
  private trainModified = false;
  private additions = 0;
  private controlRng: Rng;
  private _stepCount = 0;
  private _samplesSpent = 0;
  /** Every control that took effect, in order, with its step. */
  readonly log: LoggedControl[] = [];
  private readonly kept = new Map<number, Checkpoint>();
  /** Events not yet collected by the owner. */
  private readonly pendingEvents: RunEvent[] = [];
  private _diverged = false;
  /** Set by `stop` and `keepBest`: the run ends before its budget. */
  private stopped = false;
  /** Validation scores of kept checkpoints, computed when first asked for. */
  private readonly scores = new WeakMap<Checkpoint, { loss: number; accuracy: number }>();
  /** Early stopping: the best automatic checkpoint so far. */
  private earlyStopBest?: { step: number; samples: number; loss: number; accuracy: number };
  /** What controls may read and change of this run (see ControlTarget). */
  private readonly controlTarget: ControlTarget;

  private readonly val: SplitTensors;
  /** The validation split's raw points (planar: x1, x2; MNIST: pixels), for probes that show them. */
  private readonly valRaw: RawPoints;
  private readonly heldOut: SplitTensors;
  private trainEval!: SplitTensors;
  private batchRng: Rng;
  private order: Uint32Array;
  private cursor = 0;
  private detectors: DetectorState = initialDetectorState();
  private lossSum = 0;
  private lossSteps = 0;
  /** Classification: rows of those steps' batches whose largest output was their class (before each update), and their rows. */
  private rightSum = 0;
  private rowsSum = 0;
  /** Rows the last step classified right (classification). */
  private lastRight = 0;
  private lastStats?: { gradNorms: ArrayLike<number>; updateRatios: ArrayLike<number> };
  private readonly dropoutSeed: number;
  private readonly startedAt = performance.now();

  /** Which path trains: `auto` (default) takes the JavaScript fast path for small networks; `tfjs` forces tf.js (to compare the two). */
  private readonly path: 'auto' | 'tfjs';

  constructor(job: TrainJob, options: { path?: 'auto' | 'tfjs' } = {}) {
    this.job = job;
    this.path = options.path ?? 'auto';
    this.backend = tf.getBackend();
    this.kind = taskKind(job.task.name);
    this.ramp = job.task.ramp;
    const data = generateTaskData(job.task, job.seed);
    const { inputDim, outputDim, image } = networkDims(job.spec, job.task);
    this._net = buildNetwork(job.spec, inputDim, outputDim, createRng(deriveSeed(job.seed, 'init')), image);
    this._optimizer = { name: job.spec.optimizer, learningRate: job.spec.learningRate, t: 0 };
    this._batchSize = job.spec.batchSize;
    this.setTrain(data.train, false);
    this.val = toTensors(data.val, job.spec, job.task);
    this.valRaw = data.val;
    this.heldOut = toTensors(data.heldOut, job.spec, job.task);
    this.batchRng = createRng(deriveSeed(job.seed, 'batches'));
    this.controlRng = createRng(deriveSeed(job.seed, 'controls'));
    this.dropoutSeed = deriveSeed(job.seed, 'dropout');
    this.order = permutation(this.train.count, this.batchRng);
    this.controlTarget = this.makeControlTarget();
  }

  /** The optimizer's rule, learning rate and step count now. */
  get optimizer(): Readonly<OptimizerState> {
    return this._optimizer;
  }
  get batchSize(): number {
    return this._batchSize;
  }
  /** The training set now (controls may change it). */
  get train(): RawPoints {
    return this._train;
  }
  /** Steps trained (a rewind moves it back). */
  get stepCount(): number {
    return this._stepCount;
  }
  /** Samples of the budget spent (a rewind does not give them back). */
  get samplesSpent(): number {
    return this._samplesSpent;
  }
  /** Whether the loss stopped being finite. */
  get diverged(): boolean {
    return this._diverged;
  }
  /** Checkpoints kept in memory for rewinds, by step. */
  get checkpoints(): ReadonlyMap<number, Checkpoint> {
    return this.kept;
  }

  /** Early stopping: the step of the best automatic checkpoint so far (the one `keepBest` will come back to). */
  get earlyStopBestStep(): number | undefined {
    return this.earlyStopBest?.step;
  }

  /** The narrow view of this run that controls work through. */
  private makeControlTarget(): ControlTarget {
    const s = this;
    return {
      job: s.job,
      get net() {
        return s.net;
      },
      get train() {
        return s._train;
      },
      get controlRng() {
        return s.controlRng;
      },
      get optimizer() {
        return s._optimizer;
      },
      get checkpoints() {
        return s.kept;
      },
      setOptimizer: (o) => void (s._optimizer = { ...o }),
      setBatchSize: (n) => void (s._batchSize = n),
      setAugmentation: (on) => void (s.augment = on),
      setRamp: (ramp) => void (s.ramp = ramp),
      setTrain: (points) => s.setTrain(points),
      nextAddition: () => s.additions++,
      spend: (samples) => void (s._samplesSpent = Math.min(s.job.budget, s._samplesSpent + samples)),
      get step() {
        return s._stepCount;
      },
      kind: s.kind,
      keepCheckpoint: () => void s.keepCheckpoint(),
      rewind: (cp) => s.restore(cp, { keepSpent: true }),
      stop: () => void (s.stopped = true),
      validationOf: (cp) => s.validationOf(cp),
    };
  }

  /** Carries on from a checkpoint of this job (after a crash): its state, and the job's controls it had applied. */
  resumeFrom(cp: Checkpoint): void {
    this.restore(cp, { keepSpent: false });
    this.kept.set(cp.step, cp);
    this.log.push(...this.job.controls.slice(0, cp.controlsApplied));
  }

  /** Drops a kept checkpoint (to bound memory); rewinds to it are refused from then on. */
  forgetCheckpoint(step: number): void {
    this.kept.delete(step);
  }

  /** True once the budget of training samples is spent, the run was stopped (`stop`, `keepBest`), or it diverged. */
  get done(): boolean {
    return this.stopped || this.diverged || this.samplesSpent >= this.job.budget;
  }

  /** Loss and accuracy a kept checkpoint's weights score on the validation split (each checkpoint scored once). */
  validationOf(cp: Checkpoint): { loss: number; accuracy: number } {
    let score = this.scores.get(cp);
    if (!score) {
      const stem = restoreStem(this._net.stem, cp.stem);
      const net: Network = { ...(stem ? { stem } : {}), inputDim: this._net.inputDim, outputDim: this._net.outputDim, layers: cp.layers.map((l) => makeLayer(l.kernel, l.bias, l.fanIn, l.fanOut, l.activation, l.dropout)) };
      try {
        score = this.evaluateWith(net, this.val);
      } finally {
        disposeNetwork(net);
      }
      this.scores.set(cp, score);
    }
    return score;
  }

  /**
   * Early stopping (`spec.earlyStopping`), after each automatic checkpoint: scores it on the validation split and,
   * once `patience` samples have passed since the best one, applies `keepBest` (logged like any control, so a
   * replay ends at the same step with the same weights). Returns whether it ended the run.
   */
  earlyStop(cp: Checkpoint): boolean {
    const rule = this.job.spec.earlyStopping;
    if (!rule || this.done) return false;
    const scored = { step: cp.step, samples: cp.samplesSpent, ...this.validationOf(cp) };
    if (!this.earlyStopBest || betterThan(scored, this.earlyStopBest, this.kind)) {
      this.earlyStopBest = scored;
      cp.earlyStopBest = scored;
      return false;
    }
    if (cp.samplesSpent - this.earlyStopBest.samples < rule.patience) return false;
    this.control({ type: 'keepBest' });
    return true;
  }

  /** Replaces the training set (after a data control) and re-uploads it. */
  private setTrain(points: RawPoints, modified = true): void {
    if (this.trainTensors) {
      disposeSplit(this.trainTensors);
      if (this.trainEval !== this.trainTensors) disposeSplit(this.trainEval);
    }
    this._train = points;
    this.fastTrainEval = undefined;
    this.trainModified ||= modified;
    this.trainTensors = toTensors(points, this.job.spec, this.job.task);
    this.trainInputs = this.trainTensors.x.dataSync() as Float32Array;
    this.trainTargets = this.trainTensors.y.dataSync() as Float32Array;
    this.trainEval = points.count > FRAME_EVAL_POINTS ? toTensors({ ...points, x: points.x.subarray(0, FRAME_EVAL_POINTS * points.dim), y: points.y.subarray(0, FRAME_EVAL_POINTS), count: FRAME_EVAL_POINTS }, this.job.spec, this.job.task) : this.trainTensors;
    if (modified) {
      this.order = permutation(points.count, this.batchRng);
      this.cursor = 0;
    }
  }

  /** Fills `batchIdx` with the next `size` points of the shuffled order. */
  private nextBatch(size: number): Int32Array {
    if (this.batchIdx.length < size) this.batchIdx = new Int32Array(size);
    const idx = this.batchIdx;
    for (let i = 0; i < size; i++) {
      if (this.cursor >= this.order.length) {
        // The order is the session's own (checkpoints copy it), so a new epoch's shuffle reuses it.
        this.order = this.order.length === this.train.count ? permutationInto(this.order, this.batchRng) : permutation(this.train.count, this.batchRng);
        this.cursor = 0;
      }
      idx[i] = this.order[this.cursor++]!;
    }
    return idx;
  }

  /** Input jitter for this batch: augmentation plus the difficulty ramp. */
  private batchNoise(size: number): Float32Array | undefined {
    if (!this.augment && this.ramp === 0) return undefined; // no jitter: skips a Math.hypot a step
    const ramp = this.ramp * Math.min(1, this.samplesSpent / this.job.budget);
    const std = Math.hypot(this.augment ? AUGMENT_STD : 0, ramp);
    if (std === 0) return undefined;
    const rawDim = this.train.dim;
    const noise = new Float32Array(size * rawDim);
    for (let i = 0; i < noise.length; i++) noise[i] = this.batchRng.normal() * std;
    return noise;
  }

  /** The training loss: cross-entropy or squared error, plus L1/L2 on kernels. */
  lossOf(output: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
    let loss = (this.kind === 'regression' ? tf.losses.meanSquaredError(target, output) : tf.losses.softmaxCrossEntropy(target, output)) as tf.Scalar;
    const { l1, l2 } = this.job.spec;
    for (const layer of trainableLayers(this.net)) {
      if (l1 > 0) loss = tf.add(loss, tf.mul(tf.sum(tf.abs(layer.kernel)), l1)) as tf.Scalar;
      if (l2 > 0) loss = tf.add(loss, tf.mul(tf.sum(tf.square(layer.kernel)), l2)) as tf.Scalar;
    }
    return loss;
  }

  /** Writes what the fast path trained back into the tf.js variables. */
  private sync(): void {
    if (!this.tfStale) return;
    this.tfStale = false;
    (this.fast ?? this.fused)!.writeBack(this._net);
  }

  /** Trains on one batch (trimmed so the budget is met exactly) and returns its loss. */
  step(): number {
    if (this.done) throw new Error('the run is over: no more steps');
    const size = Math.min(this.batchSize, this.job.budget - this.samplesSpent);
    const idx = this.nextBatch(size);
    const noise = this.batchNoise(size);
    const wantStats = (this.stepCount + 1) % this.job.frameEverySteps === 0 || this.samplesSpent + size >= this.job.budget;
    this._optimizer.t++;
    const dropoutSeed = (this.dropoutSeed + this.stepCount * 7919) % 2 ** 31;
    const loss = this.onFastPath()
      ? this.fastStep(idx, size, noise, wantStats, dropoutSeed)
      : this.path === 'auto' && fusedStepFits(this._net, this.job.spec)
        ? this.fusedStep(idx.subarray(0, size), noise, wantStats)
        : this.tfStep(idx.subarray(0, size), noise, wantStats, dropoutSeed);
    this._stepCount++;
    this._samplesSpent += size;
    if (!Number.isFinite(loss)) {
      this._diverged = true;
      this.event('diverged', `the loss became ${loss} at step ${this.stepCount}; the last good checkpoint is kept`);
    } else {
      this.lossSum += loss;
      this.lossSteps++;
      this.rightSum += this.lastRight;
      this.rowsSum += size;
    }
    return loss;
  }

  /** Whether this run trains (and measures its frames) on the JavaScript fast path. */
  private onFastPath(): boolean {
    this.fits ??= fastPathFits(this._net);
    return this.path === 'auto' && this.fits;
  }

  /** The fast path, started from the tf.js weights when there is none. */
  private fastPath(): DenseFastPath {
    return (this.fast ??= new DenseFastPath(this._net, this.job.arithmetic ?? 1));
  }

  /** Forgets the fast path's (or the fused step's) copy (after writing it back): the next step starts again from tf.js. */
  private dropFastPath(): void {
    this.fast = undefined;
    this.fused = undefined;
    this.evaluator = undefined;
    this.fits = undefined;
  }

  /** One step in JavaScript (small networks): see DenseFastPath. Allocates nothing unless the batch is jittered. */
  private fastStep(idx: Int32Array, n: number, noise: Float32Array | undefined, wantStats: boolean, dropoutSeed: number): number {
    const fast = this.fastPath();
    const inDim = this._net.inputDim;
    const outDim = this._net.outputDim;
    fast.batch(n);
    const x = fast.input;
    const y = fast.target;
    const src = noise ? this.jitteredInputData(idx.subarray(0, n), noise) : this.trainInputs;
    const targets = this.trainTargets;
    for (let i = 0; i < n; i++) {
      const from = noise ? i * inDim : idx[i]! * inDim;
      for (let k = 0; k < inDim; k++) x[i * inDim + k] = src[from + k]!;
      const t = idx[i]! * outDim;
      for (let k = 0; k < outDim; k++) y[i * outDim + k] = targets[t + k]!;
    }
    const o = this._optimizer;
    const loss = fast.step(n, this.kind, o.name, o.learningRate, o.t, this.job.spec.l1, this.job.spec.l2, dropoutSeed, wantStats);
    this.tfStale = true;
    this.lastRight = fast.right;
    if (wantStats) this.lastStats = { gradNorms: fast.gradNorms.slice(), updateRatios: fast.updateRatios.slice() };
    return loss;
  }

  /**
   * A fused step for the network as it is. For a job that asks for probes, the probes' validation pass is
   * laid out in it at once (its buffers grown to the split's rows, the split's sparse copy built if need be
   * and put in its memory), with the step's own setup, rather than by the first probe, in the middle of
   * the run (20–40 ms of CPU there on MNIST). The same work, done once per fused step either way.
   */
  private newFusedStep(): FusedDenseStep {
    const fused = new FusedDenseStep(this._net);
    if ((this.job.probeIntervalMs > 0 || this.job.probeEverySteps > 0) && this.val.count > 0) {
      const { count } = (this.fastVal ??= this.fastSplit(this.val));
      fused.prepare(count, this.validationSparse() ?? undefined);
    }
    return fused;
  }

  /** The validation inputs' nonzero entries, built once per session (null: too dense to gain from them). */
  private validationSparse(): SparseRows | null {
    const { x, count } = (this.fastVal ??= this.fastSplit(this.val));
    if (this.valSparse === undefined) this.valSparse = sparseRowsOf(x, count, x.length / count) ?? null;
    return this.valSparse;
  }

  /** One step of the fused dense step (dense networks above the fast path's size): see FusedDenseStep. */
  private fusedStep(idx: Int32Array, noise: Float32Array | undefined, wantStats: boolean): number {
    this.fused ??= this.newFusedStep();
    const inDim = this._net.inputDim;
    const outDim = this._net.outputDim;
    const n = idx.length;
    let x: Float32Array;
    if (noise) x = this.jitteredInputData(idx, noise);
    else {
      if (this.batchX.length !== n * inDim) this.batchX = new Float32Array(n * inDim);
      x = this.batchX;
      for (let i = 0; i < n; i++) x.set(this.trainInputs.subarray(idx[i]! * inDim, idx[i]! * inDim + inDim), i * inDim);
    }
    if (this.batchY.length !== n * outDim) this.batchY = new Float32Array(n * outDim);
    const y = this.batchY;
    for (let i = 0; i < n; i++) y.set(this.trainTargets.subarray(idx[i]! * outDim, idx[i]! * outDim + outDim), i * outDim);
    const { name, learningRate, t } = this.optimizer;
    const r = this.fused.step({ x, y, n, kind: this.kind, optimizer: name, learningRate, t, wantStats });
    this.tfStale = true;
    this.lastRight = r.right ?? 0;
    if (r.gradNorms && r.updateRatios) this.lastStats = { gradNorms: r.gradNorms, updateRatios: r.updateRatios };
    return r.loss;
  }

  /** One step through tf.js (larger networks). */
  private tfStep(idx: Int32Array, noise: Float32Array | undefined, wantStats: boolean, dropoutSeed: number): number {
    const size = idx.length;
    const layers = trainableLayers(this.net);
    const trainable = layers.filter((l) => !l.frozen);
    const { name, learningRate, t } = this.optimizer;
    return tf.tidy(() => {
      const indices = tf.tensor1d(idx, 'int32');
      let xb = tf.gather(this.trainTensors.x, indices);
      if (noise) xb = this.jitteredInputs(idx, noise);
      const yb = tf.gather(this.trainTensors.y, indices);
      const vars = trainable.flatMap((l) => [l.kernel, l.bias]);
      let right: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const out = forward(this.net, xb, { dropoutSeed });
        // Kept out of the tidy of the forward pass (and off the loss's path: no gradient flows through it).
        if (this.kind === 'classification') right = tf.keep(tf.sum(tf.equal(tf.argMax(out, 1), tf.argMax(yb, 1)).toFloat()) as tf.Scalar);
        return this.lossOf(out, yb);
      }, vars);
      const gradNorms: tf.Scalar[] = [];
      const updateRatios: tf.Scalar[] = [];
      for (const layer of layers) {
        if (layer.frozen) {
          if (wantStats) gradNorms.push(tf.scalar(0)), updateRatios.push(tf.scalar(0));
          continue;
        }
        const gk = grads[layer.kernel.name]!;
        const gb = grads[layer.bias.name]!;
        const newK = optimizerUpdate(name, learningRate, t, layer.kernel, gk, layer.kernelSlots);
        const newB = optimizerUpdate(name, learningRate, t, layer.bias, gb, layer.biasSlots);
        if (wantStats) {
          gradNorms.push(tf.sqrt(tf.add(tf.sum(tf.square(gk)), tf.sum(tf.square(gb)))) as tf.Scalar);
          updateRatios.push(tf.div(tf.norm(tf.sub(newK, layer.kernel)), tf.add(tf.norm(layer.kernel), 1e-12)) as tf.Scalar);
        }
        layer.kernel.assign(newK);
        layer.bias.assign(newB as tf.Tensor1D);
      }
      if (wantStats) {
        const stats = tf.stack([...gradNorms, ...updateRatios]).dataSync();
        const n = layers.length;
        this.lastStats = { gradNorms: stats.slice(0, n), updateRatios: stats.slice(n) };
      }
      if (!right) return value.dataSync()[0]!;
      const read = tf.stack([value, right]).dataSync();
      right.dispose();
      this.lastRight = read[1]!;
      return read[0]!;
    });
  }

  /** The batch's network inputs after jittering its raw points (features are recomputed from the jittered points). */
  private jitteredInputData(idx: Int32Array, noise: Float32Array): Float32Array {
    const d = this.train.dim;
    const raw = new Float32Array(idx.length * d);
    idx.forEach((src, i) => {
      for (let j = 0; j < d; j++) raw[i * d + j] = this.train.x[src * d + j]! + noise[i * d + j]!;
    });
    return networkInputs(raw, this.job.spec, this.job.task);
  }

  private jitteredInputs(idx: Int32Array, noise: Float32Array): tf.Tensor2D {
    return tf.tensor2d(this.jitteredInputData(idx, noise), [idx.length, this._net.inputDim]);
  }

  /** Loss and accuracy (R² for regression) on a split. */
  evaluate(split: SplitTensors): { loss: number; accuracy: number } {
    return this.evaluateWith(this.net, split);
  }

  private evaluateWith(net: Network, split: SplitTensors): { loss: number; accuracy: number } {
    if (split.count === 0) return { loss: NaN, accuracy: 0 };
    return tf.tidy(() => {
      const out = forward(net, split.x);
      if (this.kind === 'regression') {
        const mse = tf.losses.meanSquaredError(split.y, out).dataSync()[0]!;
        const variance = tf.moments(split.y).variance.dataSync()[0]!;
        return { loss: mse, accuracy: variance > 0 ? Math.max(0, 1 - mse / variance) : 0 };
      }
      const loss = tf.losses.softmaxCrossEntropy(split.y, out).dataSync()[0]!;
      const acc = tf.mean(tf.equal(tf.argMax(out, 1), split.labels!).toFloat()).dataSync()[0]!;
      return { loss, accuracy: acc };
    });
  }

  /** Loss and accuracy on the training and validation splits now (through tf.js); with `skipTrain` the training split's are left out (NaN). */
  metrics(skipTrain = false): Metrics {
    const train = skipTrain ? { loss: NaN, accuracy: NaN } : this.evaluate(this.trainEval);
    const val = this.evaluate(this.val);
    return { loss: train.loss, accuracy: train.accuracy, valLoss: val.loss, valAccuracy: val.accuracy };
  }

  /** A split's inputs, targets and labels copied out of tf.js once, for the fast path's evaluation. */
  private fastSplit(split: SplitTensors): FastSplit {
    const y = split.y.dataSync() as Float32Array;
    return { x: split.x.dataSync() as Float32Array, y, ...(split.labels ? { labels: split.labels.dataSync() as Int32Array } : {}), count: split.count, variance: this.kind === 'regression' ? varianceOf(y) : 0 };
  }

  /**
   * What a frame measures, on the fast path: metrics and the layers' statistics, with no tf.js call.
   * After steps (`stepsSeen`) the training split's loss is left out (NaN; the frame's loss is the steps' mean),
   * and so, for a classifier, is the training split altogether (its accuracy is the steps' too).
   */
  private fastFrameMeasures(stepsSeen: boolean): { metrics: Metrics; layers: LayerStats[] } {
    const fast = this.fastPath();
    this.evaluator ??= new FastEvaluator(fast.layers, this._net.inputDim);
    this.fastVal ??= this.fastSplit(this.val);
    let train = { loss: NaN, accuracy: NaN };
    if (!stepsSeen || this.kind === 'regression') {
      this.fastTrainEval ??= this.fastSplit(this.trainEval);
      train = this.evaluator.evaluate(this.fastTrainEval, this.kind, undefined, 0, !stepsSeen);
    }
    const dead: number[] = [];
    const val = this.evaluator.evaluate(this.fastVal, this.kind, dead, DEAD_UNIT_POINTS);
    const layers = fast.layers.map((l, i) => {
      const { mean, std } = kernelMoments(l.w);
      return { gradNorm: this.lastStats?.gradNorms[i] ?? 0, weightMean: mean, weightStd: std, updateRatio: this.lastStats?.updateRatios[i] ?? 0, deadFraction: dead[i] ?? 0 };
    });
    return { metrics: { loss: train.loss, accuracy: train.accuracy, valLoss: val.loss, valAccuracy: val.accuracy }, layers };
  }

  /** What a frame measures on the fused step (larger dense networks): the same, its products in the fused kernels (see fusedEvaluate). */
  private fusedFrameMeasures(fused: FusedDenseStep, skipTrain: boolean): { metrics: Metrics; layers: LayerStats[] } {
    this.fastVal ??= this.fastSplit(this.val);
    let train = { loss: NaN, accuracy: NaN };
    if (!skipTrain) {
      this.fastTrainEval ??= this.fastSplit(this.trainEval);
      train = fusedEvaluate(fused, this.fastTrainEval, this.kind);
    }
    const dead: number[] = [];
    const val = fusedEvaluate(fused, this.fastVal, this.kind, dead, DEAD_UNIT_POINTS);
    const layers = fused.widths.map((_, i) => {
      const { mean, std } = kernelMoments(fused.kernel(i));
      return { gradNorm: this.lastStats?.gradNorms[i] ?? 0, weightMean: mean, weightStd: std, updateRatio: this.lastStats?.updateRatios[i] ?? 0, deadFraction: dead[i] ?? 0 };
    });
    return { metrics: { loss: train.loss, accuracy: train.accuracy, valLoss: val.loss, valAccuracy: val.accuracy }, layers };
  }

  /**
   * For probes, when the run is on the fused step: the gradients of the validation loss, the kernels
   * and the validation outputs, computed there on its weights (no copy back into tf.js). @internal
   */
  fusedValidationPass(): { kernels: Float32Array[]; kernelGrads: Float32Array[]; output: Float32Array } | undefined {
    const fused = this.fused;
    if (!fused || this.val.count === 0) return undefined;
    this.fastVal ??= this.fastSplit(this.val);
    const { x, y, count } = this.fastVal;
    const pass = fused.gradients({ x, y, n: count, kind: this.kind, sparse: this.validationSparse() ?? undefined });
    return { ...pass, kernels: fused.widths.map((_, i) => fused.kernel(i)) };
  }

  /** The validation split, for probes. @internal */
  get validation(): SplitTensors {
    return this.val;
  }

  /** The validation split's raw points (planar: x1, x2; MNIST: 784 pixels in [0, 1]), for probes. @internal */
  get validationPoints(): RawPoints {
    return this.valRaw;
  }

  /**
   * For probes, when the run is on the fused step: every hidden layer's activations on the validation
   * rows `indices`, computed there on its weights (no copy back into tf.js, no tf.js op); per layer, one array per row. @internal
   */
  fusedHiddenActivations(indices: number[]): Float32Array[][] | undefined {
    const fused = this.fused;
    const n = indices.length;
    if (!fused || n === 0) return undefined;
    this.fastVal ??= this.fastSplit(this.val);
    const dim = this._net.inputDim;
    const x = new Float32Array(n * dim);
    const all = this.fastVal.x;
    indices.forEach((index, r) => x.set(all.subarray(index * dim, (index + 1) * dim), r * dim));
    const widths = fused.widths;
    const layers = widths.slice(0, -1).map(() => [] as Float32Array[]);
    fused.forwardRows(x, n, n, (_first, count, activations) => {
      layers.forEach((rows, l) => {
        for (let r = 0; r < count; r++) rows.push(activations[l]!.slice(r * widths[l]!, (r + 1) * widths[l]!));
      });
    });
    return layers;
  }

  private layerStats(): LayerStats[] {
    return tf.tidy(() => {
      const dead: number[] = [];
      const sample = this.val.count > DEAD_UNIT_POINTS ? this.val.x.slice([0, 0], [DEAD_UNIT_POINTS, -1]) : this.val.x;
      forward(this.net, sample, {
        onHidden: (_i, h) => {
          const range = tf.sub(tf.max(h, 0), tf.min(h, 0));
          dead.push(tf.mean(tf.lessEqual(range, 1e-6).toFloat()).dataSync()[0]!);
        },
      });
      return trainableLayers(this.net).map((layer, i) => {
        const { mean, variance } = tf.moments(layer.kernel);
        return {
          gradNorm: this.lastStats?.gradNorms[i] ?? 0,
          weightMean: mean.dataSync()[0]!,
          weightStd: Math.sqrt(variance.dataSync()[0]!),
          updateRatio: this.lastStats?.updateRatios[i] ?? 0,
          deadFraction: dead[i] ?? 0,
        };
      });
    });
  }

  /**
   * A telemetry frame. Its `loss` is the mean training loss of the steps since
   * the previous frame (what the optimizer saw), and for a classifier its
   * `accuracy` is theirs too: the share of those steps' batch rows whose
   * largest output was their class, before each step's update (as Keras
   * reports a running training accuracy). A frame with no step since the
   * previous one (the first, or the first after a control or a resume)
   * measures both on the training split now; validation figures and a
   * regression's R² are always measured now. Detectors look at every frame
   * and queue their events.
   */
  frame(): TelemetryFrame {
    const stepsSeen = this.lossSteps > 0;
    const accuracyFromSteps = stepsSeen && this.kind === 'classification';
    const measured = this.onFastPath() ? this.fastFrameMeasures(stepsSeen) : this.fused ? this.fusedFrameMeasures(this.fused, accuracyFromSteps) : { metrics: this.metrics(accuracyFromSteps), layers: this.layerStats() };
    const layers = measured.layers;
    const m = accuracyFromSteps ? { ...measured.metrics, accuracy: this.rightSum / this.rowsSum } : measured.metrics;
    const meanLoss = stepsSeen ? this.lossSum / this.lossSteps : m.loss;
    this.lossSum = 0;
    this.lossSteps = 0;
    this.rightSum = 0;
    this.rowsSum = 0;
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const frame: TelemetryFrame = {
      runId: this.job.runId,
      step: this.stepCount,
      samples: this.samplesSpent,
      flops: this.samplesSpent * this.flopsPerSample(),
      ...m,
      loss: meanLoss,
      learningRate: this.optimizer.learningRate,
      batchSize: this.batchSize,
      samplesPerSec: elapsed > 0 ? this.samplesSpent / elapsed : 0,
      layers,
      createdAt: Date.now(),
    };
    for (const e of detect(this.detectors, { ...m, loss: meanLoss }, layers, this.job.targetAccuracy)) this.event(e.type, e.message);
    return frame;
  }

  /** Training FLOPs per sample of the network as it is now (6 per forward multiply-add: forward and backward; one per parameter in dense layers). */
  flopsPerSample(): number {
    return 6 * (stemMacs(this._net.stem) + this._net.layers.reduce((a, l) => a + l.kernel.size + l.bias.size, 0));
  }

  /** Queues an event for the owner. */
  event(type: RunEvent['type'], message: string, control?: Control, appliedAt?: number): void {
    // A control event says how big the training set is after it (data controls and rewinds change it).
    this.pendingEvents.push({ runId: this.job.runId, step: this.stepCount, samples: this.samplesSpent, type, message, ...(control ? { control, trainSize: this._train.count } : {}), ...(appliedAt !== undefined ? { appliedAt } : {}) });
  }

  /** Whether events wait to be collected. */
  get hasEvents(): boolean {
    return this.pendingEvents.length > 0;
  }

  /** Hands over the events queued since the last call. */
  drainEvents(): RunEvent[] {
    return this.pendingEvents.splice(0);
  }

  /** Applies a control now, at the current step, and logs it; throws ControlError if it cannot apply. */
  control(control: Control): void {
    const step = this.stepCount; // a rewind moves the step: log where it was asked for
    this.sync(); // the fast path may hold newer weights than tf.js: keep them before it is dropped below
    const logged = applyControl(this.controlTarget, control);
    this.dropFastPath(); // controls change tf.js state: the fast path starts again from it
    this.log.push({ step, control: logged });
    this.event('control', `${logged.type} at step ${step}`, logged, step); // `step` of the event: where the run stands now
  }

  /** Weights, optimizer state, random state and data position, copied out of tf.js. */
  checkpoint(): Checkpoint {
    const cp: Checkpoint = {
      runId: this.job.runId,
      step: this.stepCount,
      samplesSpent: this.samplesSpent,
      layers: this.layerCheckpoints(),
      ...(this._net.stem ? { stem: checkpointStem(this.net.stem) } : {}),
      optimizer: { ...this.optimizer },
      batchSize: this.batchSize,
      augment: this.augment,
      ...(this.ramp !== this.job.task.ramp ? { ramp: this.ramp } : {}),
      rng: { batch: this.batchRng.state(), control: this.controlRng.state() },
      order: this.order.slice(),
      cursor: this.cursor,
      ...(this.trainModified ? { train: { x: this.train.x.slice(), y: this.train.y.slice(), count: this.train.count } } : {}),
      additions: this.additions,
      detectors: copyDetectorState(this.detectors),
      controlsApplied: this.log.length,
      ...(this.earlyStopBest ? { earlyStopBest: { ...this.earlyStopBest } } : {}),
    };
    return cp;
  }

  /** Each layer's weights and slots, from the fast path when it holds the newest (what writing them back to tf.js would give). */
  private layerCheckpoints(): Checkpoint['layers'] {
    if (this.tfStale && !this.fast) this.sync(); // the fused step's weights are read back through tf.js
    const fast = this.tfStale ? this.fast : undefined;
    return this._net.layers.map((l, i) => {
      const f = fast?.layers[i];
      return {
        activation: l.activation,
        dropout: l.dropout,
        frozen: l.frozen,
        fanIn: l.kernel.shape[0]!,
        fanOut: l.kernel.shape[1]!,
        kernel: f ? f.w.slice() : (l.kernel.dataSync().slice() as Float32Array),
        bias: f ? f.b.slice() : (l.bias.dataSync().slice() as Float32Array),
        kernelSlots: f ? f.slotsW.map((s) => s.slice()) : l.kernelSlots.map((s) => s.dataSync().slice() as Float32Array),
        biasSlots: f ? f.slotsB.map((s) => s.slice()) : l.biasSlots.map((s) => s.dataSync().slice() as Float32Array),
      };
    });
  }

  /** Takes a checkpoint and keeps it for rewinds. */
  keepCheckpoint(): Checkpoint {
    const cp = this.checkpoint();
    this.kept.set(cp.step, cp);
    return cp;
  }

  /**
   * Puts the run back into a checkpoint's state. `samplesSpent` is not
   * restored by a rewind: samples trained on and thrown away still count
   * against the budget, so rewinding is never free.
   */
  private restore(cp: Checkpoint, options: { keepSpent: boolean }): void {
    const stem = restoreStem(this.net.stem, cp.stem);
    disposeNetwork(this.net);
    this.net = {
      ...(stem ? { stem } : {}),
      inputDim: this.net.inputDim,
      outputDim: this.net.outputDim,
      layers: cp.layers.map((l) => {
        const layer = makeLayer(l.kernel, l.bias, l.fanIn, l.fanOut, l.activation, l.dropout);
        layer.frozen = l.frozen;
        layer.kernelSlots = l.kernelSlots.map((s) => tf.tidy(() => tf.variable(tf.tensor2d(s, [l.fanIn, l.fanOut]), false)));
        layer.biasSlots = l.biasSlots.map((s) => tf.tidy(() => tf.variable(tf.tensor1d(s), false)));
        return layer;
      }),
    };
    this._optimizer = { ...cp.optimizer };
    this._batchSize = cp.batchSize;
    this.augment = cp.augment;
    this.ramp = cp.ramp ?? this.job.task.ramp;
    this.batchRng = createRng(cp.rng.batch);
    this.controlRng = createRng(cp.rng.control);
    if (cp.train) this.setTrain({ x: cp.train.x.slice(), y: cp.train.y.slice(), count: cp.train.count, dim: this.train.dim }, true);
    else if (this.trainModified) {
      this.setTrain(generateTaskData(this.job.task, this.job.seed).train, false);
      this.trainModified = false;
    }
    this.order = cp.order.slice();
    this.cursor = cp.cursor;
    this.additions = cp.additions;
    this.detectors = copyDetectorState(cp.detectors);
    this.earlyStopBest = cp.earlyStopBest ? { ...cp.earlyStopBest } : undefined;
    this._stepCount = cp.step;
    if (!options.keepSpent) this._samplesSpent = cp.samplesSpent;
    this.lossSum = 0;
    this.lossSteps = 0;
    this.rightSum = 0;
    this.rowsSum = 0;
    this._diverged = false;
    for (const step of [...this.kept.keys()]) if (step > cp.step) this.kept.delete(step);
  }

  /** Network output for raw inputs (feature expansion included). */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => forward(this.net, x));
  }

  /** The run's final report, including its score on the held-out split. */
  result(): RunResult {
    const durationMs = performance.now() - this.startedAt;
    // The loss is measured before a step's update, so the weights can overflow a step before the loss shows it: check them.
    const finite = (cp: Checkpoint) => [...(cp.stem ?? []), ...cp.layers].every((l) => l.kernel.every(Number.isFinite) && l.bias.every(Number.isFinite));
    const lastGood = this.diverged ? [...this.checkpoints.values()].filter(finite).sort((a, b) => b.step - a.step)[0]?.step : undefined;
    return {
      runId: this.job.runId,
      status: this.diverged ? 'diverged' : 'finished',
      steps: this.stepCount,
      samples: this.samplesSpent,
      flops: this.samplesSpent * this.flopsPerSample(),
      final: this.metrics(),
      heldOutAccuracy: this.evaluate(this.heldOut).accuracy,
      weightsHash: weightsHash(variables(this.net)),
      backend: this.backend,
      samplesPerSec: durationMs > 0 ? this.samplesSpent / (durationMs / 1000) : 0,
      durationMs,
      controls: [...this.log],
      ...(this.diverged && lastGood !== undefined ? { lastGoodStep: lastGood } : {}),
    };
  }

  private readonly disposers: Array<() => void> = [];
  /** Registers something to free with the session (caches that probes keep). */
  onDispose(fn: () => void): void {
    this.disposers.push(fn);
  }

  /** Frees every tensor the session holds. */
  dispose(): void {
    for (const fn of this.disposers.splice(0)) fn();
    disposeNetwork(this.net);
    disposeSplit(this.trainTensors);
    if (this.trainEval !== this.trainTensors) disposeSplit(this.trainEval);
    disposeSplit(this.val);
    disposeSplit(this.heldOut);
    this.kept.clear();
  }
}
