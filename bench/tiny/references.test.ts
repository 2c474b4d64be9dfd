import { describe, expect, it } from 'vitest';
import { createRng } from '../../contract/random.ts';
import { TrainJob } from '../../shared/run.schema.ts';
import { generateTaskData } from '../../workers/engine/task-data.ts';
import { PlaygroundStyleNet } from './playground-style-reference.ts';
import { ScalarNet } from './scalar-reference.ts';

/** The bench's spiral: 250 training points, two inputs, two classes. */
function spiral() {
  const job = TrainJob.parse({
    runId: 'references',
    spec: { layers: [{ units: 4, activation: 'tanh' }], optimizer: 'sgd', learningRate: 0.03, batchSize: 10 },
    task: { name: 'spiral', samples: 500, valFraction: 0.25, heldOutFraction: 0.25 },
    seed: 1,
    budget: 1000,
  });
  return generateTaskData(job.task, job.seed).train;
}

/** Both references from one seed, trained on the same samples in the same order. */
function trainBoth(widths: number[], activation: 'tanh' | 'relu', samples: number, batchSize: number) {
  const { x, y } = spiral();
  const nets = [ScalarNet, PlaygroundStyleNet].map((Net) => {
    const random = createRng(7);
    const net = new Net(widths, activation, () => random.next());
    const start = net.weights();
    const loss = net.train(x, y, { samples, batchSize, learningRate: 0.03, random: () => random.next() });
    return { start, end: net.weights(), loss, accuracy: net.accuracy(x, y) };
  });
  return { lean: nets[0]!, playgroundStyle: nets[1]! };
}

describe("the bench's two scalar references", () => {
  it.each([
    { widths: [2, 4, 2], activation: 'tanh' as const, batchSize: 10 },
    { widths: [2, 8, 8, 8, 2], activation: 'tanh' as const, batchSize: 10 },
    { widths: [2, 16, 16, 2], activation: 'relu' as const, batchSize: 32 },
  ])('start alike and train the same weights on $widths ($activation, batch $batchSize)', ({ widths, activation, batchSize }) => {
    const { lean, playgroundStyle } = trainBoth(widths, activation, 20_000, batchSize);
    expect(playgroundStyle.start).toEqual(lean.start);
    // They differ only in rounding (a bias's mean gradient is lr·sum/n in one, (lr/n)·sum in the other).
    const drift = Math.max(...lean.end.map((w, i) => Math.abs(w - playgroundStyle.end[i]!)));
    expect(drift).toBeLessThan(1e-9);
    // Both learned: the weights moved, and the last epoch's loss is under a coin's (ln 2).
    expect(Math.max(...lean.end.map((w, i) => Math.abs(w - lean.start[i]!)))).toBeGreaterThan(0.1);
    expect(playgroundStyle.loss).toBeLessThan(Math.LN2);
    expect(playgroundStyle.loss).toBeCloseTo(lean.loss, 9);
    expect(playgroundStyle.accuracy).toBe(lean.accuracy);
  });

  it("lets an L1 penalty drive links to zero for good, as Playground's engine does", () => {
    const { x, y } = spiral();
    const random = createRng(7);
    const net = new PlaygroundStyleNet([2, 8, 2], 'tanh', () => random.next(), 0.5);
    net.train(x, y, { samples: 5_000, batchSize: 10, learningRate: 0.03, random: () => random.next() });
    const zeros = net.weights().filter((w) => w === 0).length;
    expect(zeros).toBeGreaterThan(0);
    net.train(x, y, { samples: 5_000, batchSize: 10, learningRate: 0.03, random: () => random.next() });
    expect(net.weights().filter((w) => w === 0).length).toBeGreaterThanOrEqual(zeros);
  });
});
