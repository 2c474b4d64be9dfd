import * as tf from '@tensorflow/tfjs';
import { generateTaskData, type LabelledPoints } from '../../shared/datasets/dataset.ts';
import { trainFlopsPerSample } from '../../shared/model-spec.metrics.ts';
import { createRng, deriveSeed, permutation, type Rng } from '../../shared/random.ts';
import type { Metrics, RunResult, TelemetryFrame, TrainJob } from '../../shared/run.schema.ts';
import { taskDims } from '../../shared/task.schema.ts';
import { buildNetwork, disposeNetwork, forward, variables, type Network } from './network.ts';
import { createOptimizer } from './optimizer.ts';
import { weightsHash } from './weights-hash.ts';

interface PointTensors {
  x: tf.Tensor2D;
  labels: tf.Tensor1D;
  oneHot: tf.Tensor2D;
  count: number;
}

function toTensors(points: LabelledPoints): PointTensors {
  const labels = tf.tensor1d(points.y, 'int32');
  return {
    x: tf.tensor2d(points.x, [points.count, points.inputDim]),
    labels,
    oneHot: tf.tidy(() => tf.oneHot(labels, points.classes).toFloat() as tf.Tensor2D),
    count: points.count,
  };
}

function disposeTensors(t: PointTensors): void {
  tf.dispose([t.x, t.labels, t.oneHot]);
}

/**
 * One training run, stepped by its owner. Everything it does follows from the
 * job: the data, the initial weights and the order of the batches all come
 * from the job's seed, so two sessions of one job end with the same weights.
 */
export class TrainSession {
  readonly job: TrainJob;
  readonly backend: string;
  stepCount = 0;
  samplesSeen = 0;
  private readonly net: Network;
  private readonly optimizer: tf.Optimizer;
  private readonly train: PointTensors;
  private readonly val: PointTensors;
  private readonly heldOut: PointTensors;
  private readonly batchRng: Rng;
  private readonly flopsPerSample: number;
  private order: Uint32Array;
  private cursor = 0;
  private lossSum = 0;
  private lossSteps = 0;
  private lastLoss = NaN;
  private readonly startedAt = performance.now();

  constructor(job: TrainJob) {
    this.job = job;
    this.backend = tf.getBackend();
    const data = generateTaskData(job.task, job.seed);
    const { inputDim, classes } = taskDims(job.task);
    this.net = buildNetwork(job.spec, inputDim, classes, deriveSeed(job.seed, 'init'));
    this.optimizer = createOptimizer(job.spec.optimizer, job.spec.learningRate);
    this.train = toTensors(data.train);
    this.val = toTensors(data.val);
    this.heldOut = toTensors(data.heldOut);
    this.batchRng = createRng(deriveSeed(job.seed, 'batches'));
    this.order = permutation(this.train.count, this.batchRng);
    this.flopsPerSample = trainFlopsPerSample(job.spec, inputDim, classes);
  }

  /** True once the budget of training samples is spent. */
  get done(): boolean {
    return this.samplesSeen >= this.job.budget;
  }

  private nextBatch(size: number): Int32Array {
    const idx = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      if (this.cursor >= this.order.length) {
        this.order = permutation(this.train.count, this.batchRng);
        this.cursor = 0;
      }
      idx[i] = this.order[this.cursor++]!;
    }
    return idx;
  }

  /** Trains on one batch (trimmed so the budget is met exactly) and returns its loss. */
  step(): number {
    if (this.done) throw new Error('the budget is spent: no more steps');
    const size = Math.min(this.job.spec.batchSize, this.job.budget - this.samplesSeen);
    const idx = this.nextBatch(size);
    const loss = tf.tidy(() => {
      const indices = tf.tensor1d(idx, 'int32');
      const xb = tf.gather(this.train.x, indices);
      const yb = tf.gather(this.train.oneHot, indices);
      const cost = this.optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(yb, forward(this.net, xb)) as tf.Scalar,
        true,
        variables(this.net),
      );
      return cost!.dataSync()[0]!;
    });
    this.stepCount++;
    this.samplesSeen += size;
    this.lossSum += loss;
    this.lossSteps++;
    this.lastLoss = loss;
    return loss;
  }

  private evaluate(points: PointTensors): { loss: number; accuracy: number } {
    return tf.tidy(() => {
      const logits = forward(this.net, points.x);
      const loss = tf.losses.softmaxCrossEntropy(points.oneHot, logits);
      const correct = tf.mean(tf.equal(tf.argMax(logits, 1), points.labels).toFloat());
      const [l, a] = [loss.dataSync()[0]!, correct.dataSync()[0]!];
      return { loss: l, accuracy: a };
    });
  }

  /** Loss and accuracy on the training and validation splits now. */
  metrics(): Metrics {
    const train = this.evaluate(this.train);
    const val = this.evaluate(this.val);
    return { loss: train.loss, accuracy: train.accuracy, valLoss: val.loss, valAccuracy: val.accuracy };
  }

  /**
   * A telemetry frame. Its `loss` is the mean training loss of the steps since
   * the previous frame (what the optimizer saw); accuracies are measured now.
   */
  frame(): TelemetryFrame {
    const m = this.metrics();
    const meanLoss = this.lossSteps > 0 ? this.lossSum / this.lossSteps : m.loss;
    this.lossSum = 0;
    this.lossSteps = 0;
    const elapsed = (performance.now() - this.startedAt) / 1000;
    return {
      runId: this.job.runId,
      step: this.stepCount,
      samples: this.samplesSeen,
      flops: this.samplesSeen * this.flopsPerSample,
      ...m,
      loss: meanLoss,
      learningRate: this.job.spec.learningRate,
      batchSize: this.job.spec.batchSize,
      samplesPerSec: elapsed > 0 ? this.samplesSeen / elapsed : 0,
      createdAt: Date.now(),
    };
  }

  /** The run's final report, including its score on the held-out split. */
  result(): RunResult {
    const durationMs = performance.now() - this.startedAt;
    return {
      runId: this.job.runId,
      steps: this.stepCount,
      samples: this.samplesSeen,
      flops: this.samplesSeen * this.flopsPerSample,
      final: this.metrics(),
      heldOutAccuracy: this.evaluate(this.heldOut).accuracy,
      weightsHash: weightsHash(variables(this.net)),
      backend: this.backend,
      samplesPerSec: durationMs > 0 ? this.samplesSeen / (durationMs / 1000) : 0,
      durationMs,
    };
  }

  /** Loss of the most recent step (NaN before the first). */
  get lastStepLoss(): number {
    return this.lastLoss;
  }

  /** Frees every tensor the session holds. */
  dispose(): void {
    disposeNetwork(this.net);
    this.optimizer.dispose();
    disposeTensors(this.train);
    disposeTensors(this.val);
    disposeTensors(this.heldOut);
  }
}
