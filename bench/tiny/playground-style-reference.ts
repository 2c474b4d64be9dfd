/**
 * A scalar neural network written for the bench the way TensorFlow
 * Playground's engine (`src/nn.ts`) is built, which issue 15 names as the
 * yardstick for tiny nets: an object per unit and per link; activations as
 * objects with an `output` and a `der` of the unit's total input (so a unit's
 * derivative evaluates its activation again); each unit carries the
 * derivative of its output, of its total input and their sum over the batch
 * with a count, each link its own sum and count, a dead flag and an optional
 * regularisation; an update divides each sum by its count. The code is this
 * project's own; only the design follows Playground's.
 *
 * It trains the bench's nets (softmax over the outputs, cross-entropy), not
 * Playground's single tanh output with squared error, so that engine and
 * reference train the same network. Its weights start as `ScalarNet`'s from
 * the same generator, and one batch moves both the same way (tested in
 * references.test.ts), so it is a real trainer, not a slowed copy.
 */

/** An activation and its derivative, both functions of the unit's total input. */
interface Activation {
  output(total: number): number;
  der(total: number): number;
}

const TANH: Activation = {
  output: (x) => Math.tanh(x),
  der: (x) => {
    const y = Math.tanh(x);
    return 1 - y * y;
  },
};
const RELU: Activation = { output: (x) => (x > 0 ? x : 0), der: (x) => (x > 0 ? 1 : 0) };
const LINEAR: Activation = { output: (x) => x, der: () => 1 };

/** A weight penalty's derivative (the bench trains without one, as Playground's default does; the loss it reports leaves the penalty out). */
interface Regularization {
  der(weight: number): number;
}
const L1: Regularization = { der: (w) => (w < 0 ? -1 : w > 0 ? 1 : 0) };

class Unit {
  bias = 0;
  total = 0;
  output = 0;
  /** d loss / d output and d loss / d total input, for the current sample. */
  outputDer = 0;
  inputDer = 0;
  /** d loss / d total input summed since the last update (the bias's gradient), and how many samples it sums. */
  accInputDer = 0;
  accumulated = 0;
  readonly inputs: Link[] = [];
  readonly outputs: Link[] = [];
  readonly activation: Activation;
  constructor(activation: Activation) {
    this.activation = activation;
  }

  updateOutput(): number {
    let total = this.bias;
    for (let i = 0; i < this.inputs.length; i++) {
      const link = this.inputs[i]!;
      total += link.weight * link.source.output;
    }
    this.total = total;
    this.output = this.activation.output(total);
    return this.output;
  }
}

class Link {
  weight: number;
  /** A link an L1 penalty drove through zero stays at zero and stops training. */
  isDead = false;
  errorDer = 0;
  accErrorDer = 0;
  accumulated = 0;
  readonly regularization: Regularization | null;
  readonly source: Unit;
  readonly dest: Unit;
  constructor(source: Unit, dest: Unit, weight: number, regularization: Regularization | null) {
    this.source = source;
    this.dest = dest;
    this.weight = weight;
    this.regularization = regularization;
  }
}

/** A fully connected classifier in Playground's engine's style: inputs, hidden layers, softmax over the outputs, cross-entropy loss. */
export class PlaygroundStyleNet {
  private readonly layers: Unit[][];
  private readonly regularizationRate: number;

  /**
   * @param widths units per layer, inputs first, classes last
   * @param random a generator in [0, 1) for the initial weights, drawn as ScalarNet draws them
   * @param regularization an L1 penalty on every weight at this rate (0, the bench's case, leaves it out)
   */
  constructor(widths: number[], activation: 'tanh' | 'relu', random: () => number, regularization = 0) {
    const hidden = activation === 'tanh' ? TANH : RELU;
    this.layers = widths.map((w, i) => Array.from({ length: w }, () => new Unit(i === 0 || i === widths.length - 1 ? LINEAR : hidden)));
    this.regularizationRate = regularization;
    for (let l = 1; l < this.layers.length; l++) {
      const scale = Math.sqrt(6 / (widths[l - 1]! + widths[l]!));
      for (const dest of this.layers[l]!) {
        for (const source of this.layers[l - 1]!) {
          const link = new Link(source, dest, (random() * 2 - 1) * scale, regularization > 0 ? L1 : null);
          source.outputs.push(link);
          dest.inputs.push(link);
        }
      }
    }
  }

  /** The weights, layer by layer, each unit's incoming links in order then its bias (to compare two nets). */
  weights(): number[] {
    return this.layers.slice(1).flatMap((layer) => layer.flatMap((u) => [...u.inputs.map((l) => l.weight), u.bias]));
  }

  private forward(inputs: number[]): void {
    const input = this.layers[0]!;
    for (let i = 0; i < input.length; i++) input[i]!.output = inputs[i]!;
    for (let l = 1; l < this.layers.length; l++) {
      const layer = this.layers[l]!;
      for (let i = 0; i < layer.length; i++) layer[i]!.updateOutput();
    }
  }

  /** Sets each output unit's outputDer to d cross-entropy / d logit for class `label`; returns the sample's loss. */
  private lossDer(label: number, p: Float64Array): number {
    const out = this.layers[this.layers.length - 1]!;
    let max = -Infinity;
    for (let j = 0; j < out.length; j++) if (out[j]!.output > max) max = out[j]!.output;
    let sum = 0;
    for (let j = 0; j < out.length; j++) sum += p[j] = Math.exp(out[j]!.output - max);
    for (let j = 0; j < out.length; j++) {
      p[j] = p[j]! / sum;
      out[j]!.outputDer = p[j]! - (j === label ? 1 : 0);
    }
    return -Math.log(p[label]!);
  }

  private backward(): void {
    for (let l = this.layers.length - 1; l >= 1; l--) {
      const layer = this.layers[l]!;
      for (let i = 0; i < layer.length; i++) {
        const unit = layer[i]!;
        unit.inputDer = unit.outputDer * unit.activation.der(unit.total);
        unit.accInputDer += unit.inputDer;
        unit.accumulated++;
      }
      for (let i = 0; i < layer.length; i++) {
        const unit = layer[i]!;
        for (let j = 0; j < unit.inputs.length; j++) {
          const link = unit.inputs[j]!;
          if (link.isDead) continue;
          link.errorDer = unit.inputDer * link.source.output;
          link.accErrorDer += link.errorDer;
          link.accumulated++;
        }
      }
      if (l === 1) continue;
      const below = this.layers[l - 1]!;
      for (let i = 0; i < below.length; i++) {
        const unit = below[i]!;
        unit.outputDer = 0;
        for (let j = 0; j < unit.outputs.length; j++) {
          const link = unit.outputs[j]!;
          unit.outputDer += link.weight * link.dest.inputDer;
        }
      }
    }
  }

  private update(learningRate: number): void {
    for (let l = 1; l < this.layers.length; l++) {
      const layer = this.layers[l]!;
      for (let i = 0; i < layer.length; i++) {
        const unit = layer[i]!;
        if (unit.accumulated > 0) {
          unit.bias -= (learningRate * unit.accInputDer) / unit.accumulated;
          unit.accInputDer = 0;
          unit.accumulated = 0;
        }
        for (let j = 0; j < unit.inputs.length; j++) {
          const link = unit.inputs[j]!;
          if (link.isDead) continue;
          const regularizationDer = link.regularization ? link.regularization.der(link.weight) : 0;
          if (link.accumulated > 0) {
            link.weight -= (learningRate / link.accumulated) * link.accErrorDer;
            const next = link.weight - learningRate * this.regularizationRate * regularizationDer;
            if (link.regularization === L1 && link.weight * next < 0) {
              link.weight = 0;
              link.isDead = true;
            } else {
              link.weight = next;
            }
            link.accErrorDer = 0;
            link.accumulated = 0;
          }
        }
      }
    }
  }

  /**
   * Trains on `samples` samples in batches of `batchSize`, drawing the order
   * from a shuffle of the points each epoch (the same draws as ScalarNet.train);
   * returns the mean loss of the last epoch's samples. The loop is written out
   * here as in ScalarNet rather than shared through callbacks: a shared loop
   * calling each reference's step measured about a third slower for both,
   * which would flatter the engine they are the yardstick for.
   * @param x inputs, row-major
   * @param labels class of each point
   */
  train(x: Float32Array, labels: Float32Array, options: { samples: number; batchSize: number; learningRate: number; random: () => number }): number {
    const dim = this.layers[0]!.length;
    const count = labels.length;
    // Playground's engine takes each sample's inputs as an array of numbers.
    const points = Array.from({ length: count }, (_, i) => Array.from(x.subarray(i * dim, (i + 1) * dim)));
    const order = Array.from({ length: count }, (_, i) => i);
    const p = new Float64Array(this.layers[this.layers.length - 1]!.length);
    let cursor = count;
    let loss = 0;
    let seen = 0;
    for (let done = 0; done < options.samples; ) {
      const n = Math.min(options.batchSize, options.samples - done);
      for (let s = 0; s < n; s++) {
        if (cursor === count) {
          for (let i = count - 1; i > 0; i--) {
            const j = Math.floor(options.random() * (i + 1));
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          cursor = 0;
          loss = 0;
          seen = 0;
        }
        const i = order[cursor++]!;
        this.forward(points[i]!);
        loss += this.lossDer(labels[i]!, p);
        seen++;
        this.backward();
      }
      this.update(options.learningRate);
      done += n;
    }
    return seen > 0 ? loss / seen : NaN;
  }

  /** Share of points whose largest output is their class. */
  accuracy(x: Float32Array, labels: Float32Array): number {
    const dim = this.layers[0]!.length;
    const out = this.layers[this.layers.length - 1]!;
    let right = 0;
    for (let i = 0; i < labels.length; i++) {
      this.forward(Array.from(x.subarray(i * dim, (i + 1) * dim)));
      let best = 0;
      for (let j = 1; j < out.length; j++) if (out[j]!.output > out[best]!.output) best = j;
      if (best === labels[i]) right++;
    }
    return labels.length > 0 ? right / labels.length : 0;
  }
}
