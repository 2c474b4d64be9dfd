import { beforeAll, describe, expect, it } from 'vitest';
import { Control } from '../../shared/control.schema.ts';
import { TrainJob, type RunEvent } from '../../shared/run.schema.ts';
import { detect, initialDetectorState } from './detectors.ts';
import { runTraining } from './training-loop.ts';
import { initBackend } from './tf-backend.ts';

describe('detectors on real training', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('a deep sigmoid network shows vanishing gradients; switching to ReLU and Adam overcomes them', async () => {
    const events: RunEvent[] = [];
    const inbox: Control[] = [];
    await runTraining(
      TrainJob.parse({ runId: 'v', spec: { layers: Array.from({ length: 8 }, () => ({ units: 16, activation: 'sigmoid' })), optimizer: 'sgd', learningRate: 0.1, batchSize: 32 }, task: { name: 'circles' }, seed: 3, budget: 8000 }),
      {
        pullControls: () => inbox.splice(0),
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'vanishingGradients') {
            for (let i = 0; i < 8; i++) inbox.push(Control.parse({ type: 'setActivation', layer: i, activation: 'relu' }));
            inbox.push(Control.parse({ type: 'setOptimizer', optimizer: 'adam', learningRate: 0.005 }));
          }
        },
      },
    );
    const types = events.filter((e) => e.type !== 'control').map((e) => e.type);
    expect(types).toContain('vanishingGradients');
    expect(types.indexOf('gradientsRecovered')).toBeGreaterThan(types.indexOf('vanishingGradients'));
  });

  it('a wide network on noisy labels overfits, and says so; it also reports convergence', async () => {
    const events: RunEvent[] = [];
    await runTraining(
      TrainJob.parse({
        runId: 'o',
        spec: { layers: [{ units: 128, activation: 'relu' }, { units: 128, activation: 'relu' }], optimizer: 'adam', learningRate: 0.01, batchSize: 16 },
        task: { name: 'moons', samples: 200 },
        controls: [{ step: 0, control: { type: 'injectNoise', target: 'labels', strength: 0.4 } }],
        seed: 3,
        budget: 6000,
      }),
      { onEvent: (e) => events.push(e) },
    );
    const overfit = events.find((e) => e.type === 'overfitting');
    expect(overfit?.message).toMatch(/validation loss rose to .* while training loss kept falling/);
    expect(events.some((e) => e.type === 'converged')).toBe(true);
  });

  it('fires each event once until its condition clears', () => {
    const state = initialDetectorState();
    const m = { loss: 0.1, accuracy: 1, valLoss: 0.1, valAccuracy: 0.99 };
    expect(detect(state, m, [], 0.95).map((e) => e.type)).toEqual(['converged']);
    expect(detect(state, m, [], 0.95)).toEqual([]);
  });
});
