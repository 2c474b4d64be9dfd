/**
 * A plain scalar neural network written for the bench, in the classic style of
 * hand-written JavaScript engines: one object per unit and per connection,
 * each sample run forward and backward on its own, gradients summed over the
 * batch, one update per batch. It is the yardstick the engine's tiny-net path
 * is measured against; it trains for real (its accuracy is reported beside its
 * speed so a broken reference cannot pass for a fast one).
 */

/** Hidden activations the reference knows (those of the bench's nets). */
export type ReferenceActivation = 'tanh' | 'relu';

class Unit {
  bias = 0;
  /** Sum of the bias and the weighted inputs, for the current sample. */
  total = 0;
  output = 0;
  /** d loss / d total, for the current sample. */
  delta = 0;
  /** d loss / d bias, summed over the batch. */
  biasGrad = 0;
  readonly inputs: Link[] = [];
  readonly outputs: Link[] = [];
  readonly activation: ReferenceActivation | 'linear';
  constructor(activation: ReferenceActivation | 'linear') {
    this.activation = activation;
  }
}

class Link {
  /** d loss / d weight, summed over the batch. */
  grad = 0;
  readonly from: Unit;
  readonly to: Unit;
  weight: number;
  constructor(from: Unit, to: Unit, weight: number) {
    this.from = from;
    this.to = to;
    this.weight = weight;
  }
}

function activate(a: Unit['activation'], z: number): number {
  if (a === 'tanh') return Math.tanh(z);
  if (a === 'relu') return z > 0 ? z : 0;
  return z;
}

/** d activation / d total, from the total and the output. */
function derivative(a: Unit['activation'], z: number, y: number): number {
  if (a === 'tanh') return 1 - y * y;
  if (a === 'relu') return z > 0 ? 1 : 0;
  return 1;
}

/** A fully connected classifier: inputs, hidden layers, softmax over the outputs, cross-entropy loss. */
export class ScalarNet {
  private readonly layers: Unit[][];

  /**
   * @param widths units per layer, inputs first, classes last
   * @param random a generator in [0, 1) for the initial weights (Glorot-like)
   */
  constructor(widths: number[], activation: ReferenceActivation, random: () => number) {
    this.layers = widths.map((w, i) => Array.from({ length: w }, () => new Unit(i === 0 || i === widths.length - 1 ? 'linear' : activation)));
    for (let l = 1; l < this.layers.length; l++) {
      const scale = Math.sqrt(6 / (widths[l - 1]! + widths[l]!));
      for (const to of this.layers[l]!) {
        for (const from of this.layers[l - 1]!) {
          const link = new Link(from, to, (random() * 2 - 1) * scale);
          from.outputs.push(link);
          to.inputs.push(link);
        }
      }
    }
  }

  /** The weights, layer by layer, each unit's incoming links in order then its bias (to compare two nets). */
  weights(): number[] {
    return this.layers.slice(1).flatMap((layer) => layer.flatMap((u) => [...u.inputs.map((l) => l.weight), u.bias]));
  }

  /** Runs one sample forward; returns nothing, the outputs are on the last layer's units. */
  private forward(x: Float32Array, offset: number): void {
    const input = this.layers[0]!;
    for (let i = 0; i < input.length; i++) input[i]!.output = x[offset + i]!;
    for (let l = 1; l < this.layers.length; l++) {
      for (const unit of this.layers[l]!) {
        let total = unit.bias;
        for (const link of unit.inputs) total += link.weight * link.from.output;
        unit.total = total;
        unit.output = activate(unit.activation, total);
      }
    }
  }

  /** Softmax of the output units' totals, written into `p`. */
  private softmax(p: Float64Array): void {
    const out = this.layers[this.layers.length - 1]!;
    let max = -Infinity;
    for (const u of out) if (u.output > max) max = u.output;
    let sum = 0;
    for (let j = 0; j < out.length; j++) sum += p[j] = Math.exp(out[j]!.output - max);
    for (let j = 0; j < out.length; j++) p[j] = p[j]! / sum;
  }

  /** Backpropagates one sample whose class is `label`, adding its gradients to the batch's. */
  private backward(label: number, p: Float64Array): void {
    const out = this.layers[this.layers.length - 1]!;
    for (let j = 0; j < out.length; j++) out[j]!.delta = p[j]! - (j === label ? 1 : 0);
    for (let l = this.layers.length - 1; l >= 1; l--) {
      for (const unit of this.layers[l]!) {
        if (l < this.layers.length - 1) {
          let d = 0;
          for (const link of unit.outputs) d += link.weight * link.to.delta;
          unit.delta = d * derivative(unit.activation, unit.total, unit.output);
        }
        unit.biasGrad += unit.delta;
        for (const link of unit.inputs) link.grad += unit.delta * link.from.output;
      }
    }
  }

  /** One SGD update with the batch's mean gradient; clears the sums. */
  private update(learningRate: number, batch: number): void {
    const step = learningRate / batch;
    for (let l = 1; l < this.layers.length; l++) {
      for (const unit of this.layers[l]!) {
        unit.bias -= step * unit.biasGrad;
        unit.biasGrad = 0;
        for (const link of unit.inputs) {
          link.weight -= step * link.grad;
          link.grad = 0;
        }
      }
    }
  }

  /**
   * Trains on `samples` samples in batches of `batchSize`, drawing the order
   * from a shuffle of the points each epoch; returns the mean loss of the last epoch's batches.
   * @param x inputs, row-major
   * @param labels class of each point
   */
  train(x: Float32Array, labels: Float32Array, options: { samples: number; batchSize: number; learningRate: number; random: () => number }): number {
    const dim = this.layers[0]!.length;
    const count = labels.length;
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
        this.forward(x, i * dim);
        this.softmax(p);
        loss -= Math.log(p[labels[i]!]!);
        seen++;
        this.backward(labels[i]!, p);
      }
      this.update(options.learningRate, n);
      done += n;
    }
    return seen > 0 ? loss / seen : NaN;
  }

  /** Share of points whose largest output is their class. */
  accuracy(x: Float32Array, labels: Float32Array): number {
    const dim = this.layers[0]!.length;
    const p = new Float64Array(this.layers[this.layers.length - 1]!.length);
    let right = 0;
    for (let i = 0; i < labels.length; i++) {
      this.forward(x, i * dim);
      this.softmax(p);
      let best = 0;
      for (let j = 1; j < p.length; j++) if (p[j]! > p[best]!) best = j;
      if (best === labels[i]) right++;
    }
    return labels.length > 0 ? right / labels.length : 0;
  }
}
