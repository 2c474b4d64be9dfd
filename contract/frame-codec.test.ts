import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './frame-codec.ts';
import type { TelemetryFrame } from '../shared/run.schema.ts';

const frame: TelemetryFrame = {
  runId: 'r1',
  step: 1234,
  samples: 39_488,
  flops: 8.5e9,
  loss: 0.123,
  accuracy: 0.97,
  valLoss: 0.2,
  valAccuracy: 0.95,
  learningRate: 0.001,
  batchSize: 32,
  samplesPerSec: 150_000,
  createdAt: 1_795_000_000_123,
  layers: [
    { gradNorm: 0.5, weightMean: -0.01, weightStd: 0.3, updateRatio: 0.002, deadFraction: 0.125 },
    { gradNorm: 0.05, weightMean: 0.02, weightStd: 0.2, updateRatio: 0.001, deadFraction: 0 },
  ],
};

describe('frame codec', () => {
  it('round-trips a frame, metrics to float32 precision, counts and times exactly', () => {
    const bytes = encodeFrame(frame);
    expect(bytes.byteLength).toBe(58 + 2 * 20);
    expect(bytes.byteLength).toBeLessThan(JSON.stringify(frame).length / 3);
    const back = decodeFrame('r1', bytes);
    expect(back).toMatchObject({ runId: 'r1', step: 1234, samples: 39_488, flops: 8.5e9, batchSize: 32, createdAt: 1_795_000_000_123 });
    expect(back.loss).toBeCloseTo(0.123, 6);
    expect(back.layers[0]!.deadFraction).toBe(0.125);
    expect(back.layers[1]!.gradNorm).toBeCloseTo(0.05, 7);
  });

  it('refuses bytes that are not a frame', () => {
    expect(() => decodeFrame('r', new Uint8Array(10))).toThrow('not a telemetry frame');
    expect(() => decodeFrame('r', encodeFrame(frame).subarray(0, 70))).toThrow('wrong length');
  });
});
