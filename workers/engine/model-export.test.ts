import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { preprocessingOf } from '../../contract/model-preprocessing.ts';
import { metricsToCsv } from '../../shared/metrics-export.ts';
import { TrainJob, type TelemetryFrame } from '../../shared/run.schema.ts';
import { loadLayersModel, saveLayersModel } from './model-export.ts';
import { forward } from './network.ts';
import { initBackend } from './tf-backend.ts';
import { TrainSession } from './training-session.ts';

describe('exports', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('the exported model loads with tf.loadLayersModel and predicts what the engine predicts', async () => {
    const s = new TrainSession(
      TrainJob.parse({
        runId: 'x',
        spec: { layers: [{ units: 6, activation: 'leakyRelu' }, { units: 5, activation: 'swish' }, { units: 4, activation: 'elu' }], optimizer: 'adam', learningRate: 0.02, batchSize: 16, features: ['x1', 'x2', 'x1x2', 'sinx1'] },
        task: { name: 'checkerboard' },
        seed: 2,
        budget: 5000,
      }),
    );
    for (let i = 0; i < 60; i++) s.step();
    const dir = mkdtempSync(path.join(tmpdir(), 'arena-model-'));
    await saveLayersModel(s.net, dir, preprocessingOf(s.job.spec, s.job.task));
    const model = await loadLayersModel(dir);
    const x = s.validation.x;
    const [ours, theirs] = tf.tidy(() => [forward(s.net, x).dataSync(), (model.predict(x) as tf.Tensor).dataSync()]);
    expect(theirs.length).toBe(ours.length);
    ours.forEach((v, i) => expect(theirs[i]).toBeCloseTo(v, 5));
    model.dispose();
    s.dispose();
  });

  it('writes metrics as CSV with a header and one row per frame', () => {
    const frame = { step: 10, samples: 320, flops: 1000, loss: 0.5, accuracy: 0.75, valLoss: 0.6, valAccuracy: 0.7, learningRate: 0.01, batchSize: 32, samplesPerSec: 1234 } as TelemetryFrame;
    const csv = metricsToCsv([frame, { ...frame, step: 20 }]).trim().split('\n');
    expect(csv[0]).toBe('step,samples,flops,loss,accuracy,valLoss,valAccuracy,learningRate,batchSize,samplesPerSec');
    expect(csv[1]).toBe('10,320,1000,0.5,0.75,0.6,0.7,0.01,32,1234');
    expect(csv).toHaveLength(3);
  });
});
