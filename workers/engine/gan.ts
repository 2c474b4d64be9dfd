import * as tf from '@tensorflow/tfjs';
import { sampleDistribution } from '../../contract/datasets/gan-distributions.ts';
import { slicedWasserstein } from '../../contract/distribution-distance.ts';
import type { GanFrame, GanJob, GanResult, GanSide } from '../../shared/gan.schema.ts';
import { ModelSpec } from '../../shared/model-spec.schema.ts';
import { createRng, deriveSeed, type Rng } from '../../contract/random.ts';
import { buildNetwork, disposeNetwork, forward, type Network } from './network.ts';
import { optimizerUpdate } from './optimizer.ts';
import { GRID_EXTENT, gridPoints } from './probes.ts';
import { weightsHash } from './weights-hash.ts';

/** Moved to shared so the server can draw the real points too; re-exported for the engine's callers. */
export { sampleDistribution };

function sideNetwork(side: GanSide, inputDim: number, outputDim: number, rng: Rng): Network {
  const spec = ModelSpec.parse({ layers: side.layers, optimizer: side.optimizer, learningRate: side.learningRate, batchSize: 1 });
  return buildNetwork(spec, inputDim, outputDim, rng);
}

function update(net: Network, side: GanSide, t: number, loss: () => tf.Scalar): number {
  return tf.tidy(() => {
    const vars = net.layers.flatMap((l) => [l.kernel, l.bias]);
    const { value, grads } = tf.variableGrads(loss, vars);
    for (const layer of net.layers) {
      layer.kernel.assign(optimizerUpdate(side.optimizer, side.learningRate, t, layer.kernel, grads[layer.kernel.name]!, layer.kernelSlots) as tf.Tensor2D);
      layer.bias.assign(optimizerUpdate(side.optimizer, side.learningRate, t, layer.bias, grads[layer.bias.name]!, layer.biasSlots) as tf.Tensor1D);
    }
    return value.dataSync()[0]!;
  });
}

export type { GanResult };

/** Points of a fresh sample used for the distance and the frame's picture. */
const FRAME_POINTS = 512;

/**
 * A generator against a discriminator on a 2D distribution, with the
 * non-saturating GAN losses. Seeded like every run: the same job gives the
 * same weights and the same frames.
 */
export class GanSession {
  readonly job: GanJob;
  iteration = 0;
  private readonly gen: Network;
  private readonly disc: Network;
  private readonly rng: Rng;
  private tG = 0;
  private tD = 0;
  private lastD = NaN;
  private lastG = NaN;

  constructor(job: GanJob) {
    this.job = job;
    this.gen = sideNetwork(job.generator, job.latentDim, 2, createRng(deriveSeed(job.seed, 'gan:g')));
    this.disc = sideNetwork(job.discriminator, 2, 1, createRng(deriveSeed(job.seed, 'gan:d')));
    this.rng = createRng(deriveSeed(job.seed, 'gan:data'));
  }

  private noise(n: number): tf.Tensor2D {
    const z = new Float32Array(n * this.job.latentDim);
    for (let i = 0; i < z.length; i++) z[i] = this.rng.normal();
    return tf.tensor2d(z, [n, this.job.latentDim]);
  }

  private real(n: number): tf.Tensor2D {
    return tf.tensor2d(sampleDistribution(this.job.distribution, n, this.rng), [n, 2]);
  }

  /** One iteration: the discriminator's steps, then the generator's. */
  step(): void {
    const n = this.job.batchSize;
    for (let k = 0; k < this.job.discriminator.steps; k++) {
      const real = this.real(n);
      const z = this.noise(n);
      const fake = tf.tidy(() => forward(this.gen, z));
      this.lastD = update(this.disc, this.job.discriminator, ++this.tD, () =>
        tf.add(
          tf.losses.sigmoidCrossEntropy(tf.onesLike(fake.slice([0, 0], [-1, 1])), forward(this.disc, real)),
          tf.losses.sigmoidCrossEntropy(tf.zerosLike(fake.slice([0, 0], [-1, 1])), forward(this.disc, fake)),
        ) as tf.Scalar,
      );
      tf.dispose([real, z, fake]);
    }
    for (let k = 0; k < this.job.generator.steps; k++) {
      const z = this.noise(n);
      this.lastG = update(this.gen, this.job.generator, ++this.tG, () => {
        const logits = forward(this.disc, forward(this.gen, z), { inputNeedsGrad: true });
        return tf.losses.sigmoidCrossEntropy(tf.onesLike(logits), logits) as tf.Scalar;
      });
      z.dispose();
    }
    this.iteration++;
  }

  /** Generated points for a picture (flattened). */
  generate(n: number): Float32Array {
    return tf.tidy(() => forward(this.gen, this.noise(n)).dataSync() as Float32Array);
  }

  /** Both losses, the discriminator's accuracy, the distance, generated points and the heatmap. */
  frame(): GanFrame {
    const n = FRAME_POINTS;
    const real = sampleDistribution(this.job.distribution, n, createRng(deriveSeed(this.job.seed, `gan:eval:${this.iteration}`)));
    const generated = this.generate(n);
    const res = this.job.heatmapResolution;
    const { dAccuracy, heatmap } = tf.tidy(() => {
      const pReal = tf.sigmoid(forward(this.disc, tf.tensor2d(real, [n, 2])));
      const pFake = tf.sigmoid(forward(this.disc, tf.tensor2d(generated, [n, 2])));
      const correct = tf.add(tf.sum(tf.greater(pReal, 0.5).toFloat()), tf.sum(tf.lessEqual(pFake, 0.5).toFloat()));
      const grid = tf.sigmoid(forward(this.disc, tf.tensor2d(gridPoints(res), [res * res, 2])));
      return { dAccuracy: correct.dataSync()[0]! / (2 * n), heatmap: Array.from(grid.dataSync()) };
    });
    return {
      runId: this.job.runId,
      iteration: this.iteration,
      dLoss: this.lastD,
      gLoss: this.lastG,
      dAccuracy,
      distance: slicedWasserstein(real, generated),
      generated: Array.from(generated.subarray(0, 2 * 256)),
      heatmap: { resolution: res, extent: GRID_EXTENT, values: heatmap },
      createdAt: Date.now(),
    };
  }

  result(): GanResult {
    const f = this.frame();
    return {
      runId: this.job.runId,
      iterations: this.iteration,
      final: { dLoss: f.dLoss, gLoss: f.gLoss, dAccuracy: f.dAccuracy, distance: f.distance },
      weightsHash: weightsHash([...this.gen.layers, ...this.disc.layers].flatMap((l) => [l.kernel, l.bias])),
    };
  }

  dispose(): void {
    disposeNetwork(this.gen);
    disposeNetwork(this.disc);
  }
}

/** Trains a GAN job to its last iteration, yielding between slices like `runTraining`. */
export async function runGan(job: GanJob, hooks: { onFrame?: (f: GanFrame) => void; signal?: AbortSignal } = {}): Promise<GanResult> {
  const session = new GanSession(job);
  try {
    let slice = performance.now();
    while (session.iteration < job.iterations) {
      hooks.signal?.throwIfAborted();
      session.step();
      if (session.iteration % job.frameEveryIterations === 0 && hooks.onFrame) hooks.onFrame(session.frame());
      if (performance.now() - slice > 8) {
        await new Promise((r) => setImmediate(r));
        slice = performance.now();
      }
    }
    return session.result();
  } finally {
    session.dispose();
  }
}
