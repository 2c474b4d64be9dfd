import { beforeAll, describe, expect, it } from 'vitest';
import { TrainJob } from '../../shared/run.schema.ts';
import { CLASSIFICATION_2D, REGRESSION_2D, TaskSpec } from '../../shared/task.schema.ts';
import { runTraining } from './training-loop.ts';
import { generateTaskData } from './task-data.ts';
import { initBackend } from './tf-backend.ts';

const spec = { layers: [{ units: 24, activation: 'relu' }, { units: 24, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 32 } as const;

describe('tasks', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('splits a task into train, validation and held-out sets, the same way for the same seed', () => {
    const task = TaskSpec.parse({ name: 'moons', samples: 500 });
    const a = generateTaskData(task, 3);
    const b = generateTaskData(task, 3);
    const c = generateTaskData(task, 4);
    expect([a.train.count, a.val.count, a.heldOut.count]).toEqual([300, 100, 100]);
    expect(a.heldOut.x).toEqual(b.heldOut.x);
    expect(a.heldOut.x).not.toEqual(c.heldOut.x);
  });

  it.each(CLASSIFICATION_2D)('a small network learns %s well above chance', async (name) => {
    const r = await runTraining(TrainJob.parse({ runId: name, spec, task: { name }, seed: 5, budget: 20_000 }));
    // Chance is 0.5; a 4×4 checkerboard from 600 points is the hardest of them.
    expect(r.final.valAccuracy).toBeGreaterThan(name === 'checkerboard' ? 0.75 : 0.85);
  });

  it.each(REGRESSION_2D)('a small network fits %s (R² as accuracy)', async (name) => {
    const r = await runTraining(TrainJob.parse({ runId: name, spec, task: { name }, seed: 5, budget: 20_000 }));
    expect(r.final.valAccuracy).toBeGreaterThan(0.8);
  });

  it('learns real MNIST digits from the mnist package', async () => {
    const r = await runTraining(
      TrainJob.parse({ runId: 'mnist', spec: { layers: [{ units: 64, activation: 'relu' }], optimizer: 'adam', learningRate: 0.002, batchSize: 64 }, task: { name: 'mnist', samples: 3000 }, seed: 1, budget: 9000 }),
    );
    expect(r.final.valAccuracy).toBeGreaterThan(0.8);
  });

  it('a difficulty ramp makes the same run end differently', async () => {
    const base = { runId: 'r', spec, seed: 5, budget: 3000 };
    const plain = await runTraining(TrainJob.parse({ ...base, task: { name: 'spiral' } }));
    const ramped = await runTraining(TrainJob.parse({ ...base, task: { name: 'spiral', ramp: 0.3 } }));
    expect(ramped.weightsHash).not.toBe(plain.weightsHash);
  });

  it('refuses more MNIST samples than the package ships', () => {
    const r = TaskSpec.safeParse({ name: 'mnist', samples: 20_000 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toContain('mnist has 10000 digits');
  });
});
